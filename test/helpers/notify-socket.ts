// A stand-in for systemd's notification socket ($NOTIFY_SOCKET): a Unix
// datagram socket, which Node cannot open, held by Debian's python3. It
// prints each message as a line and closes the file descriptors a BARRIER=1
// carries, as systemd does, so that `systemd-notify` returns.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';

const RECEIVER = `
import array, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("listening", flush=True)
while True:
    msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(16 * 4))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(data[: len(data) - len(data) % 4])
            for fd in fds:
                os.close(fd)
    print(msg.decode().replace("\\n", " "), flush=True)
`;

export interface NotifySocket {
  path: string;
  /** The messages received so far, one string each (assignments separated by spaces). */
  messages: () => string[];
  close: () => void;
}

export async function notifySocket(dir: string): Promise<NotifySocket> {
  const path = join(dir, 'notify.sock');
  const child: ChildProcess = spawn(PYTHON, ['-c', RECEIVER, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const started = await new Promise<string | undefined>((resolve) => {
    child.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ENOENT' ? `${PYTHON} not found: install Debian package python3` : e.message));
    child.once('exit', () => resolve(`the notify socket stand-in exited: ${err.trim()}`));
    const poll = setInterval(() => {
      if (out.startsWith('listening\n')) {
        clearInterval(poll);
        resolve(undefined);
      }
    }, 20);
  });
  if (started !== undefined) throw new Error(started);
  return {
    path,
    messages: () =>
      out
        .split('\n')
        .slice(1)
        .filter((l) => l !== ''),
    close: () => child.kill(),
  };
}
