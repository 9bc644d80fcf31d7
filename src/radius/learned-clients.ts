// Clients under `requireMessageAuthenticator: auto` that have sent a
// Message-Authenticator: from then on it is required of them (FreeRADIUS's
// auto). Whoever runs the listener decides how far the memory reaches; the
// server shares it between workers and keeps it across restarts.

export interface LearnedClients {
  has(client: string): boolean;
  /** Remembers the client; has() answers true from now on, here and wherever the memory is shared. */
  learn(client: string): void;
}

/** Remembered by this process only, until it exits. */
export function learnedInMemory(initial: Iterable<string> = []): LearnedClients & { readonly names: ReadonlySet<string> } {
  const names = new Set(initial);
  return { names, has: (client) => names.has(client), learn: (client) => void names.add(client) };
}
