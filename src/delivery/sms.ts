// Codes by SMS through an HTTP gateway (undici). The number is normalised to
// E.164 first; the gateway's answer counts as success only when its status
// is one of the configured ones and its body matches the configured pattern,
// because many gateways answer 200 with an error text.

import type { Agent } from 'undici';
import { boundedSend } from './bounded.ts';
import { connectReason, errorCodes, tlsReason } from './error-codes.ts';
import { failed, type DeliveryMessage, type Sender, type SendResult } from './message.ts';
import type { SmsOptions } from './options.ts';
import { normalizePhone } from './phone.ts';
import { buildGatewayRequest } from './sms-request.ts';

/** Enough of the gateway's answer for a success pattern; the rest is discarded. */
const MAX_ANSWER_BYTES = 64 * 1024;
/** Open connections to the gateway at most. */
const MAX_CONNECTIONS = 4;

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_ABORTED', 'ABORT_ERR']);

function gatewayFailure(error: unknown): SendResult {
  const codes = errorCodes(error);
  if (codes.some((c) => TIMEOUT_CODES.has(c))) return failed('timeout', 'sms gateway: timed out');
  const tls = tlsReason(codes);
  if (tls) return failed('tls', `sms gateway: ${tls}`);
  const connect = connectReason(codes);
  if (connect) return failed('connect', `sms gateway: ${connect}`);
  if (codes.includes('UND_ERR_SOCKET')) return failed('connect', 'sms gateway: connection lost');
  return failed('protocol', `sms gateway: failed${codes[0] ? ` (${codes[0]})` : ''}`);
}

async function readAnswer(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= MAX_ANSWER_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
}

export function createSmsSender(options: SmsOptions): Sender {
  // undici is loaded with the first message, so that a server without SMS tokens does not carry it in memory.
  let client: Promise<{ agent: Agent; request: typeof import('undici').request }> | undefined;
  const opened = () => {
    client ??= import('undici').then(({ Agent, request }) => ({
      agent: new Agent({
        connect: {
          rejectUnauthorized: options.tlsVerify,
          minVersion: 'TLSv1.2',
          timeout: options.timeoutMs,
          ...(options.ca !== undefined ? { ca: options.ca } : {}),
        },
        connections: MAX_CONNECTIONS,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      }),
      request,
    }));
    return client;
  };
  let closed = false;

  async function deliver(message: DeliveryMessage, phone: string, signal: AbortSignal): Promise<SendResult> {
    const req = buildGatewayRequest(options, { phone, otp: message.otp, login: message.login, validUntil: message.validUntil });
    const { agent, request } = await opened();
    const answer = await request(req.url, {
      method: req.method,
      headers: req.headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
      dispatcher: agent,
      signal,
    });
    const text = await readAnswer(answer.body);
    const status = answer.statusCode;
    if (!options.success.status.includes(status)) return failed('rejected', `sms gateway: status ${status}`);
    if (options.success.bodyRegex && !options.success.bodyRegex.test(text)) {
      return failed('rejected', `sms gateway: answer not recognised as success (status ${status})`);
    }
    return { ok: true, to: phone };
  }

  return {
    channel: 'sms',
    send(message: DeliveryMessage): Promise<SendResult> {
      if (closed) return Promise.resolve(failed('not-configured', 'sms gateway: sender closed'));
      const phone = normalizePhone(message.to, options.defaultCountry);
      if (!phone.ok) return Promise.resolve(failed('invalid-destination', `sms: ${phone.reason}`));
      return boundedSend(options.timeoutMs, 'sms gateway', (signal) => deliver(message, phone.e164, signal), gatewayFailure);
    },
    async close(): Promise<void> {
      closed = true;
      await (await client)?.agent.destroy();
    },
  };
}
