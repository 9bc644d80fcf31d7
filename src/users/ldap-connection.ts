// One LDAP connection: TCP or TLS, StartTLS when asked, an optional bind,
// all inside a deadline. ldapts waits forever unless told otherwise and, after
// StartTLS, does not notice the server closing the connection; so we hand it
// our own socket factories and watch every socket it opens: any close marks
// the connection dead, and destroy() ends the sockets themselves.

import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { Client, ResultCodeError } from 'ldapts';
import { withDeadline } from './deadline.ts';

/** LDAP result codes that mean "this server cannot serve now, try another". */
const SERVER_TROUBLE = new Set([51 /* busy */, 52 /* unavailable */]);

/** True when the error is an LDAP result (the server answered), not a transport failure or a busy server. */
export function isServerAnswer(err: unknown): err is ResultCodeError {
  return err instanceof ResultCodeError && !SERVER_TROUBLE.has(err.code);
}

/** The LDAP result code of an error, when it is one. */
export function resultCode(err: unknown): number | undefined {
  return err instanceof ResultCodeError ? err.code : undefined;
}

export interface TlsSettings {
  ca: Buffer | undefined;
  tlsVerify: boolean;
}

export interface ConnectOptions extends TlsSettings {
  startTls: boolean;
  /** Per-operation timeout given to ldapts. */
  timeoutMs: number;
  connectTimeoutMs: number;
}

export class LdapConnection {
  readonly uri: string;
  readonly client: Client;
  /** Operations running on this connection now. */
  inflight = 0;
  lastUsed = Date.now();
  readonly #sockets: Socket[] = [];
  #dead = false;

  constructor(uri: string, options: ConnectOptions) {
    this.uri = uri;
    const host = new URL(uri).hostname.replace(/^\[|\]$/g, '');
    const secure = uri.toLowerCase().startsWith('ldaps:');
    const track = <S extends Socket>(socket: S): S => {
      this.#sockets.push(socket);
      socket.once('close', () => {
        this.#dead = true;
      });
      return socket;
    };
    // ldapts turns plain ldap:// into TLS when tlsOptions is set, so only ldaps:// gets them here.
    this.client = new Client({
      url: uri,
      timeout: options.timeoutMs,
      connectTimeout: options.connectTimeoutMs,
      ...(secure ? { tlsOptions: tlsOptions(host, options) } : {}),
      createConnection: ((...args: Parameters<typeof netConnect>) => track(netConnect(...args))) as typeof netConnect,
      createSecureConnection: ((...args: Parameters<typeof tlsConnect>) => track(tlsConnect(...args))) as typeof tlsConnect,
    });
  }

  get alive(): boolean {
    return !this.#dead;
  }

  /** Ends the connection at once; pending operations fail. */
  destroy(): void {
    this.#dead = true;
    for (const s of this.#sockets) s.destroy();
  }

  /** Unbinds politely (for at most a second), then destroys. */
  async close(): Promise<void> {
    if (!this.#dead) await withDeadline(this.client.unbind(), 1000, 'unbind', () => undefined).catch(() => undefined);
    this.destroy();
  }
}

function tlsOptions(host: string, o: TlsSettings): ConnectionOptions {
  return {
    ...(o.ca ? { ca: o.ca } : {}),
    rejectUnauthorized: o.tlsVerify,
    host,
    // SNI carries host names only (RFC 6066).
    ...(isIP(host) === 0 ? { servername: host } : {}),
  };
}

/**
 * Connects to `uri`, upgrades with StartTLS when asked, and binds when `bind`
 * is given, all within connectTimeoutMs (and `deadlineMs`). The caller owns the connection. Throws
 * the transport or LDAP error (InvalidCredentialsError for a refused bind).
 */
export async function openConnection(uri: string, options: ConnectOptions, bind: { dn: string; password: string } | undefined, deadlineMs: number): Promise<LdapConnection> {
  // A server that accepts TCP and then says nothing must cost connectTimeout, not the whole budget, so the next URI gets its turn.
  const limitMs = Math.max(1, Math.min(options.connectTimeoutMs, deadlineMs));
  const conn = new LdapConnection(uri, { ...options, connectTimeoutMs: limitMs });
  const host = new URL(uri).hostname.replace(/^\[|\]$/g, '');
  const steps = async (): Promise<void> => {
    if (options.startTls) await conn.client.startTLS(tlsOptions(host, options));
    if (bind) await conn.client.bind(bind.dn, bind.password);
    // Anonymous: nothing has connected the socket yet; do it now so a dead server shows here.
    else if (!options.startTls)
      await conn.client.exop('1.3.6.1.4.1.4203.1.11.3').catch((e: unknown) => {
        // "Who am I?" is optional; any LDAP answer proves the server is there.
        if (!isServerAnswer(e)) throw e;
      });
  };
  try {
    await withDeadline(steps(), limitMs, `connecting to ${uri}`, () => conn.destroy());
  } catch (err) {
    conn.destroy();
    throw err;
  }
  return conn;
}
