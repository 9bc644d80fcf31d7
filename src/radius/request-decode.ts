// Raw Access-Request -> the AccessRequest the handler sees.

import type { NasClient } from './clients.ts';
import { decodeAttributes } from './codec.ts';
import { ATTR, firstAttribute, type RawPacket } from './packet.ts';
import type { AccessRequest, NasInfo } from '../model/access-request.ts';

function text(packet: RawPacket, type: number): string | undefined {
  const a = firstAttribute(packet, type);
  return a ? a.value.toString('utf8') : undefined;
}

function ipv4(packet: RawPacket, type: number): string | undefined {
  const a = firstAttribute(packet, type);
  if (!a || a.value.length !== 4) return undefined;
  const v = a.value;
  return `${v[0]}.${v[1]}.${v[2]}.${v[3]}`;
}

function ipv6(packet: RawPacket, type: number): string | undefined {
  const a = firstAttribute(packet, type);
  if (!a || a.value.length !== 16) return undefined;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(a.value.readUInt16BE(i).toString(16));
  return groups.join(':');
}

export function decodeAccessRequest(packet: RawPacket, client: NasClient, sourceAddress: string, password: string | undefined): AccessRequest {
  const nasIp = ipv4(packet, ATTR.NasIpAddress);
  const nasIp6 = ipv6(packet, ATTR.NasIpv6Address);
  const nasId = text(packet, ATTR.NasIdentifier);
  const portTypeAttr = firstAttribute(packet, ATTR.NasPortType);
  const portType = portTypeAttr ? decodeAttributes([portTypeAttr])['NAS-Port-Type'] : undefined;
  const nas: NasInfo = {
    client: client.name,
    address: sourceAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, ''),
    ...(client.realm !== undefined ? { realm: client.realm } : {}),
    ...(nasIp !== undefined ? { ipAddress: nasIp } : {}),
    ...(nasIp6 !== undefined ? { ipv6Address: nasIp6 } : {}),
    ...(nasId !== undefined ? { identifier: nasId } : {}),
    ...(typeof portType === 'string' || typeof portType === 'number' ? { portType } : {}),
  };
  const state = firstAttribute(packet, ATTR.State)?.value;
  const calling = text(packet, ATTR.CallingStationId);
  const called = text(packet, ATTR.CalledStationId);
  // The record of every attribute is made when first read: a login needs
  // none of it, and decoding them all through the dictionaries for each
  // request cost ~4% of a worker's CPU at 8,000 accepts/s.
  let attributes: Record<string, unknown> | undefined;
  return {
    userName: text(packet, ATTR.UserName) ?? '',
    ...(password !== undefined ? { password } : {}),
    ...(state !== undefined ? { state: Buffer.from(state) } : {}),
    nas,
    ...(calling !== undefined ? { callingStationId: calling } : {}),
    ...(called !== undefined ? { calledStationId: called } : {}),
    ...(firstAttribute(packet, ATTR.ChapPassword) ? { chap: true } : {}),
    ...(firstAttribute(packet, ATTR.EapMessage) ? { eap: true } : {}),
    get attributes() {
      return (attributes ??= decodeAttributes(packet.attributes));
    },
  };
}
