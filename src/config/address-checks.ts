// Config checks for addresses, shared by every section that binds a socket
// or names the networks allowed to talk to one.

import { isIP } from 'node:net';
import { hasHostBits, networkText, parseCidr, type Cidr } from '../net/cidr.ts';
import { INVALID, str, type Check } from './schema.ts';

/** A single IPv4 or IPv6 address (where to listen). */
export const ipAddress: Check<string> = (node, ctx, path) => {
  const v = str({ nonEmpty: true })(node, ctx, path);
  if (v === INVALID) return v;
  if (isIP(v) === 0) {
    ctx.error(node, path, `expected an IPv4 or IPv6 address, got "${v}"`);
    return INVALID;
  }
  return v;
};

/** An address or a network in CIDR notation (who may send). */
export const network: Check<Cidr> = (node, ctx, path) => {
  const v = str({ nonEmpty: true })(node, ctx, path);
  if (v === INVALID) return v;
  let cidr: Cidr;
  try {
    cidr = parseCidr(v);
  } catch (e) {
    ctx.error(node, path, `expected an IP address or network (CIDR), ${(e as Error).message}`);
    return INVALID;
  }
  // 10.1.2.3/8 is either a typo in the prefix or a network written with a host's address: which one, only the admin knows.
  if (hasHostBits(v)) {
    ctx.error(node, path, `${v} has host bits set: did you mean ${networkText(cidr)}? (or ${v.slice(0, v.indexOf('/'))} alone for that one address)`);
    return INVALID;
  }
  return cidr;
};
