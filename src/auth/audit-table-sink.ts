// Audit events into the store's audit table without slowing authentication:
// write() only buffers; the events of one event-loop turn go to the store
// in one write (a SQLite group commit, one PostgreSQL insert), and the next
// batch waits for that write, so a busy server writes fewer, larger batches.
// A failed write loses its batch from the table (the audit log file still
// has it) and is logged; it never fails a login.

import type { Logger } from 'pino';
import type { AuditEvent, AuditRecord, AuditSink } from '../model/audit.ts';
import type { AuditTable } from '../store/admin-types.ts';
import { auditRecord } from './audit-record.ts';

/** Events held while the store does not answer; beyond this, new ones are dropped and counted. */
const MAX_BUFFERED = 50_000;
/** One log line per this many milliseconds about failed writes. */
const LOG_EVERY_MS = 60_000;

export function tableAuditSink(table: AuditTable, logger: Logger, maxBuffered = MAX_BUFFERED): Required<AuditSink> {
  let buffer: AuditRecord[] = [];
  let inFlight: Promise<void> | undefined;
  let scheduled = false;
  let lost = 0;
  let loggedAt = -Infinity;

  const report = (count: number, why: string): void => {
    lost += count;
    const now = Date.now();
    if (now - loggedAt < LOG_EVERY_MS) return;
    loggedAt = now;
    logger.error({ lost, err: why }, 'audit events could not be stored in the audit table (the audit log still has them)');
    lost = 0;
  };

  const run = (): void => {
    scheduled = false;
    if (inFlight || buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    inFlight = table
      .write(batch)
      .catch((err: unknown) => report(batch.length, (err as Error).message))
      .finally(() => {
        inFlight = undefined;
        if (buffer.length > 0) schedule();
      });
  };

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(run);
  };

  return {
    write(event: AuditEvent): void {
      if (buffer.length >= maxBuffered) {
        report(1, `more than ${maxBuffered} events waiting for the store`);
        return;
      }
      buffer.push(auditRecord(event));
      if (!inFlight) schedule();
    },
    async flush(): Promise<void> {
      while (inFlight || buffer.length > 0) {
        if (inFlight) await inFlight;
        else run();
      }
    },
  };
}
