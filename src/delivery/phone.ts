// Phone numbers as directories hold them ("0151 123 456 89", "+49 (0)151
// ...", "tel:+49...") turned into E.164, the one form gateways agree on.
// libphonenumber's full metadata tells a well-formed but impossible number
// from a real one, so a typo is refused here instead of costing an SMS.

import { isSupportedCountry, ParseError, parsePhoneNumberWithError, type CountryCode, type PhoneNumber } from 'libphonenumber-js/max';

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: string };

/** Undefined when `country` is an ISO 3166 code with a numbering plan. */
export function countryProblem(country: string): string | undefined {
  return isSupportedCountry(country) ? undefined : `"${country}" is not a country code with a numbering plan (two capital letters, e.g. DE, US, GB)`;
}

const PARSE_REASONS: Record<string, string> = {
  NOT_A_NUMBER: 'not a phone number',
  TOO_SHORT: 'too short for a phone number',
  TOO_LONG: 'too long for a phone number',
  INVALID_LENGTH: 'not a valid length for a phone number',
};

export function normalizePhone(input: string, defaultCountry?: string): PhoneResult {
  const text = input.trim();
  if (text.length === 0) return { ok: false, reason: 'no phone number' };
  if (text.length > 64) return { ok: false, reason: 'too long for a phone number' };
  let number: PhoneNumber;
  try {
    number = parsePhoneNumberWithError(text, defaultCountry !== undefined ? { defaultCountry: defaultCountry as CountryCode } : {});
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    if (e.message === 'INVALID_COUNTRY') {
      return {
        ok: false,
        reason: defaultCountry === undefined ? 'no country code (+CC) and no default country configured' : 'unknown country calling code',
      };
    }
    return { ok: false, reason: PARSE_REASONS[e.message] ?? 'not a phone number' };
  }
  if (number.ext !== undefined) return { ok: false, reason: 'a number with an extension cannot receive SMS' };
  if (!number.isValid()) {
    const where = number.country !== undefined ? ` for ${number.country}` : ` for +${number.countryCallingCode}`;
    return { ok: false, reason: `not a valid phone number${where}` };
  }
  return { ok: true, e164: number.number };
}

/** The country calling code of an E.164 number ("49" for +49...), for masking. */
export function callingCodeOf(e164: string): string | undefined {
  try {
    return parsePhoneNumberWithError(e164).countryCallingCode;
  } catch {
    return undefined;
  }
}
