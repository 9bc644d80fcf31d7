// The RadSec transport (RADIUS over TLS, RFC 6614): a TLS listener that
// asks every peer for a certificate our CA signed, finds the client entry
// the certificate (and address) matches, and hands the connection to a
// RadsecConnection. ALPN chooses RADIUS/1.1 (RFC 9765) when the client
// offers it and the config allows it. SIGHUP swaps the certificates and the
// client table; connections already open keep theirs.

import { constants } from 'node:crypto';
import { createServer, type SecureContextOptions, type Server, type TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { AccessHandler } from '../model/access-request.ts';
import type { EapHook } from './eap-hook.ts';
import type { LearnedClients } from './learned-clients.ts';
import { RequestPipeline, type Profile } from './pipeline.ts';
import { ALPN_RADIUS_10, ALPN_RADIUS_11 } from './radius11.ts';
import { describeMatch, radsecPolicy, type RadsecClientTable } from './radsec-clients.ts';
import { RadsecConnection } from './radsec-connection.ts';
import type { RadiusVersion, RadsecListenOptions } from './radsec-options.ts';
import { RadsecStats, type RefusalCause } from './radsec-stats.ts';
import { RadiusStats } from './stats.ts';

export interface RadsecServerOptions {
  listen: RadsecListenOptions;
  clients: RadsecClientTable;
  handler: AccessHandler;
  logger: Logger;
  /** How long an answer is kept for a retransmission on its connection. */
  duplicateCacheSeconds: number;
  shutdownGraceSeconds: number;
  eap?: EapHook;
  learned?: LearnedClients;
}

/** The ALPN name to answer for what the client offers, or undefined to refuse (alert no_application_protocol). */
export function chooseAlpn(offered: readonly string[], allowed: readonly RadiusVersion[]): string | undefined {
  if (allowed.includes('1.1') && offered.includes(ALPN_RADIUS_11)) return ALPN_RADIUS_11;
  if (allowed.includes('1.0') && offered.includes(ALPN_RADIUS_10)) return ALPN_RADIUS_10;
  return undefined;
}

function contextOptions(listen: RadsecListenOptions): SecureContextOptions {
  return {
    cert: listen.cert,
    key: listen.key,
    ca: listen.ca,
    // With a CRL, Node has OpenSSL check every certificate of the client's chain against its issuer's CRL.
    ...(listen.crl ? { crl: listen.crl } : {}),
    minVersion: listen.minVersion,
    // No session resumption: each connection shows its certificate to the CA in force, and RADIUS/1.1
    // needs no binding of its ALPN choice to a ticket (RFC 9765). Connections are long-lived.
    secureOptions: constants.SSL_OP_NO_TICKET,
  };
}

/** Why a client certificate that did not verify is refused, by OpenSSL's verify error: the cause counted and what to do. */
export function certificateRefusal(code: string): { cause: RefusalCause; why: string } {
  if (code === 'CERT_REVOKED') return { cause: 'revoked', why: 'the certificate is revoked (listen.radsec.crlFile)' };
  if (code === 'CRL_HAS_EXPIRED') {
    return { cause: 'crl', why: "the CRL of the certificate's CA in listen.radsec.crlFile has expired: put a current one there and reload (SIGHUP); until then every client of that CA is refused" };
  }
  if (code === 'UNABLE_TO_GET_CRL') return { cause: 'crl', why: 'listen.radsec.crlFile has no CRL of the CA that signed the certificate: it needs a current CRL of every CA in caFile' };
  if (code.startsWith('CRL_') || code === 'KEYUSAGE_NO_CRL_SIGN')
    return { cause: 'crl', why: "a CRL in listen.radsec.crlFile cannot be used for the certificate's CA (not yet valid, bad signature, or a CA without cRLSign)" };
  return { cause: 'certificate', why: 'not signed by listen.radsec.caFile, expired, or not for client use' };
}

/** What a failed handshake says about its cause, in the fixed set the counters use. */
function handshakeCause(err: NodeJS.ErrnoException): RefusalCause {
  if (err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return 'handshake-timeout';
  if (err.code === 'ERR_SSL_NO_APPLICATION_PROTOCOL') return 'alpn';
  if (err.code === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE') return 'no-certificate';
  return 'tls';
}

export class RadsecServer {
  readonly stats = new RadiusStats();
  readonly connections = new RadsecStats();
  private readonly options: RadsecServerOptions;
  private listen: RadsecListenOptions;
  private clients: RadsecClientTable;
  private readonly log: Logger;
  private readonly pipeline: RequestPipeline;
  private readonly open = new Set<RadsecConnection>();
  private server: Server | undefined;
  private stopping = false;

  constructor(options: RadsecServerOptions) {
    this.options = options;
    this.listen = options.listen;
    this.clients = options.clients;
    this.log = options.logger.child({ transport: 'radsec' });
    this.pipeline = new RequestPipeline({
      handler: options.handler,
      logger: this.log,
      stats: this.stats,
      ...(options.eap ? { eap: options.eap } : {}),
      ...(options.learned ? { learned: options.learned } : {}),
    });
  }

  /** SIGHUP: new connections are matched against `clients`; an open one takes its new entry, or is closed when none matches it any more. */
  setClients(clients: RadsecClientTable): void {
    this.clients = clients;
    for (const c of this.open) {
      const entry = clients.lookup(c.certificate, c.address);
      if (entry) c.setClient(radsecPolicy(entry));
      else {
        this.log.warn({ source: c.address, subject: c.certificate.subject.replaceAll('\n', ', ') }, 'RadSec client no longer in the config; closing its connection');
        c.close('client-removed');
      }
    }
  }

  /** SIGHUP: new certificate, key and CA for the connections from now on. Address, port and limits need a restart. */
  reload(listen: RadsecListenOptions): void {
    try {
      this.server?.setSecureContext(contextOptions(listen));
    } catch (err) {
      this.log.error({ certFile: listen.certFile, err: (err as Error).message }, 'RadSec certificate reload failed; keeping the certificate in use');
      return;
    }
    // Everything new but what radsecBinding() names, which only a restart changes.
    const { address, port, radiusVersions, maxConnections, maxInFlight, idleTimeoutSeconds, handshakeTimeoutSeconds } = this.listen;
    this.listen = { ...listen, address, port, radiusVersions, maxConnections, maxInFlight, idleTimeoutSeconds, handshakeTimeoutSeconds };
    this.log.info({ certFile: listen.certFile, caFile: listen.caFile, crlFile: listen.crlFile ?? null }, 'RadSec certificates reloaded');
  }

  async start(): Promise<void> {
    const { listen } = this;
    const server = createServer({
      ...contextOptions(listen),
      requestCert: true,
      // Checked in accept() instead of by Node, which would cut the connection before its address and the
      // reason could be logged; either way nothing is read from a peer whose certificate our CA did not sign.
      rejectUnauthorized: false,
      handshakeTimeout: listen.handshakeTimeoutSeconds * 1000,
      ALPNCallback: ({ protocols }) => chooseAlpn(protocols, this.listen.radiusVersions),
    });
    server.maxConnections = listen.maxConnections;
    server.on('secureConnection', (socket: TLSSocket) => this.accept(socket));
    server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
      this.refuse(handshakeCause(err), socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0, err.message.split('\n')[0]!);
    });
    server.on('drop', (data?: { remoteAddress?: string; remotePort?: number }) => {
      this.refuse('too-many-connections', data?.remoteAddress ?? 'unknown', data?.remotePort ?? 0, `already ${listen.maxConnections} connections open (listen.radsec.maxConnections)`);
    });
    server.on('error', (err) => this.log.error({ err }, 'RadSec listener error'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: listen.port, host: listen.address }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.log.info({ address: listen.address, port: this.port() }, 'RadSec listening');
  }

  port(): number {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error('the RadSec listener is not bound');
    return address.port;
  }

  /** Stop accepting, let requests in flight be answered (at most graceMs), then close every connection. */
  async stop(graceMs = this.options.shutdownGraceSeconds * 1000): Promise<void> {
    this.stopping = true;
    const server = this.server;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    if (!(await this.pipeline.settle(graceMs))) this.log.warn({ pending: this.pipeline.pending }, 'shutdown grace period over, RadSec requests still in flight are abandoned');
    for (const c of this.open) c.close('shutdown');
    await closed;
    this.server = undefined;
  }

  /** Counted each time, logged once a minute per cause and source. */
  private refuse(cause: RefusalCause, address: string, port: number, detail: string): void {
    this.connections.refuse(cause);
    this.pipeline.hint(cause, { address, port }, undefined, detail, 'RadSec connection refused');
  }

  private accept(socket: TLSSocket): void {
    const address = socket.remoteAddress ?? 'unknown';
    const port = socket.remotePort ?? 0;
    const cert = socket.getPeerX509Certificate();
    const turnAway = (cause: RefusalCause, detail: string): void => {
      this.refuse(cause, address, port, detail);
      socket.destroy();
    };
    if (this.stopping) return turnAway('shutting-down', 'the server is stopping');
    if (!cert) return turnAway('no-certificate', 'the peer sent no client certificate');
    const who = `subject ${cert.subject.replaceAll('\n', ', ')}; fingerprint sha256:${cert.fingerprint256.replaceAll(':', '').toLowerCase()}`;
    if (!socket.authorized) {
      const { cause, why } = certificateRefusal(String(socket.authorizationError));
      return turnAway(cause, `${String(socket.authorizationError)}: ${why} (${who})`);
    }
    const protocol = socket.alpnProtocol;
    const profile: Profile = protocol === ALPN_RADIUS_11 ? 'radius/1.1' : 'radius';
    // RFC 9765: RADIUS/1.1 only over TLS 1.3.
    if (profile === 'radius/1.1' && socket.getProtocol() !== 'TLSv1.3') return turnAway('radius-1.1-without-tls-1.3', `RADIUS/1.1 negotiated over ${String(socket.getProtocol())}`);
    if (protocol === false && !this.listen.radiusVersions.includes('1.0')) return turnAway('alpn', 'the client offered no ALPN and listen.radsec.radiusVersions allows only 1.1');
    const client = this.clients.lookup(cert, address);
    if (!client) return turnAway('unknown-client', `no client entry matches the certificate (${who}) from this address`);

    this.connections.accepted++;
    this.connections.open++;
    const connection = new RadsecConnection({
      socket,
      certificate: cert,
      client: radsecPolicy(client),
      profile,
      pipeline: this.pipeline,
      logger: this.log,
      maxInFlight: this.listen.maxInFlight,
      idleTimeoutMs: this.listen.idleTimeoutSeconds * 1000,
      duplicateLifetimeMs: this.options.duplicateCacheSeconds * 1000,
      stopping: () => this.stopping,
      onClose: (cause) => {
        this.open.delete(connection);
        this.connections.open--;
        this.connections.close(cause);
        this.log.info({ client: connection.clientName, source: address, cause }, 'RadSec connection closed');
      },
    });
    this.open.add(connection);
    this.log.info(
      { client: client.name, source: address, port, match: describeMatch(client.certificate), tls: socket.getProtocol(), radius: profile === 'radius/1.1' ? '1.1' : '1.0' },
      'RadSec connection from a client',
    );
  }
}
