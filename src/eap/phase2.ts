// What a tunnel method (TTLS, PEAP) does once the TLS handshake is done:
// read the peer's decrypted data of a round, and say what to send next or
// how the conversation ends. The inner credentials go to the same handler
// as PAP's.

import type { Decision } from '../model/decision.ts';
import type { ResumableLogin } from './session-cache.ts';

export interface InnerCredentials {
  userName: string;
  /** Bytes, as a PAP User-Password is: compared as bytes. */
  password: Buffer;
}

/** Checks inner credentials the way a PAP Access-Request is checked. */
export type InnerHandler = (credentials: InnerCredentials) => Promise<Decision>;

export interface Phase2Input {
  /** Decrypted bytes the peer sent this round (may be empty: an acknowledgement). */
  appData: Buffer;
  /** TLS records of ours still to go out (the end of the handshake, session tickets). */
  pendingOutput: boolean;
  /** The earlier login of a resumed session; undefined on a full handshake. */
  resumedLogin?: ResumableLogin;
  /** The outer EAP identifier of the request we are about to send (PEAP puts it on its inner packets). */
  identifier: number;
  inner: InnerHandler;
}

export type Phase2Step =
  /** Send `plain` through the tunnel (with any pending TLS records); nothing to write still sends the pending records or an empty request. */
  { kind: 'send'; plain?: Buffer } | { kind: 'success'; decision: Decision; innerIdentity: string } | { kind: 'failure'; reason: string; decision?: Decision; innerIdentity?: string };

export interface Phase2 {
  step(input: Phase2Input): Promise<Phase2Step>;
}

/** An inner password: any bytes, as PAP's User-Password, but not none and RADIUS-sized. */
export function innerPassword(bytes: Buffer, what: string, max: number): Buffer | { error: string } {
  if (bytes.length === 0) return { error: `empty ${what}` };
  if (bytes.length > max) return { error: `${what} of ${bytes.length} bytes is longer than ${max}` };
  return Buffer.from(bytes);
}

/** Inner identities are text: UTF-8, no control characters, RADIUS-sized. */
export function innerText(bytes: Buffer, what: string, max: number): string | { error: string } {
  if (bytes.length === 0) return { error: `empty ${what}` };
  if (bytes.length > max) return { error: `${what} of ${bytes.length} bytes is longer than ${max}` };
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the C0 controls and DEL are exactly what an identity must not contain.
  if (text.includes('\uFFFD') || /[\u0000-\u001f\u007f]/.test(text)) return { error: `${what} is not printable UTF-8 text` };
  return text;
}
