// The public API of otp/: pure OTP algorithms with no I/O, config or logging.
export type { OtpAlgorithm } from './algorithm.ts';
export { HASH_BYTES, OTP_ALGORITHMS, isOtpAlgorithm, parseAlgorithm } from './algorithm.ts';
export { OtpInputError } from './errors.ts';
export { hotp } from './hotp.ts';
export type { TotpOptions } from './totp.ts';
export { timeStepAt, totp } from './totp.ts';
export { base32Decode, base32Encode } from './base32.ts';
export type { SeedEncoding } from './seed.ts';
export { MIN_SEED_BYTES, defaultSeedBytes, generateSeed, parseSeed } from './seed.ts';
export type { OtpauthKey, OtpauthType } from './otpauth.ts';
export { buildOtpauthUri, parseOtpauthUri } from './otpauth.ts';
export type { OcraInput, OcraQuestionFormat, OcraSuite } from './ocra.ts';
export { generateChallengeQuestion, ocra, ocraDataInput, ocraTimeStep, parseOcraSuite } from './ocra.ts';
