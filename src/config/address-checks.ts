// Config checks for addresses, shared by every section that binds a socket
// or names the networks allowed to talk to one.

import { isIP } from 'node:net';
import { parseCidr, type Cidr } from '../net/cidr.ts';
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
  try {
    return parseCidr(v);
  } catch (e) {
    ctx.error(node, path, `expected an IP address or network (CIDR), ${(e as Error).message}`);
    return INVALID;
  }
};
