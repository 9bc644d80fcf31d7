// EAP over the RADIUS listener: joins the EAP-Message attributes, runs the
// EAP service, and encodes its outcome: EAP-Message split over attributes,
// our State on a challenge, on an accept the reply attributes of the inner
// decision and the MSK, which the listener sends as MS-MPPE keys the way its
// transport carries them. Inner logins reach the same handler as PAP with the outer request's NAS, Calling-Station-Id and the
// rest, only User-Name and User-Password taken from inside the tunnel.

import type { Decision } from '../model/decision.ts';
import type { AccessHandler, AccessRequest } from '../model/access-request.ts';
import type { EapAnswer, EapHook } from '../radius/eap-hook.ts';
import { ATTR, CODE, findAttributes, firstAttribute, rawAttribute, type RawPacket } from '../radius/packet.ts';
import { decisionAttributes, replyProblem } from '../radius/reply.ts';
import { joinEapMessage, splitEapMessage } from './eap-message.ts';
import type { InnerCredentials } from './phase2.ts';
import type { EapOutcome, EapService } from './service.ts';

const FRAMED_MTU = 12;

export interface EapHookOptions {
  /** Records a resumed login, which skips the inner handler (and so its audit). */
  auditResumed?: (request: AccessRequest, decision: Decision) => void;
}

/** The outer request with the tunnel's credentials: the NAS and the station id stay the outer ones. */
export function innerRequest(outer: AccessRequest, credentials: InnerCredentials | { userName: string }, packet?: RawPacket): AccessRequest {
  return {
    userName: credentials.userName,
    ...('password' in credentials ? { password: credentials.password } : {}),
    nas: outer.nas,
    ...(outer.callingStationId !== undefined ? { callingStationId: outer.callingStationId } : {}),
    // The inner accept goes out with EAP-Success and the MPPE keys beside its own attributes.
    ...(packet ? { unsendable: (decision: Decision) => replyProblem(packet, decision, EAP_ACCEPT_EXTRA_BYTES) } : {}),
  };
}

/** EAP-Message with EAP-Success (2 + 4 bytes) and two MS-MPPE key VSAs (2 + 4 + 2 + 50 bytes each). */
const EAP_ACCEPT_EXTRA_BYTES = 6 + 2 * 58;

function framedMtu(packet: RawPacket): number | undefined {
  const a = firstAttribute(packet, FRAMED_MTU);
  return a && a.value.length === 4 ? a.value.readUInt32BE(0) : undefined;
}

function eapAttributes(eapMessage: Buffer): Buffer[] {
  return splitEapMessage(eapMessage).map((piece) => rawAttribute(ATTR.EapMessage, piece));
}

export function createEapHook(service: EapService, handler: AccessHandler, options: EapHookOptions = {}): EapHook {
  return async (packet, request, client) => {
    const eapMessage = joinEapMessage(findAttributes(packet, ATTR.EapMessage).map((a) => a.value));
    const mtu = framedMtu(packet);
    const outcome: EapOutcome = await service.handle(
      {
        eapMessage,
        ...(request.state ? { state: request.state } : {}),
        userName: request.userName,
        ...(mtu !== undefined ? { framedMtu: mtu } : {}),
        client: client.name,
        source: request.nas.address,
        ...(request.callingStationId !== undefined ? { callingStationId: request.callingStationId } : {}),
      },
      (credentials) => handler(innerRequest(request, credentials, packet)),
    );
    switch (outcome.kind) {
      case 'ignore':
        return undefined;
      case 'challenge':
        return {
          code: CODE.AccessChallenge,
          attributes: [...eapAttributes(outcome.eapMessage), rawAttribute(ATTR.State, outcome.state)],
          decision: { decision: 'challenge', reason: 'eap' },
        } satisfies EapAnswer;
      case 'accept':
        if (outcome.resumed) options.auditResumed?.(innerRequest(request, { userName: outcome.innerIdentity }), outcome.decision);
        return {
          code: CODE.AccessAccept,
          attributes: [...decisionAttributes(outcome.decision), ...eapAttributes(outcome.eapMessage)],
          decision: outcome.decision,
          msk: outcome.msk,
        };
      case 'reject': {
        const decision: Decision = outcome.decision ? { ...outcome.decision, decision: 'reject', reason: outcome.reason } : { decision: 'reject', reason: outcome.reason };
        const message = outcome.decision?.decision === 'reject' ? outcome.decision.replyMessage : undefined;
        return {
          code: CODE.AccessReject,
          attributes: [...(message ? decisionAttributes({ decision: 'reject', reason: outcome.reason, replyMessage: message }) : []), ...eapAttributes(outcome.eapMessage)],
          decision,
        };
      }
    }
  };
}
