// A self-service refusal in the user's language: each reason the
// operations name has a sentence, with the values it mentions.

import type { AdminError } from '../../auth/admin.ts';
import { SelfServiceError, type SelfRefusal } from '../../auth/self-service.ts';
import type { Notice } from '../flash.ts';
import type { MessageKey, Translate } from '../i18n/index.ts';

const KEYS: Record<SelfRefusal, MessageKey> = {
  off: 'self.refused.off',
  type: 'self.refused.type',
  group: 'self.refused.group',
  'has-token': 'self.refused.hasToken',
  pending: 'self.refused.pending',
  'max-tokens': 'self.refused.maxTokens',
  'code-needed': 'self.refused.codeNeeded',
  'code-wrong': 'self.refused.codeWrong',
  throttled: 'self.refused.throttled',
  'pin-short': 'self.refused.pinShort',
  'pin-long': 'self.refused.pinLong',
  'pin-one-digit': 'self.refused.pinOneDigit',
  'pin-mismatch': 'self.refused.pinMismatch',
  'pin-policy': 'self.refused.pinPolicy',
  'otp-wrong': 'self.refused.otpWrong',
  'last-token': 'self.refused.lastToken',
  'not-found': 'self.refused.notFound',
  description: 'self.refused.description',
  resync: 'self.refused.resync',
  state: 'self.refused.state',
};

export function refusalNotice(err: SelfServiceError): Notice {
  return { kind: 'error', key: KEYS[err.reason], params: err.params };
}

/** For the area's error pages: a self-service refusal's sentence, or undefined for any other. */
export function describeRefusal(err: AdminError, t: Translate): string | undefined {
  return err instanceof SelfServiceError ? t(KEYS[err.reason], err.params) : undefined;
}
