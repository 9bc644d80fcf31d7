// The `reason` label of otp_radius_decisions_total: the audit reasons are free
// text (and may name a detail), so metrics map them onto a small fixed set.
// Rules are tried in order; a reason no rule knows is "other".

import type { Decision } from '../model/decision.ts';

export const DECISION_REASONS = [
  'ok',
  'passthrough',
  'challenge',
  'wrong_pin',
  'wrong_otp',
  'replay',
  'locked',
  'throttled',
  'unknown_user',
  'unknown_realm',
  'no_token',
  'disabled',
  'pending',
  'expired',
  'bad_state',
  'bad_request',
  'delivery_failed',
  'delivery_limited',
  'store_unavailable',
  'resolver_unavailable',
  'internal_error',
  'other',
] as const;

export type DecisionReason = (typeof DECISION_REASONS)[number];

const REJECT_RULES: readonly [RegExp, DecisionReason][] = [
  [/^delivery failed/, 'delivery_failed'],
  [/^delivery limited/, 'delivery_limited'],
  [/store unavailable/, 'store_unavailable'],
  [/resolver unavailable/, 'resolver_unavailable'],
  [/internal error/, 'internal_error'],
  [/throttl/, 'throttled'],
  [/replay/, 'replay'],
  [/^wrong pin/, 'wrong_pin'],
  [/^wrong otp|otp out of window/, 'wrong_otp'],
  [/locked/, 'locked'],
  [/unknown user|ambiguous user/, 'unknown_user'],
  [/unknown realm|no realm/, 'unknown_realm'],
  [/no token|no usable token/, 'no_token'],
  [/disabled|revoked|^static password/, 'disabled'],
  [/^pending$/, 'pending'],
  [/unknown state|state of another user|challenge expired|challenge closed/, 'bad_state'],
  [/expired|not yet valid|limit reached/, 'expired'],
  [/no user name|no password|not supported|reply too large/, 'bad_request'],
];

export function decisionReason(d: Decision): DecisionReason {
  if (d.decision === 'challenge') return 'challenge';
  if (d.decision === 'accept') return /^pass on no /.test(d.reason) ? 'passthrough' : 'ok';
  for (const [pattern, label] of REJECT_RULES) if (pattern.test(d.reason)) return label;
  return 'other';
}
