// Single requests outside the load: is the server up, and does a login give
// the answer the workloads assume? Retries until the deadline, so it also
// waits for a server that is still starting.

import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { CODE, decodeAnswer, encodeRequest, userNameAttribute, type Answer } from './packets.ts';

export async function ask(
  host: string,
  port: number,
  secret: string,
  request: { userName?: string; password?: string; state?: Buffer; status?: boolean },
  deadlineMs: number,
): Promise<Answer | undefined> {
  const socket = createSocket('udp4');
  socket.on('error', () => {});
  const started = Date.now();
  try {
    while (Date.now() - started < deadlineMs) {
      const authenticator = randomBytes(16);
      const bytes = encodeRequest(
        {
          code: request.status ? CODE.StatusServer : CODE.AccessRequest,
          identifier: randomBytes(1)[0]!,
          authenticator,
          ...(request.userName !== undefined ? { userName: userNameAttribute(request.userName) } : {}),
          ...(request.password !== undefined ? { password: request.password } : {}),
          ...(request.state ? { state: request.state } : {}),
          messageAuthenticator: true,
        },
        secret,
      );
      const answer = await new Promise<Answer | undefined>((resolve) => {
        const timer = setTimeout(() => {
          socket.off('message', onMessage);
          resolve(undefined);
        }, 500);
        const onMessage = (msg: Buffer): void => {
          const a = decodeAnswer(msg, authenticator, secret);
          if (!a?.authentic || a.identifier !== bytes[1]) return;
          clearTimeout(timer);
          socket.off('message', onMessage);
          resolve(a);
        };
        socket.on('message', onMessage);
        socket.send(bytes, port, host);
      });
      if (answer) return answer;
    }
    return undefined;
  } finally {
    socket.close();
  }
}

export async function probeStatus(host: string, port: number, secret: string, deadlineMs: number): Promise<boolean> {
  return (await ask(host, port, secret, { status: true }, deadlineMs)) !== undefined;
}

export function codeName(code: number | undefined): string {
  switch (code) {
    case CODE.AccessAccept:
      return 'Access-Accept';
    case CODE.AccessReject:
      return 'Access-Reject';
    case CODE.AccessChallenge:
      return 'Access-Challenge';
    case undefined:
      return 'no answer';
    default:
      return `code ${code}`;
  }
}
