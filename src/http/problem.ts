// RFC 9457 problem details: how the native routes (everything but LinOTP's
// /validate/*) and the HTTP layer itself answer an error.

import { STATUS_CODES } from 'node:http';
import type { FastifyReply } from 'fastify';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Why the HTTP layer answered without reaching a route's own logic. */
export type HttpRefusal = 'forbidden' | 'not-found' | 'method' | 'too-large' | 'headers-too-large' | 'bad-request' | 'unsupported-media-type' | 'timeout';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
}

export function problem(status: number, detail?: string): Problem {
  // "about:blank": the status code says it all; title is its reason phrase (RFC 9457 section 4.2.1).
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, ...(detail !== undefined ? { detail } : {}) };
}

export function sendProblem(reply: FastifyReply, status: number, detail?: string): FastifyReply {
  // A Buffer: Fastify would add a charset to a JSON type given a string (RFC 8259 JSON is UTF-8 anyway).
  return reply
    .code(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(Buffer.from(JSON.stringify(problem(status, detail))));
}

/** A whole HTTP/1.1 response for a socket the parser gave up on, where no reply object exists. */
export function rawProblemResponse(status: number, detail: string): string {
  const body = JSON.stringify(problem(status, detail));
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`;
}
