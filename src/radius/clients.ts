// The NAS client table: source address -> client (secret, policy, realm).
// The most specific network wins, as in FreeRADIUS, so a /32 for one
// firewall can override the /24 of its site.

import { cidrContains, sourceAddressBytes } from '../net/cidr.ts';
import type { ClientConfig } from '../config/config.ts';

export class ClientTable {
  private readonly clients: ClientConfig[];

  constructor(clients: ClientConfig[]) {
    this.clients = [...clients].sort((a, b) => b.network.prefix - a.network.prefix);
  }

  get size(): number {
    return this.clients.length;
  }

  lookup(address: string): ClientConfig | undefined {
    const bytes = sourceAddressBytes(address);
    if (!bytes) return undefined;
    return this.clients.find((c) => cidrContains(c.network, bytes));
  }
}
