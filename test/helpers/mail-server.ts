// A real SMTP server on 127.0.0.1 for delivery tests (the smtp-server
// package): STARTTLS or implicit TLS with a test CA's certificate, optional
// AUTH against a fixed user table, and every received message parsed
// (mailparser) together with how it arrived.

import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { TestCa } from './test-ca.ts';

export interface ReceivedMail {
  mailFrom: string;
  rcptTo: string[];
  /** The session was TLS when the message was sent. */
  secure: boolean;
  /** The user the client authenticated as. */
  user: string | undefined;
  parsed: ParsedMail;
  raw: string;
}

export interface MailServerOptions {
  tls: 'starttls' | 'implicit' | 'none';
  ca?: TestCa;
  /** user -> password; when given, AUTH is required. */
  users?: Record<string, string>;
  /** Recipients answered with 550. */
  refuseRecipients?: string[];
  /** Loopback address to listen on; 127.0.0.1 by default. */
  host?: string;
  /** Idle time after which the server closes a session. */
  socketTimeoutMs?: number;
}

export interface MailServer {
  port: number;
  received: ReceivedMail[];
  /** SMTP sessions opened so far. */
  connections(): number;
  /** Resolves with the next message to arrive (or one already waiting); rejects when none comes within `timeoutMs`. */
  nextMail(timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export async function startMailServer(options: MailServerOptions): Promise<MailServer> {
  const received: ReceivedMail[] = [];
  const waiting: ((m: ReceivedMail) => void)[] = [];
  let taken = 0;
  let connections = 0;
  const users = options.users;
  const server = new SMTPServer({
    secure: options.tls === 'implicit',
    ...(options.ca ? { key: options.ca.keyPem, cert: options.ca.certPem } : {}),
    disabledCommands: [...(options.tls === 'none' ? ['STARTTLS'] : []), ...(users === undefined ? ['AUTH'] : [])],
    authOptional: users === undefined,
    allowInsecureAuth: options.tls === 'none',
    logger: false,
    ...(options.socketTimeoutMs !== undefined ? { socketTimeout: options.socketTimeoutMs } : {}),
    onConnect(_session, callback) {
      connections++;
      callback();
    },
    onAuth(auth, _session, callback) {
      if (users !== undefined && auth.username !== undefined && users[auth.username] === auth.password) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      if (options.refuseRecipients?.includes(address.address)) callback(Object.assign(new Error('5.1.1 No such user here'), { responseCode: 550 }));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            const mail: ReceivedMail = {
              mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
              secure: session.secure,
              user: typeof session.user === 'string' ? session.user : undefined,
              parsed,
              raw,
            };
            received.push(mail);
            const w = waiting.shift();
            if (w) {
              taken++;
              w(mail);
            }
            callback();
          },
          (e: unknown) => callback(e as Error),
        );
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    const srv = server.listen(0, options.host ?? '127.0.0.1', () => {
      const a = srv.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });
  return {
    port,
    received,
    connections: () => connections,
    nextMail(timeoutMs = 10_000): Promise<ReceivedMail> {
      if (taken < received.length) return Promise.resolve(received[taken++]!);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(deliver), 1);
          reject(new Error(`no mail arrived within ${timeoutMs} ms`));
        }, timeoutMs);
        const deliver = (m: ReceivedMail): void => {
          clearTimeout(timer);
          resolve(m);
        };
        waiting.push(deliver);
      });
    },
    close(): Promise<void> {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
