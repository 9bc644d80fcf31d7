// What the e-mail and SMS sender tests share: how a failed send is judged
// (its kind, its reason, and never the code in it), and closing every
// sender a test made once the test is done.

import assert from 'node:assert/strict';
import type { SendResult, Sender } from '../../src/delivery/message.ts';

/** A failure of kind `failure` whose reason matches `reason` and does not contain `otp`. */
export function assertSendFailure(r: SendResult, failure: string, reason: RegExp, otp: string): void {
  assert.equal(r.ok, false, `expected a failure, got ${JSON.stringify(r)}`);
  if (r.ok) return;
  assert.equal(r.failure, failure, r.reason);
  assert.match(r.reason, reason);
  assert.ok(!r.reason.includes(otp), 'the code never appears in a reason');
}

/** `sender` makes senders with `create` and remembers them; `closeAll` closes them. */
export function senderPool<O>(create: (options: O) => Sender): { sender: (options: O) => Sender; closeAll: () => Promise<void> } {
  const made: Sender[] = [];
  return {
    sender(options) {
      const s = create(options);
      made.push(s);
      return s;
    },
    async closeAll() {
      await Promise.all(made.map((s) => s.close()));
    },
  };
}
