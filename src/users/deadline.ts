// A time limit around a promise that may never settle (a server that
// accepts a connection and then says nothing). The resolvers promise an
// answer within their timeout; this is how they keep it.

export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/**
 * `promise`, or a DeadlineError after `ms` (then `onTimeout` runs). The loser
 * is always handled, so a late rejection is never unhandled.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  promise.catch(() => undefined);
  if (ms <= 0) {
    onTimeout();
    return Promise.reject(new DeadlineError(`${what}: no time left`));
  }
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(new DeadlineError(`${what}: no answer within ${Math.round(ms)} ms`));
    }, ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
