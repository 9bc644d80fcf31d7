// The NAS client table: source address -> client (secret, policy, realm).
// The most specific network wins, as in FreeRADIUS, so a /32 for one
// firewall can override the /24 of its site.

import { cidrContains, sourceAddressBytes, type Cidr } from '../net/cidr.ts';

/** true: always required; false: checked when present; auto: required once the client has sent one (FreeRADIUS's auto). */
export type MessageAuthenticatorPolicy = true | false | 'auto';

/** What the request pipeline needs of a client, whichever transport its requests arrive by. */
export interface ClientPolicy {
  name: string;
  /** The shared secret; RadSec's fixed one for a client over TLS. */
  secret: string;
  requireMessageAuthenticator: MessageAuthenticatorPolicy;
  /** Realm for users of this NAS who give none. */
  realm?: string;
}

/** A NAS allowed to ask over UDP: where it sends from, the secret it shares with us, and what we require of it. */
export interface NasClient extends ClientPolicy {
  network: Cidr;
}

export class ClientTable {
  private readonly clients: NasClient[];

  constructor(clients: NasClient[]) {
    this.clients = [...clients].sort((a, b) => b.network.prefix - a.network.prefix);
  }

  get size(): number {
    return this.clients.length;
  }

  lookup(address: string): NasClient | undefined {
    const bytes = sourceAddressBytes(address);
    if (!bytes) return undefined;
    return this.clients.find((c) => cidrContains(c.network, bytes));
  }
}
