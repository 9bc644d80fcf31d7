// `import freeradius-clients`: clients.conf blocks to our clients: YAML,
// which the config loader then accepts; what cannot be converted is named
// by line.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/load.ts';
import type { ImportError } from '../../src/import/errors.ts';
import { convertClientsConf } from '../../src/import/freeradius-clients.ts';

const CLIENTS_CONF = `# -*- text -*-
client localhost {
	ipaddr = 127.0.0.1
	proto = *
	secret = testing123
	require_message_authenticator = no
	nas_type	 = other	# localhost isn't usually a NAS...
	limit {
		max_connections = 16
		lifetime = 0
		idle_timeout = 30
	}
}

client localhost_ipv6 {
	ipv6addr	= ::1
	secret		= "with spaces and a \\"quote\\""
}

client vpn {
	ipaddr = 192.0.2.0
	netmask = 24
	secret = 'single-quoted # not a comment'
	require_message_authenticator = yes
	shortname = vpn-gw
}

client 10.20.0.0/16 {
	secret = old-style-name
	require_message_authenticator = auto
}

client any {
	ipaddr = *
	secret = s3cret-for-everyone
}
`;

test('clients.conf blocks become clients: entries the config accepts', () => {
  const r = convertClientsConf(CLIENTS_CONF, 'clients.conf');
  assert.deepEqual(r.clients, [
    { name: 'localhost', address: '127.0.0.1', secret: 'testing123', requireMessageAuthenticator: false },
    { name: 'localhost_ipv6', address: '::1', secret: 'with spaces and a "quote"', requireMessageAuthenticator: 'auto' },
    { name: 'vpn-gw', address: '192.0.2.0/24', secret: 'single-quoted # not a comment', requireMessageAuthenticator: true },
    { name: '10.20.0.0-16', address: '10.20.0.0/16', secret: 'old-style-name', requireMessageAuthenticator: 'auto' },
    { name: 'any', address: '0.0.0.0/0', secret: 's3cret-for-everyone', requireMessageAuthenticator: 'auto' },
  ]);
  assert.deepEqual(r.notes, [
    'clients.conf:4: client localhost: proto is not converted',
    'clients.conf:7: client localhost: nas_type is not converted',
    'clients.conf:8: client localhost: section "limit" is not converted',
    'clients.conf:28: client 10.20.0.0/16: name "10.20.0.0/16" written as "10.20.0.0-16"',
  ]);
  assert.match(r.yaml, /^# NAS clients converted from clients\.conf by otp-radius import freeradius-clients\nclients:\n {2}- name: localhost\n/);
  const loaded = parseConfig(r.yaml, 'converted.yaml', {});
  assert.deepEqual(
    loaded.config.clients.map((c) => [c.name, c.network.text, c.secret, c.requireMessageAuthenticator]),
    r.clients.map((c) => [c.name, c.address, c.secret, c.requireMessageAuthenticator]),
  );
});

test('a network written with host bits set becomes the network FreeRADIUS used, with a note', () => {
  const r = convertClientsConf(
    'client lab {\n\tipaddr = 10.1.2.3/8\n\tsecret = a-long-enough-lab-secret\n}\nclient v6 {\n\tipv6addr = 2001:db8::5\n\tnetmask = 64\n\tsecret = another-long-secret\n}\n',
    'clients.conf',
  );
  assert.deepEqual(
    r.clients.map((c) => c.address),
    ['10.0.0.0/8', '2001:db8::/64'],
  );
  assert.deepEqual(r.notes, [
    'clients.conf:2: client lab: 10.1.2.3/8 has host bits set, written as 10.0.0.0/8',
    'clients.conf:6: client v6: 2001:db8::5/64 has host bits set, written as 2001:db8::/64',
  ]);
  assert.equal(parseConfig(r.yaml, 'converted.yaml', {}).config.clients.length, 2);
});

test('what cannot be converted is reported by line, and nothing is printed', () => {
  const bad = `client a {
	ipaddr = radius.example.org
	secret = x
}
client b {
	ipaddr = 192.0.2.1
}
client c {
	ipaddr = 192.0.2.0/24
	netmask = 24
	secret = y
}
client d {
	ipaddr = 192.0.2.1
	ipv6addr = ::1
	secret = z
}
client e {
	ipaddr = 192.0.2.1
	secret = \${secret}
}
$INCLUDE clients.d/
client f {
	ipaddr = 192.0.2.7
	require_message_authenticator = auto
	secret = w
}
client g {
	ipaddr = 192.0.2.7
	secret = v
}
server inner {
	client h { ipaddr = 192.0.2.9 secret = u }
}
client i {
	ipaddr = 192.0.2.1
	secret = "unterminated
}`;
  assert.throws(
    () => convertClientsConf(bad, 'c.conf'),
    (err: ImportError) => {
      assert.deepEqual(err.problems, [
        'c.conf:2: client a: ipaddr: "radius.example.org" is not an IPv4 or IPv6 address (host names are not resolved here; give the address)',
        'c.conf:5: client b: no secret',
        'c.conf:10: client c: netmask together with a /prefix in the address',
        'c.conf:15: client d: give one of ipaddr, ipv4addr, ipv6addr, not ipaddr and ipv6addr',
        'c.conf:20: client e: secret: FreeRADIUS variables (${...}) are not expanded here; write the value itself',
        'c.conf:22: $INCLUDE is not followed; convert that file separately',
        'c.conf:28: client g: 192.0.2.7 is already the address of client f',
        'c.conf:32: section "server" is not a client',
        'c.conf:37: a quoted string is not closed on its line',
      ]);
      return true;
    },
  );
  assert.throws(() => convertClientsConf('client a {\n ipaddr = 192.0.2.1\n', 'u.conf'), /u\.conf:1: client a: not closed with "}"/);
  assert.throws(
    () => convertClientsConf('client m {\n ipaddr = 192.0.2.1\n secret = x\n require_message_authenticator = maybe\n}\n', 'm.conf'),
    /^ImportError: m\.conf:4: client m: require_message_authenticator: expected yes, no or auto, got "maybe"$/,
  );
  assert.throws(() => convertClientsConf('# nothing\n', 'n.conf'), /n\.conf: no client blocks/);
  assert.throws(() => convertClientsConf('= x\n', 'e.conf'), /e\.conf:1: expected "client NAME \{", got "="/);
});
