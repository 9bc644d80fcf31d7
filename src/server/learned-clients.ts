// The memory of `requireMessageAuthenticator: auto` for the whole server:
// a client one worker learned is required by every worker at once (told
// through the supervisor) and after a restart (kept in the store, which
// other servers on the same PostgreSQL read too).

import cluster from 'node:cluster';
import type { Logger } from 'pino';
import { learnedInMemory, type LearnedClients } from '../radius/learned-clients.ts';
import type { TokenStore } from '../store/types.ts';

/** worker -> supervisor -> every worker: a client sent Message-Authenticator. */
export interface LearnedMessage {
  otpRadiusLearned: string;
}

export function isLearnedMessage(msg: unknown): msg is LearnedMessage {
  return typeof msg === 'object' && msg !== null && typeof (msg as { otpRadiusLearned?: unknown }).otpRadiusLearned === 'string';
}

export interface SharedLearnedClients extends LearnedClients {
  /** Reads the store again: clients learned by another server. */
  refresh(): Promise<void>;
  close(): void;
}

export async function sharedLearnedClients(store: TokenStore, logger: Logger, now: () => number): Promise<SharedLearnedClients> {
  const memory = learnedInMemory(await store.learnedNasClients());
  const inWorker = cluster.isWorker && typeof process.send === 'function';
  const onMessage = (msg: unknown): void => {
    if (isLearnedMessage(msg)) memory.learn(msg.otpRadiusLearned);
  };
  if (inWorker) process.on('message', onMessage);
  return {
    has: (client) => memory.has(client),
    learn(client) {
      if (memory.has(client)) return;
      memory.learn(client);
      if (inWorker) process.send?.({ otpRadiusLearned: client } satisfies LearnedMessage);
      store
        .learnNasClient(client, now())
        .catch((err: unknown) => logger.warn({ client, err: (err as Error).message }, 'could not keep that the client sends Message-Authenticator; it is required until this process stops'));
    },
    async refresh() {
      for (const client of await store.learnedNasClients()) memory.learn(client);
    },
    close() {
      if (inWorker) process.off('message', onMessage);
    },
  };
}
