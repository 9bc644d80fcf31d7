// Raw Access-Request -> the AccessRequest the handler sees: only what
// authentication and its audit event read.

import type { AccessRequest, NasInfo } from '../model/access-request.ts';
import type { ClientPolicy } from './clients.ts';
import { ATTR, firstAttribute, type RawPacket } from './packet.ts';

function text(packet: RawPacket, type: number): string | undefined {
  const a = firstAttribute(packet, type);
  return a ? a.value.toString('utf8') : undefined;
}

export function decodeAccessRequest(packet: RawPacket, client: ClientPolicy, sourceAddress: string, password: Buffer | undefined): AccessRequest {
  const nasId = text(packet, ATTR.NasIdentifier);
  const nas: NasInfo = {
    client: client.name,
    address: sourceAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, ''),
    ...(client.realm !== undefined ? { realm: client.realm } : {}),
    ...(nasId !== undefined ? { identifier: nasId } : {}),
  };
  const state = firstAttribute(packet, ATTR.State)?.value;
  const calling = text(packet, ATTR.CallingStationId);
  return {
    userName: text(packet, ATTR.UserName) ?? '',
    ...(password !== undefined ? { password } : {}),
    ...(state !== undefined ? { state: Buffer.from(state) } : {}),
    nas,
    ...(calling !== undefined ? { callingStationId: calling } : {}),
    ...(firstAttribute(packet, ATTR.ChapPassword) ? { chap: true } : {}),
    ...(firstAttribute(packet, ATTR.EapMessage) ? { eap: true } : {}),
  };
}
