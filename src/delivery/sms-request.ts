// The HTTP request an SMS gateway gets, built the way LinOTP's
// HttpSMSProvider does: the configured parameters, each a template, in the
// query (GET) or the body (POST, as a form or JSON), plus optional headers
// and credentials.

import type { SmsOptions } from './options.ts';
import { fillTemplate, formatValidUntil } from './template.ts';

export interface GatewayRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

export interface SmsValues {
  /** E.164, e.g. +4915112345689. */
  phone: string;
  otp: string;
  login: string;
  validUntil: Date;
}

function authorization(auth: SmsOptions['auth']): Record<string, string> {
  if (auth === undefined) return {};
  if ('bearer' in auth) return { authorization: `Bearer ${auth.bearer}` };
  return { authorization: `Basic ${Buffer.from(`${auth.basic.user}:${auth.basic.password}`, 'utf8').toString('base64')}` };
}

export function buildGatewayRequest(options: SmsOptions, values: SmsValues): GatewayRequest {
  const text = { otp: values.otp, login: values.login, validUntil: formatValidUntil(values.validUntil, options.timeZone) };
  const all = { ...text, phone: values.phone, message: fillTemplate(options.message, text) };
  const params = Object.fromEntries(Object.entries(options.params).map(([name, template]) => [name, fillTemplate(template, all)]));
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(options.headers)) headers[name.toLowerCase()] = fillTemplate(template, all);
  Object.assign(headers, authorization(options.auth));
  if (options.method === 'GET') {
    const url = new URL(options.url);
    for (const [name, value] of Object.entries(params)) url.searchParams.append(name, value);
    return { url: url.toString(), method: 'GET', headers };
  }
  if (options.body === 'json') {
    return { url: options.url, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(params) };
  }
  return { url: options.url, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(params).toString() };
}
