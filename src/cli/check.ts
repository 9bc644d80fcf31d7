// `otp-radius check`: the authentication a NAS would get, from the command
// line (what LinOTP's /validate/check answers), without sending a packet.

import { withAudit } from '../auth/audit.ts';
import type { AccessRequest } from '../model/access-request.ts';
import { DEFAULT_CONFIG, parse } from './args.ts';
import { withContext } from './context.ts';
import { CliError, EXIT_USAGE } from './errors.ts';
import { secretOption } from './secret-option.ts';

const USAGE = `usage: otp-radius check --user LOGIN[@REALM] [--password -|--password-file FILE] [--state TXID] [--realm R] [--nas NAME] [--json] [--config FILE]
  Authenticates like a RADIUS Access-Request and prints the decision and its reason.
  The password (PIN+OTP) is prompted for without echo, or read as one line from stdin
  (--password -) or from a file; --password PINOTP works but shows it in ps.
  --state answers a challenge (its transaction id, as printed by a challenge or token challenge).
  --nas takes the realm of that configured RADIUS client. Exit 0 on accept, 3 on challenge, 1 on reject.
`;

export const EXIT_CHALLENGE = 3;

export async function checkCommand(args: string[]): Promise<number> {
  const { values } = parse('check', args, {
    config: { type: 'string', short: 'c' },
    user: { type: 'string', short: 'u' },
    password: { type: 'string', short: 'p' },
    'password-file': { type: 'string' },
    state: { type: 'string' },
    realm: { type: 'string' },
    nas: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!values.user) throw new CliError('check: --user is required (see otp-radius check --help)', EXIT_USAGE);
  const password = (await secretOption('check', 'password', { value: values.password, file: values['password-file'] }, 'PIN+OTP: '))!;
  return withContext(values.config ?? DEFAULT_CONFIG, async (s) => {
    const client = values.nas === undefined ? undefined : s.config.clients.find((c) => c.name === values.nas);
    if (values.nas !== undefined && !client) throw new CliError(`check: unknown NAS client "${values.nas}" (clients: ${s.config.clients.map((c) => c.name).join(', ')})`);
    const request: AccessRequest = {
      userName: values.realm !== undefined ? `${values.user}@${values.realm}` : values.user!,
      password: Buffer.from(password, 'utf8'),
      nas: { client: client?.name ?? 'cli', address: 'cli', ...(client?.realm !== undefined ? { realm: client.realm } : {}) },
      ...(values.state !== undefined ? { state: Buffer.from(values.state, 'latin1') } : {}),
    };
    // The audit trail records CLI checks too: they burn OTPs like any login.
    const decision = await withAudit(s.admin.audit, (r) => s.auth.authenticate(r))(request);
    const challenge = decision.decision === 'challenge' ? decision.challenge : undefined;
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({ decision: decision.decision, reason: decision.reason, user: decision.user, realm: decision.realm, serial: decision.serial, message: decision.replyMessage, transactionId: challenge?.transactionId, challenge: challenge?.data || undefined, serials: challenge?.serials })}\n`,
      );
    } else {
      const parts = [`${decision.decision}: ${decision.reason}`];
      if (decision.serial) parts.push(`serial ${decision.serial}`);
      process.stdout.write(`${parts.join(', ')}\n`);
      if (challenge) {
        process.stdout.write(`transaction id: ${challenge.transactionId}\nmessage: ${decision.replyMessage ?? ''}\n`);
        if (challenge.data) process.stdout.write(`challenge: ${challenge.data}\n`);
      }
    }
    return decision.decision === 'accept' ? 0 : decision.decision === 'challenge' ? EXIT_CHALLENGE : 1;
  });
}
