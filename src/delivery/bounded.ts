// The time limit around one send. The library underneath gets an abort
// signal and its own timeouts too, but the answer to auth/ does not depend on
// either being honoured: at the deadline the send is a failure, and whatever
// the library does afterwards is ignored.

import { failed, type SendResult } from './message.ts';

export function boundedSend(timeoutMs: number, label: string, work: (signal: AbortSignal) => Promise<SendResult>, mapError: (error: unknown) => SendResult): Promise<SendResult> {
  const controller = new AbortController();
  return new Promise<SendResult>((resolve) => {
    const timer = setTimeout(() => {
      resolve(failed('timeout', `${label}: no answer within ${timeoutMs} ms`));
      controller.abort();
    }, timeoutMs);
    const settle = (result: SendResult): void => {
      clearTimeout(timer);
      resolve(result);
    };
    let started: Promise<SendResult>;
    try {
      started = work(controller.signal);
    } catch (e) {
      settle(mapError(e));
      return;
    }
    started.then(settle, (e: unknown) => settle(mapError(e)));
  });
}
