// How a user logs in at the VPN with their new token, in the words of the
// authentication policy: what goes before the code (the token PIN, the
// directory password, or nothing) and on which side, and whether the first
// factor alone brings a prompt for the code.

import type { SelfService } from '../../auth/self-service.ts';
import type { MessageKey } from '../i18n/index.ts';

export interface HowTo {
  /** The sentence of the password field: PIN and code, password and code, or the code alone. */
  password: MessageKey;
  /** The sentence of the challenge, when the first factor alone brings a prompt for the code. */
  challenge?: MessageKey;
}

export function howToLogIn(self: SelfService, type: string): HowTo {
  const { otppin, pinPosition, challengeTypes } = self.loginShape();
  const challenge = challengeTypes.includes(type) && otppin !== 'none';
  if (otppin === 'none') return { password: 'self.howto.codeOnly' };
  const password: MessageKey =
    otppin === 'token' ? (pinPosition === 'prepend' ? 'self.howto.pinThenCode' : 'self.howto.codeThenPin') : pinPosition === 'prepend' ? 'self.howto.passwordThenCode' : 'self.howto.codeThenPassword';
  return { password, ...(challenge ? { challenge: otppin === 'token' ? 'self.howto.challengePin' : 'self.howto.challengePassword' } : {}) };
}
