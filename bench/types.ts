// What the main thread asks of a generator thread, and what it gets back.

/**
 * accept: PIN+OTP (or the OTP alone) with a valid code; reject: the same with a
 * wrong code; challenge: the PIN alone, then the code with the State from the
 * Access-Challenge; status: Status-Server; pap: a fixed password (FreeRADIUS PAP).
 */
export type JobKind = 'accept' | 'reject' | 'challenge' | 'status' | 'pap';

export interface Job {
  kind: JobKind;
  host: string;
  port: number;
  secret: string;
  /** Logins are this prefix and the user's number (see loginOf). */
  loginPrefix: string;
  /** Put before the OTP; for challenge, sent alone in the first request. */
  pin: string;
  /** The password of the pap workload. */
  password: string;
  /** unique: each user's steps in increasing order, each once (otp-radius); current: always the current step's code (FreeRADIUS). */
  steps: 'unique' | 'current';
  /** Requests sent in the warm-up are answered but not counted. */
  warmupMs: number;
  durationMs: number;
  /** Requests outstanding at once, this thread (closed loop). */
  concurrency: number;
  /** Requests per second from this thread (open loop); 0 = closed loop. */
  rate: number;
  timeoutMs: number;
  messageAuthenticator: boolean;
  /** UDP sockets (source ports) this thread sends from. */
  sockets: number;
}

/** Counts of requests sent during the measured window, by how they ended. */
export interface Counts {
  sent: number;
  accepts: number;
  rejects: number;
  challenges: number;
  /** Any other answer code. */
  other: number;
  timeouts: number;
  /** Answered, but not as the workload expects (e.g. a reject in an accept workload). */
  unexpected: number;
  /** Answers whose Response Authenticator did not match (a wrong secret or a stray late answer). */
  inauthentic: number;
  /** Open loop only: due requests not sent because every identifier of every socket was in use. */
  skipped: number;
  /** Send errors (e.g. ICMP port unreachable on a connected socket). */
  sendErrors: number;
}

export interface ThreadResult extends Counts {
  /** Latency of each answered request in the window, milliseconds (open loop: from its scheduled time). */
  latencies: Float64Array;
  windowMs: number;
  /** CPU time this thread used during the window. */
  cpuMs: number;
  /** TOTP steps ahead of now that the furthest user reached (accept workloads). */
  stepLead: number;
}

export function emptyCounts(): Counts {
  return { sent: 0, accepts: 0, rejects: 0, challenges: 0, other: 0, timeouts: 0, unexpected: 0, inauthentic: 0, skipped: 0, sendErrors: 0 };
}

/** What a generator thread is started with: its share of the users. */
export interface ThreadInit {
  /** The users' numbers (global), this thread's share. */
  users: number[];
  /** Their TOTP seeds, in the same order. */
  seeds: Uint8Array[];
}

export function loginOf(prefix: string, user: number): string {
  return `${prefix}${String(user).padStart(6, '0')}`;
}
