// `otp-radius status`: is the server answering? A Status-Server (RFC 5997)
// from this machine to the configured listener, signed with the secret of the
// client entry for the address it is sent from. A health check for Docker's
// HEALTHCHECK and for scripts, with no secret of its own to keep.

import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Config } from '../config/config.ts';
import { ConfigError, loadConfig } from '../config/load.ts';
import { buildRequest, RadiusClient } from '../radius/client.ts';
import { ClientTable } from '../radius/clients.ts';
import { CODE } from '../radius/packet.ts';
import { DEFAULT_CONFIG, parse } from './args.ts';
import { CliError, EXIT_USAGE } from './errors.ts';

const USAGE = `usage: otp-radius status [--config FILE] [--timeout SECONDS]
  Sends Status-Server to the listener of FILE (0.0.0.0 and :: are asked on
  127.0.0.1 and ::1) with the secret of the client entry for that address.
  Exit 0 when the server answers, 1 when it does not (or cannot be asked).
`;

/** Where to reach a listener from this machine: a wildcard address is reached on loopback. */
export function statusTarget(listenAddress: string): string {
  if (listenAddress === '0.0.0.0') return '127.0.0.1';
  if (listenAddress === '::') return '::1';
  return listenAddress;
}

export async function statusCommand(args: string[]): Promise<number> {
  const { values } = parse('status', args, { config: { type: 'string', short: 'c' }, timeout: { type: 'string', short: 't' } });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const file = values.config ?? DEFAULT_CONFIG;
  const timeout = values.timeout === undefined ? 3 : Number(values.timeout);
  if (!(timeout > 0 && timeout <= 60)) throw new CliError(`status: --timeout: expected seconds from 0.1 to 60, got "${values.timeout}"`, EXIT_USAGE);
  let config: Config;
  try {
    config = loadConfig(file).config;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) process.stderr.write(`${p}\n`);
    throw new CliError(`${file}: invalid config`);
  }
  const { port } = config.listen;
  if (port === 0) throw new CliError(`${file}: listen.port is 0 (a port chosen at start): there is no fixed port to ask`);
  // A datagram from this machine to a local address is sent from that same address.
  const target = statusTarget(config.listen.address);
  const client = new ClientTable(config.clients).lookup(target);
  if (!client) throw new CliError(`${file}: no client entry for ${target}, the address status sends from: add one (with a secret of its own) to let it ask the server`);

  const radius = new RadiusClient(target, port);
  const started = performance.now();
  try {
    const request = buildRequest({ code: CODE.StatusServer, identifier: 0, secret: client.secret, messageAuthenticator: true });
    const answer = await radius.send(request, client.secret, timeout * 1000);
    const where = `${isIPv6(target) ? `[${target}]` : target}:${port}`;
    if (!answer) throw new CliError(`${where}: no answer to Status-Server within ${timeout} s (client entry "${client.name}")`);
    if (!answer.verified || answer.packet.code !== CODE.AccessAccept) {
      throw new CliError(`${where}: the answer to Status-Server ${answer.verified ? `has code ${answer.packet.code}, not Access-Accept` : 'fails the authenticator check (another secret?)'}`);
    }
    process.stdout.write(`${where}: answering (${Math.round(performance.now() - started)} ms)\n`);
    return 0;
  } finally {
    radius.close();
  }
}
