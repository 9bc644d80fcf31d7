// EAP-TTLS phase 2 with PAP (RFC 5281 sections 9.2.2 and 11.2.5): the peer
// sends User-Name and User-Password AVPs in the tunnel; the password goes to
// the inner handler. Other inner methods are refused with the reason. The
// inner User-Name decides; the outer (often anonymous) identity stands in
// only when the peer sends none.

import { AVP_CODE, MICROSOFT_VENDOR, parseAvps, unpadPassword, type Avp } from './diameter.ts';
import { innerOutcome, NT_HASH_WHY, resumedDecision } from './inner-reasons.ts';
import { innerPassword, innerText, type Phase2, type Phase2Input, type Phase2Step } from './phase2.ts';

/** RADIUS's limits for User-Name and User-Password text. */
const MAX_NAME = 253;
const MAX_PASSWORD = 253;

const KNOWN = new Set<number>([AVP_CODE.UserName, AVP_CODE.UserPassword, AVP_CODE.ChapPassword, AVP_CODE.ChapChallenge, AVP_CODE.EapMessage]);

function refusal(avps: Avp[]): string | undefined {
  if (avps.some((a) => a.vendorId === MICROSOFT_VENDOR)) return `inner MS-CHAP refused: ${NT_HASH_WHY}`;
  const standard = (code: number) => avps.some((a) => a.vendorId === undefined && a.code === code);
  if (standard(AVP_CODE.EapMessage)) return 'inner EAP refused: configure the supplicant for EAP-TTLS with PAP (phase 2 "PAP")';
  if (standard(AVP_CODE.ChapPassword)) return 'inner CHAP refused: it hides the password from us, so the OTP cannot be checked; configure PAP';
  const unknown = avps.find((a) => a.mandatory && (a.vendorId !== undefined || !KNOWN.has(a.code)));
  if (unknown) return `mandatory AVP ${unknown.vendorId !== undefined ? `${unknown.vendorId}:` : ''}${unknown.code} is not supported`;
  return undefined;
}

export class TtlsPhase2 implements Phase2 {
  private readonly outerIdentity: string;

  constructor(outerIdentity: string) {
    this.outerIdentity = outerIdentity;
  }

  async step(input: Phase2Input): Promise<Phase2Step> {
    if (input.resumedLogin) {
      // The pending records (TLS 1.3 session tickets) go first; the peer acknowledges, then it is over.
      if (input.pendingOutput) return { kind: 'send' };
      return { kind: 'success', decision: resumedDecision(input.resumedLogin), innerIdentity: input.resumedLogin.innerIdentity };
    }
    // No AVPs yet: our last handshake records go out, or an empty request tells the peer to start phase 2.
    if (input.appData.length === 0) return { kind: 'send' };

    const avps = parseAvps(input.appData);
    if (typeof avps === 'string') return { kind: 'failure', reason: `bad TTLS data: ${avps}` };
    const refused = refusal(avps);
    if (refused) return { kind: 'failure', reason: refused };
    const password = avps.find((a) => a.vendorId === undefined && a.code === AVP_CODE.UserPassword);
    if (!password) return { kind: 'failure', reason: 'no User-Password AVP in the tunnel' };
    const nameAvp = avps.find((a) => a.vendorId === undefined && a.code === AVP_CODE.UserName);
    const userName = nameAvp ? innerText(nameAvp.data, 'inner User-Name', MAX_NAME) : this.outerIdentity;
    if (typeof userName !== 'string') return { kind: 'failure', reason: userName.error };
    const secret = innerPassword(unpadPassword(password.data), 'inner User-Password', MAX_PASSWORD);
    if ('error' in secret) return { kind: 'failure', reason: secret.error, innerIdentity: userName };

    const decision = await input.inner({ userName, password: secret });
    const outcome = innerOutcome(decision);
    if (outcome.ok) return { kind: 'success', decision, innerIdentity: userName };
    return { kind: 'failure', reason: outcome.reason, decision, innerIdentity: userName };
  }
}
