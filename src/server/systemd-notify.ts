// Readiness for systemd's Type=notify: READY=1 on $NOTIFY_SOCKET once the
// server answers. Node has no Unix datagram sockets, so systemd's own
// `systemd-notify` sends it; that is a child process, hence NotifyAccess=all
// in the unit. It waits until systemd has read the message (a barrier), so the
// message cannot be lost when the child exits before systemd looks at it.

import { execFile } from 'node:child_process';
import type { Logger } from 'pino';

const NOTIFY_TIMEOUT_MS = 10_000;

/** Tells the service manager the server is up; does nothing outside a Type=notify unit. */
export function notifyReady(logger: Logger, env: NodeJS.ProcessEnv = process.env): void {
  if (!env.NOTIFY_SOCKET) return;
  execFile('systemd-notify', ['--ready'], { env, timeout: NOTIFY_TIMEOUT_MS }, (err, _stdout, stderr) => {
    if (err) logger.warn({ err: stderr.trim() || err.message }, 'could not tell systemd the server is ready (systemd-notify --ready); with Type=notify the unit will time out');
  });
}
