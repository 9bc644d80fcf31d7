// One TLS-based method (EAP-TTLS or PEAP) inside a conversation: the Start,
// the peer's fragments put together and acknowledged, the TLS handshake in
// the tunnel, our records sent in fragments, then phase 2 (ttls.ts,
// peap.ts) until it ends in success (with the keys) or failure.

import type { SecureContext } from 'node:tls';
import type { Decision } from '../model/decision.ts';
import { deriveKeys, type EapKeys, type TlsMethodName } from './keys.ts';
import { EAP_CODE, EAP_TYPE, encodeEap, type EapPacket } from './packet.ts';
import type { InnerHandler, Phase2 } from './phase2.ts';
import type { ResumableLogin, SessionCache } from './session-cache.ts';
import { encodeTlsFrame, Fragmenter, parseTlsFrame, Reassembler, TLS_FLAG } from './tls-framing.ts';
import { TlsTunnel } from './tunnel.ts';

/** We speak version 0 of both TTLS and PEAP. */
const VERSION = 0;
/** TLS 1.2 hands out one session per handshake; a few is all a tunnel may register. */
const MAX_SESSIONS_PER_TUNNEL = 4;

export type MethodStep =
  | { kind: 'request'; packet: Buffer }
  | { kind: 'success'; keys: EapKeys; decision: Decision; innerIdentity: string; resumed: boolean }
  | { kind: 'failure'; reason: string; decision?: Decision; innerIdentity?: string };

export interface TlsMethodSetup {
  method: TlsMethodName;
  context: SecureContext;
  sessions: SessionCache;
  /** Largest TLS message the peer may send us. */
  maxMessageBytes: number;
  phase2: Phase2;
}

export class TlsMethod {
  readonly method: TlsMethodName;
  readonly type: number;
  private readonly setup: TlsMethodSetup;
  private readonly reassembler: Reassembler;
  private tunnel: TlsTunnel | undefined;
  private fragmenter: Fragmenter | undefined;
  private readonly issued: { id: Buffer; session: Buffer }[] = [];
  private resumedLogin: ResumableLogin | undefined;

  constructor(setup: TlsMethodSetup) {
    this.setup = setup;
    this.method = setup.method;
    this.type = setup.method === 'ttls' ? EAP_TYPE.Ttls : EAP_TYPE.Peap;
    this.reassembler = new Reassembler(setup.maxMessageBytes);
  }

  /** 'TLSv1.2' or 'TLSv1.3' once negotiated. */
  get tlsVersion(): string | undefined {
    return this.tunnel?.version ?? undefined;
  }

  start(identifier: number): Buffer {
    return encodeEap(EAP_CODE.Request, identifier, this.type, encodeTlsFrame(TLS_FLAG.Start, VERSION, Buffer.alloc(0)));
  }

  /** The peer's response of this method; `identifier` is the one our next request gets. */
  async respond(response: EapPacket, identifier: number, fragmentData: number, inner: InnerHandler): Promise<MethodStep> {
    const frame = parseTlsFrame(response.data);
    if (typeof frame === 'string') return { kind: 'failure', reason: `bad ${this.method} packet: ${frame}` };
    if (frame.flags & TLS_FLAG.Start) return { kind: 'failure', reason: 'the peer set the Start flag' };

    if (this.fragmenter) {
      if (frame.data.length > 0 || frame.flags & TLS_FLAG.More) return { kind: 'failure', reason: 'expected an acknowledgement of our fragment' };
      return { kind: 'request', packet: this.nextFragment(identifier) };
    }
    const piece = this.reassembler.add(frame);
    if ('error' in piece) return { kind: 'failure', reason: piece.error };
    if (!piece.done) return { kind: 'request', packet: this.emptyRequest(identifier) };

    this.tunnel ??= this.openTunnel();
    const tunnel = this.tunnel;
    await tunnel.receive(piece.message);
    if (tunnel.failure) return { kind: 'failure', reason: `TLS: ${tunnel.failure}` };
    if (!tunnel.established) return { kind: 'request', packet: this.records(identifier, tunnel.takeOutput(), fragmentData) };

    if (this.resumedLogin && !tunnel.resumed) this.resumedLogin = undefined;
    if (tunnel.resumed && !this.resumedLogin) return { kind: 'failure', reason: 'the peer resumed a TLS session that has no login behind it' };
    const step = await this.setup.phase2.step({
      appData: tunnel.takeAppData(),
      pendingOutput: tunnel.hasOutput,
      ...(this.resumedLogin ? { resumedLogin: this.resumedLogin } : {}),
      identifier,
      inner,
    });
    if (tunnel.failure) return { kind: 'failure', reason: `TLS: ${tunnel.failure}` };
    switch (step.kind) {
      case 'send':
        if (step.plain) await tunnel.send(step.plain);
        return { kind: 'request', packet: this.records(identifier, tunnel.takeOutput(), fragmentData) };
      case 'failure':
        return step;
      case 'success':
        this.keep(step.innerIdentity, step.decision);
        return { kind: 'success', keys: deriveKeys(tunnel, this.method), decision: step.decision, innerIdentity: step.innerIdentity, resumed: this.resumedLogin !== undefined };
    }
  }

  destroy(): void {
    this.tunnel?.destroy();
    this.tunnel = undefined;
  }

  private openTunnel(): TlsTunnel {
    const { sessions, context, method } = this.setup;
    if (!sessions.enabled) return new TlsTunnel(context);
    return new TlsTunnel(context, {
      created: (id, session) => {
        if (this.issued.length < MAX_SESSIONS_PER_TUNNEL) this.issued.push({ id, session });
      },
      lookup: (id) => {
        const found = sessions.find(id, method);
        this.resumedLogin = found;
        return found?.session;
      },
    });
  }

  /**
   * A successful login makes its tunnel resumable. Only TLS 1.2 sessions: a
   * TLS 1.3 peer resumes by a ticket Node does not let us look up by id, so
   * its sessions would only take room.
   */
  private keep(innerIdentity: string, decision: Decision): void {
    if (this.tunnel?.version !== 'TLSv1.2') return;
    for (const { id, session } of this.issued) this.setup.sessions.add(id, session, { method: this.method, innerIdentity, decision });
  }

  /** A request without TLS data: acknowledges a fragment of the peer's, or hands the turn to the peer. */
  private emptyRequest(identifier: number): Buffer {
    return encodeEap(EAP_CODE.Request, identifier, this.type, encodeTlsFrame(0, VERSION, Buffer.alloc(0)));
  }

  /** Our TLS records of this round, fragmented as needed; none gives an empty request. */
  private records(identifier: number, output: Buffer, fragmentData: number): Buffer {
    if (output.length === 0) return this.emptyRequest(identifier);
    this.fragmenter = new Fragmenter(output, fragmentData);
    return this.nextFragment(identifier);
  }

  private nextFragment(identifier: number): Buffer {
    const fragmenter = this.fragmenter!;
    const data = fragmenter.next(VERSION);
    if (fragmenter.done) this.fragmenter = undefined;
    return encodeEap(EAP_CODE.Request, identifier, this.type, data);
  }
}
