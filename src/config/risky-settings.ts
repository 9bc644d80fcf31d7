// Warnings for settings that are allowed but weaken authentication. Each
// names the key at fault (file:line) and what an attacker gains by it, so an
// admin who chose it knowingly can keep it and one who did not can see the
// risk before the first login. Logged at start and printed by `config check`.

import type { Node } from 'yaml';
import { addressBytes } from '../net/cidr.ts';
import type { NasClient } from '../radius/clients.ts';
import type { RadsecClient } from '../radius/radsec-clients.ts';
import type { AuthPolicy } from '../model/policy.ts';
import { nodeAt, type Ctx } from './schema.ts';

/** A client network wider than this many prefix bits admits more hosts than a site has NAS devices. */
export const WIDE_NETWORK_PREFIX = { ipv4: 16, ipv6: 48 } as const;

/** `clients` in the file's order; RadSec clients (identified by certificate) are passed by. */
export function warnRiskySettings(policy: AuthPolicy, clients: readonly (NasClient | RadsecClient)[], listenAddress: string, root: Node | undefined, ctx: Ctx): void {
  const at = (...path: (string | number)[]): Node | undefined => nodeAt(root, path);
  if (policy.passOnNoUser) {
    ctx.warn(at('policy', 'passOnNoUser'), 'policy.passOnNoUser', 'a user name no resolver knows is accepted with any password: anyone who can reach a NAS logs in, under any name');
  }
  if (policy.passOnNoToken) {
    ctx.warn(
      at('policy', 'passOnNoToken'),
      'policy.passOnNoToken',
      'a known user without a token is accepted with any password: deleting or never enrolling a token turns off every factor for that user',
    );
  }
  if (policy.otppin === 'none') {
    ctx.warn(at('policy', 'otppin'), 'policy.otppin', 'none: the OTP alone logs in, so whoever holds the token (a lost phone or key fob) logs in without a PIN or password');
  }
  if (policy.throttle === false) {
    ctx.warn(at('policy', 'throttle'), 'policy.throttle', 'false: wrong PINs and directory passwords are not slowed down, so a first factor can be guessed online as fast as a NAS forwards requests');
  }
  if (policy.lockout === 'linotp') {
    ctx.warn(
      at('policy', 'lockout'),
      'policy.lockout',
      "linotp: every failed login counts toward the token's max fail, a wrong PIN or a replay too, so anyone who knows a user name can lock that user out with a few wrong passwords",
    );
  }
  const listen = addressBytes(listenAddress);
  const listensV4Only = listen?.length === 4;
  // An IPv6 socket on :: takes IPv4 too (as mapped addresses); one on a single IPv6 address does not.
  const listensV6Only = listen?.length === 16 && !listen.every((b) => b === 0);
  clients.forEach((c, i) => {
    if ('certificate' in c) return;
    const v6 = c.network.bytes.length === 16;
    const limit = v6 ? WIDE_NETWORK_PREFIX.ipv6 : WIDE_NETWORK_PREFIX.ipv4;
    const where = at('clients', i, 'address');
    if (c.network.prefix < limit) {
      const hosts = v6 ? `2^${128 - c.network.prefix}` : String(2 ** (32 - c.network.prefix));
      ctx.warn(
        where,
        `clients[${i}].address`,
        `${c.network.text} admits ${hosts} addresses as NAS client ${c.name} (wider than /${limit}): any host there that learns the shared secret can ask for logins; list the NAS addresses instead`,
      );
    }
    if (v6 && listensV4Only) {
      ctx.warn(
        where,
        `clients[${i}].address`,
        `${c.network.text} is IPv6, but listen.address ${listenAddress} takes IPv4 only: client ${c.name} can never send a request here (listen on :: for both)`,
      );
    }
    if (!v6 && listensV6Only) {
      ctx.warn(
        where,
        `clients[${i}].address`,
        `${c.network.text} is IPv4, but listen.address ${listenAddress} takes IPv6 only: client ${c.name} can never send a request here (listen on :: for both)`,
      );
    }
  });
}
