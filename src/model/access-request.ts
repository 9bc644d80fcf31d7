// An authentication request as the service sees it: the RADIUS listener,
// the HTTP validate API and the CLI's check command all build one.

import type { Decision } from './decision.ts';

export interface NasInfo {
  /** Name of the matching NAS client from the config. */
  client: string;
  /** Source address of the packet (the NAS as we see it). */
  address: string;
  /** Default realm of this NAS client, if configured. */
  realm?: string;
  /** NAS-Identifier, for the audit log. */
  identifier?: string;
}

export interface AccessRequest {
  /** Ties a request's log lines together (the front end's name for it, e.g. source, port and Identifier). */
  id?: string;
  /** User-Name as sent by the NAS (may carry @realm or DOMAIN\). */
  userName: string;
  /**
   * Decrypted User-Password as bytes, compared as bytes: a NAS may send any
   * encoding, and one that is not the PIN's cannot match it. Undefined when
   * the request had none.
   */
  password?: Buffer;
  /** A realm named apart from the user name (the HTTP API's `realm`); wins over user@realm and the NAS realm. */
  realm?: string;
  /** Only this token of the user is tried (the HTTP API's `serial`, as in LinOTP). */
  serial?: string;
  /** State attribute of a challenge answer. */
  state?: Buffer;
  nas: NasInfo;
  callingStationId?: string;
  /** The NAS sent CHAP-Password: no cleartext to split into PIN and OTP. */
  chap?: boolean;
  /** The NAS sent EAP-Message: EAP is not served here. */
  eap?: boolean;
  /**
   * Why this decision could not be sent as the answer (too large for the
   * front end), or undefined when it can: asked before an OTP is used up or
   * a challenge stored. Front ends without a size limit leave it out.
   */
  unsendable?: (decision: Decision) => string | undefined;
}

export type AccessHandler = (request: AccessRequest) => Promise<Decision>;
