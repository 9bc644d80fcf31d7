// The codec against FreeRADIUS itself: radclient (Debian's freeradius-utils)
// encodes an Access-Request with its own dictionaries and our codec must
// decode every value as sent; our Access-Accept carries attributes of the
// types the npm package cannot check (IPv6 addresses and prefixes, interface
// ids, dates, tags, VSAs), and radclient must print them as they were given.

import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, test } from 'node:test';
import type { ReplyAttribute } from '../../src/model/decision.ts';
import { decodeAttributes, encodeAttribute } from '../../src/radius/codec.ts';
import { CODE, parsePacket } from '../../src/radius/packet.ts';
import { encodeReply } from '../../src/radius/reply.ts';
import { radclient, SECRET } from '../helpers/radius.ts';

const REQUEST = [
  'User-Name = "alice"',
  'User-Password = "123456"',
  'Service-Type = Framed-User',
  'NAS-Port-Type = Virtual',
  'Framed-IP-Address = 192.0.2.7',
  'NAS-IPv6-Address = 2001:db8::5',
  'Framed-IPv6-Prefix = 2001:db8:1::/48',
  'Delegated-IPv6-Prefix = 2001:db8:2:100::/56',
  'Framed-Interface-Id = 0011:22ff:fe33:4455',
  'Event-Timestamp = 1895918400',
  'Tunnel-Type:1 = VLAN',
  'Tunnel-Private-Group-Id:2 = "42"',
  'Class = 0x0102ff',
  'Cisco-AVPair = "shell:priv-lvl=15"',
  'Cisco-AVPair = "ip:inacl#1=permit ip any any"',
].join('\n');

const DECODED: Record<string, unknown> = {
  'User-Name': 'alice',
  'Service-Type': 'Framed-User',
  'NAS-Port-Type': 'Virtual',
  'Framed-IP-Address': '192.0.2.7',
  'NAS-IPv6-Address': '2001:db8::5',
  'Framed-IPv6-Prefix': '2001:db8:1::/48',
  'Delegated-IPv6-Prefix': '2001:db8:2:100::/56',
  'Framed-Interface-Id': '11:22ff:fe33:4455',
  'Event-Timestamp': new Date(1895918400 * 1000),
  'Tunnel-Type:1': 'VLAN',
  'Tunnel-Private-Group-Id:2': '42',
  Class: Buffer.from('0102ff', 'hex'),
  'Cisco-AVPair': ['shell:priv-lvl=15', 'ip:inacl#1=permit ip any any'],
};

const REPLY: ReplyAttribute[] = [
  { name: 'Framed-IPv6-Prefix', value: '2001:db8:a::/64' },
  { name: 'Framed-IPv6-Address', value: '2001:DB8:A:0:0:0:0:1' },
  { name: 'Framed-Interface-Id', value: '0000:0000:0000:0001' },
  { name: 'Delegated-IPv6-Prefix', value: '2001:db8:b00::/40' },
  { name: 'Session-Timeout', value: '3600' },
  { name: 'Service-Type', value: 'administrative-user' },
  { name: 'Tunnel-Type:1', value: 'VLAN' },
  { name: 'Tunnel-Medium-Type:1', value: 'IEEE-802' },
  { name: 'Tunnel-Private-Group-Id:1', value: '42' },
  { name: 'MS-Primary-DNS-Server', value: '192.0.2.53' },
  { name: 'Fortinet-Group-Name', value: 'admins' },
  { name: 'Class', value: '0xcafe' },
];

const PRINTED = [
  'Framed-IPv6-Prefix = 2001:db8:a::/64',
  'Framed-IPv6-Address = 2001:db8:a::1',
  'Framed-Interface-Id = 0:0:0:1',
  'Delegated-IPv6-Prefix = 2001:db8:b00::/40',
  'Session-Timeout = 3600',
  'Service-Type = Administrative-User',
  'Tunnel-Type:1 = VLAN',
  'Tunnel-Medium-Type:1 = IEEE-802',
  'Tunnel-Private-Group-Id:1 = "42"',
  'MS-Primary-DNS-Server = 192.0.2.53',
  'Fortinet-Group-Name = "admins"',
  'Class = 0xcafe',
];

// A peer of our codec alone: it decodes what arrives and answers with the reply attributes encoded.
let peer: Socket;
let seen: Record<string, unknown> | undefined;

before(async () => {
  peer = createSocket('udp4');
  peer.on('message', (msg, rinfo) => {
    const packet = parsePacket(msg);
    if (typeof packet === 'string') return;
    seen = decodeAttributes(packet.attributes);
    const answer = encodeReply(
      packet,
      CODE.AccessAccept,
      REPLY.map((a) => encodeAttribute(a.name, a.value)),
      SECRET,
    );
    peer.send(answer, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
});
after(() => peer.close());

test('what radclient encodes, we decode; what we encode, radclient prints as given', async () => {
  const port = peer.address().port;
  const r = await radclient(['-x', '-r', '1', '-t', '3', `127.0.0.1:${port}`, 'auth', SECRET], REQUEST);
  const output = r.stdout + r.stderr;
  assert.match(output, /Received Access-Accept/, output);
  assert.ok(seen, 'the peer received nothing');
  const attributes = seen;
  for (const [name, value] of Object.entries(DECODED)) assert.deepEqual(attributes[name], value, name);
  assert.equal(attributes['User-Password'], undefined, 'the password is not among the logged attributes');
  const reply = output.slice(output.indexOf('Received Access-Accept'));
  for (const line of PRINTED) assert.ok(reply.includes(`\t${line}\n`) || reply.includes(`  ${line}\n`), `radclient did not print "${line}":\n${reply}`);
});
