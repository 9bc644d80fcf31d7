// PEAPv0 phase 2 with EAP-GTC (draft-josefsson-pppext-eap-tls-eap, MS-PEAP):
// inner EAP packets travel without their four-byte header, except the
// Extensions packets (type 33) that carry the Result TLV. We ask the inner
// identity, then a GTC response (RFC 3748 section 5.6), whose text is the
// password for the inner handler; the Result TLV tells the peer the outcome
// inside the tunnel, and its answer to it leads to the outer
// EAP-Success/Failure. A peer that refuses GTC (a Nak, typically for
// MSCHAPv2) gets a failure with the reason.

import type { Decision } from '../model/decision.ts';
import { innerOutcome, refusedInnerEap, resumedDecision } from './inner-reasons.ts';
import { EAP_CODE, EAP_TYPE, encodeEap, nakTypes, parseEap, typeName } from './packet.ts';
import { innerPassword, innerText, type Phase2, type Phase2Input, type Phase2Step } from './phase2.ts';

const MAX_NAME = 253;
const MAX_PASSWORD = 253;
/** The text a GTC request shows; supplicants that prompt show it next to the field. */
const GTC_PROMPT = Buffer.from('Password', 'utf8');

/** Result TLV (MS-PEAP 2.2.8.1): mandatory bit with type 3, length 2, status. */
const RESULT_TLV = 3;
const RESULT_SUCCESS = 1;
const RESULT_FAILURE = 2;

type State = 'tunnel' | 'identity' | 'gtc' | 'result';

/** An inner request without its header (PEAPv0 strips it). */
function bareRequest(type: number, data: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([Buffer.from([type]), data]);
}

/** The Extensions request with a Result TLV: a whole EAP packet, header and all. */
export function resultRequest(identifier: number, success: boolean): Buffer {
  const tlv = Buffer.from([0x80, RESULT_TLV, 0x00, 0x02, 0x00, success ? RESULT_SUCCESS : RESULT_FAILURE]);
  return encodeEap(EAP_CODE.Request, identifier, EAP_TYPE.Extensions, tlv);
}

/** The status in the peer's Result TLV, if its Extensions response carries one. */
export function resultStatus(tlvs: Buffer): number | undefined {
  for (let off = 0; off + 4 <= tlvs.length; ) {
    const type = tlvs.readUInt16BE(off) & 0x3fff;
    const length = tlvs.readUInt16BE(off + 2);
    if (off + 4 + length > tlvs.length) return undefined;
    if (type === RESULT_TLV && length >= 2) return tlvs.readUInt16BE(off + 4);
    off += 4 + length;
  }
  return undefined;
}

export class PeapPhase2 implements Phase2 {
  private state: State = 'tunnel';
  private innerIdentity: string | undefined;
  /** What the Result TLV we sent stands for. */
  private verdict: { decision: Decision; ok: true } | { reason: string; decision?: Decision; ok: false } | undefined;

  async step(input: Phase2Input): Promise<Phase2Step> {
    switch (this.state) {
      case 'tunnel':
        // The end of the handshake (and TLS 1.3 tickets) goes out alone; phase 2 starts once the peer has it.
        if (input.pendingOutput) return { kind: 'send' };
        if (input.resumedLogin) {
          this.innerIdentity = input.resumedLogin.innerIdentity;
          return this.result(input.identifier, { ok: true, decision: resumedDecision(input.resumedLogin) });
        }
        this.state = 'identity';
        return { kind: 'send', plain: bareRequest(EAP_TYPE.Identity) };
      case 'identity':
        return this.onIdentity(input);
      case 'gtc':
        return this.onGtc(input);
      case 'result':
        return this.onResult(input);
    }
  }

  private onIdentity(input: Phase2Input): Phase2Step {
    const type = input.appData[0];
    if (type === undefined) return { kind: 'failure', reason: 'the peer sent no inner identity' };
    if (type !== EAP_TYPE.Identity) return { kind: 'failure', reason: `expected the inner identity, got ${typeName(type)}` };
    const name = innerText(input.appData.subarray(1), 'inner identity', MAX_NAME);
    if (typeof name !== 'string') return { kind: 'failure', reason: name.error };
    this.innerIdentity = name;
    this.state = 'gtc';
    return { kind: 'send', plain: bareRequest(EAP_TYPE.Gtc, GTC_PROMPT) };
  }

  private async onGtc(input: Phase2Input): Promise<Phase2Step> {
    const type = input.appData[0];
    const identity = this.innerIdentity!;
    if (type === EAP_TYPE.Nak) {
      const reason = refusedInnerEap(nakTypes({ code: EAP_CODE.Response, identifier: 0, data: input.appData.subarray(1) }));
      return this.result(input.identifier, { ok: false, reason });
    }
    if (type !== EAP_TYPE.Gtc) return this.result(input.identifier, { ok: false, reason: `expected an EAP-GTC response, got ${type === undefined ? 'nothing' : typeName(type)}` });
    const password = innerPassword(input.appData.subarray(1), 'GTC response', MAX_PASSWORD);
    if ('error' in password) return this.result(input.identifier, { ok: false, reason: password.error });
    const decision = await input.inner({ userName: identity, password });
    const outcome = innerOutcome(decision);
    return this.result(input.identifier, outcome.ok ? { ok: true, decision } : { ok: false, reason: outcome.reason, decision });
  }

  private onResult(input: Phase2Input): Phase2Step {
    const verdict = this.verdict!;
    const identity = this.innerIdentity;
    const who = identity !== undefined ? { innerIdentity: identity } : {};
    if (!verdict.ok) return { kind: 'failure', reason: verdict.reason, ...(verdict.decision ? { decision: verdict.decision } : {}), ...who };
    const packet = parseEap(input.appData);
    if (typeof packet === 'string' || packet.code !== EAP_CODE.Response || packet.type !== EAP_TYPE.Extensions) {
      return { kind: 'failure', reason: 'the peer did not answer the Result TLV', decision: verdict.decision, ...who };
    }
    const status = resultStatus(packet.data);
    if (status !== RESULT_SUCCESS)
      return { kind: 'failure', reason: `the peer answered the Result TLV with ${status === RESULT_FAILURE ? 'failure' : 'no result'}`, decision: verdict.decision, ...who };
    return { kind: 'success', decision: verdict.decision, innerIdentity: identity! };
  }

  private result(identifier: number, verdict: NonNullable<PeapPhase2['verdict']>): Phase2Step {
    this.verdict = verdict;
    this.state = 'result';
    return { kind: 'send', plain: resultRequest(identifier, verdict.ok) };
  }
}
