// Importing an OATH CSV or PSKC file from the console: the upload form,
// then a preview (the same import as a dry run: every token it would create
// or update, or every problem of the file), then the import and its
// summary. The preview page carries the file back in a hidden field, so
// nothing of it is kept on the server between the two steps; the page is
// never stored (the file holds seeds).

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AdminError, importTokenFile, type AdminContext, type ImportOutcome, type ImportRequest } from '../../auth/admin.ts';
import { sessionOf, webOf } from '../context.ts';
import { consolePage } from './labels.ts';
import { acceptMultipart, isUpload } from './multipart.ts';

export interface TokenImportDeps {
  admin: AdminContext;
}

const FORMATS = ['oath-csv', 'pskc'] as const;
const PSK = /^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{48}|[0-9a-fA-F]{64})$/;
/** Tokens a preview lists by name; a larger file is summed up after them. */
const LISTED = 500;

/** What the form sent, checked: the multipart body has no schema of its own. */
interface ImportForm {
  step: 'preview' | 'import';
  format: (typeof FORMATS)[number] | '';
  filename: string;
  content: Buffer | undefined;
  psk: string;
  password: string;
  user: string;
  realm: string;
}

function text(body: Record<string, unknown>, name: string, max: number): string {
  const v = body[name];
  if (v === undefined) return '';
  if (typeof v !== 'string') throw new AdminError('invalid', `${name}: expected text`);
  if (v.length > max) throw new AdminError('invalid', `${name}: at most ${max} characters`);
  return v.trim();
}

function readForm(request: FastifyRequest, maxBytes: number): ImportForm {
  const body = (request.body ?? {}) as Record<string, unknown>;
  if (typeof body !== 'object' || Array.isArray(body)) throw new AdminError('invalid', 'expected a form');
  const step = text(body, 'step', 10);
  const format = text(body, 'format', 10);
  if (step !== 'preview' && step !== 'import') throw new AdminError('invalid', 'step: preview or import');
  if (format !== '' && !(FORMATS as readonly string[]).includes(format)) throw new AdminError('invalid', 'format: oath-csv or pskc');
  const file = body.file;
  let content: Buffer | undefined;
  let filename = text(body, 'filename', 256);
  if (isUpload(file) && file.content.length > 0) {
    content = file.content;
    filename = file.filename || filename;
  } else {
    const carried = text(body, 'carried', Math.ceil((maxBytes * 4) / 3) + 4);
    if (carried !== '') content = Buffer.from(carried, 'base64');
  }
  if (content && content.length > maxBytes) throw new AdminError('invalid', `the file is larger than admin.maxImportBytes (${maxBytes} bytes)`);
  return {
    step, format: format as ImportForm['format'], filename: filename || 'upload', content,
    psk: text(body, 'psk', 64), password: text(body, 'password', 1024), user: text(body, 'user', 256), realm: text(body, 'realm', 128),
  };
}

/** The format the form named, else the file's: XML is PSKC, anything else OATH CSV. */
function formatOf(f: ImportForm, content: string): ImportRequest['format'] {
  if (f.format !== '') return f.format;
  return /^\s*<|\.(pskc|xml)$/i.test(content.slice(0, 200)) || /\.(pskc|xml)$/i.test(f.filename) ? 'pskc' : 'oath-csv';
}

function importRequest(f: ImportForm, dryRun: boolean): ImportRequest {
  if (!f.content) throw new AdminError('invalid', 'choose a file to import');
  const content = f.content.toString('utf8');
  const format = formatOf(f, content);
  if (format !== 'pskc' && (f.psk !== '' || f.password !== '')) throw new AdminError('invalid', 'a key or password applies to PSKC files only');
  if (f.psk !== '' && f.password !== '') throw new AdminError('invalid', 'give the PSKC key or its password, not both');
  if (f.psk !== '' && !PSK.test(f.psk)) throw new AdminError('invalid', 'the PSKC key is 32, 48 or 64 hex digits');
  if (f.realm !== '' && f.user === '') throw new AdminError('invalid', 'a realm goes with an owner');
  return {
    format, content, source: f.filename, dryRun,
    ...(f.psk !== '' ? { secrets: { psk: Buffer.from(f.psk, 'hex') } } : f.password !== '' ? { secrets: { password: f.password } } : {}),
    ...(f.user !== '' ? { user: f.user } : {}),
    ...(f.realm !== '' ? { realm: f.realm } : {}),
  };
}

export function tokenImportRoutes(deps: TokenImportDeps) {
  const maxBytes = deps.admin.policy.maxImportBytes;
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/tokens/import', { config: { may: 'token.import' } }, async (req, reply) => {
      const { t } = webOf(req);
      return consolePage(req, reply, 'console/import', { step: 'form', form: { format: '', user: '', realm: '' }, problems: [], maxBytes }, { title: t('import.title') });
    });

    await app.register(async (scope) => {
      // The preview carries the file back base64-encoded, a third larger than the file.
      acceptMultipart(scope, { fileBytes: maxBytes, fieldBytes: Math.ceil((maxBytes * 4) / 3) + 4, maxFields: 12 });
      scope.post('/tokens/import', { config: { may: 'token.import' } }, async (req, reply) => {
        const { t } = webOf(req);
        const f = readForm(req, maxBytes);
        const shown = { format: f.format, user: f.user, realm: f.realm };
        let outcome: ImportOutcome;
        try {
          outcome = await importTokenFile(deps.admin, sessionOf(req).actor, importRequest(f, f.step === 'preview'));
        } catch (err) {
          if (!(err instanceof AdminError) || err.code !== 'invalid') throw err;
          const problems = err.problems.length > 0 ? err.problems : [err.message];
          return consolePage(req, reply, 'console/import', { step: 'form', form: shown, problems, maxBytes }, { title: t('import.title'), status: 422, noStore: true });
        }
        const tokens = outcome.tokens ?? [];
        return consolePage(req, reply, 'console/import', {
          step: f.step === 'preview' ? 'preview' : 'done',
          form: shown,
          outcome,
          listed: tokens.slice(0, LISTED),
          unlisted: Math.max(0, tokens.length - LISTED),
          carried: f.step === 'preview' ? { content: f.content!.toString('base64'), filename: f.filename, format: f.format, psk: f.psk, password: f.password, user: f.user, realm: f.realm } : undefined,
          problems: [],
          maxBytes,
        }, { title: t(f.step === 'preview' ? 'import.previewTitle' : 'import.doneTitle'), noStore: true });
      });
    });
  };
}
