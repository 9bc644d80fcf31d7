// Importing an OATH CSV or PSKC file from the console: the upload form,
// then a preview (the same import as a dry run: every token it would create
// or update, or every problem of the file), then the import and its
// summary. The preview page carries the file back sealed in a hidden field
// (carried-import.ts), so nothing of it is kept on the server between the
// two steps; the page is never stored.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AdminError, importTokenFile, type AdminContext, type ImportOutcome, type ImportRequest } from '../../auth/admin.ts';
import { sessionOf, webOf } from '../context.ts';
import { CARRY_SECONDS, openImport, sealImport, type CarriedImport } from './carried-import.ts';
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

/** A preview that cannot be confirmed: the form is shown again to upload the file anew. */
class StalePreview extends Error {}

/** The sealed preview is base64 of JSON holding the file in base64: about 16/9 of the file, plus the other fields. */
function carriedLimit(maxBytes: number): number {
  return Math.ceil((maxBytes * 16) / 9) + 8192;
}

function readForm(request: FastifyRequest, maxBytes: number, open: (text: string) => ReturnType<typeof openImport>): ImportForm {
  const body = (request.body ?? {}) as Record<string, unknown>;
  if (typeof body !== 'object' || Array.isArray(body)) throw new AdminError('invalid', 'expected a form');
  const step = text(body, 'step', 10);
  const format = text(body, 'format', 10);
  if (step !== 'preview' && step !== 'import') throw new AdminError('invalid', 'step: preview or import');
  if (format !== '' && !(FORMATS as readonly string[]).includes(format)) throw new AdminError('invalid', 'format: oath-csv or pskc');
  const carried = text(body, 'carried', carriedLimit(maxBytes));
  if (step === 'import' && carried !== '') {
    const c = open(carried);
    if (c === 'invalid') throw new StalePreview('the preview could not be read back (another session, or altered): upload the file again');
    if (c === 'expired') throw new StalePreview(`the preview is older than ${CARRY_SECONDS / 60} minutes: upload the file again`);
    return { step, ...c, format: c.format as ImportForm['format'] };
  }
  const file = body.file;
  let content: Buffer | undefined;
  let filename = text(body, 'filename', 256);
  if (isUpload(file) && file.content.length > 0) {
    content = file.content;
    filename = file.filename || filename;
  }
  if (content && content.length > maxBytes) throw new AdminError('invalid', `the file is larger than admin.maxImportBytes (${maxBytes} bytes)`);
  return {
    step,
    format: format as ImportForm['format'],
    filename: filename || 'upload',
    content,
    psk: text(body, 'psk', 64),
    password: text(body, 'password', 1024),
    user: text(body, 'user', 256),
    realm: text(body, 'realm', 128),
  };
}

function carriedOf(f: ImportForm): CarriedImport {
  return { content: f.content!, filename: f.filename, format: f.format, psk: f.psk, password: f.password, user: f.user, realm: f.realm };
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
    format,
    content,
    source: f.filename,
    dryRun,
    ...(f.psk !== '' ? { secrets: { psk: Buffer.from(f.psk, 'hex') } } : f.password !== '' ? { secrets: { password: f.password } } : {}),
    ...(f.user !== '' ? { user: f.user } : {}),
    ...(f.realm !== '' ? { realm: f.realm } : {}),
  };
}

export function tokenImportRoutes(deps: TokenImportDeps) {
  const maxBytes = deps.admin.policy.maxImportBytes;
  const key = Buffer.from(deps.admin.secrets.digest('otp-radius console import preview'), 'hex');
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/tokens/import', { config: { may: 'token.import' } }, async (req, reply) => {
      const { t } = webOf(req);
      return consolePage(req, reply, 'console/import', { step: 'form', form: { format: '', user: '', realm: '' }, problems: [], maxBytes }, { title: t('import.title') });
    });

    await app.register(async (scope) => {
      acceptMultipart(scope, { fileBytes: maxBytes, fieldBytes: carriedLimit(maxBytes), maxFields: 12 });
      scope.post('/tokens/import', { config: { may: 'token.import' } }, async (req, reply) => {
        const { t } = webOf(req);
        const session = sessionOf(req).csrf;
        let f: ImportForm;
        try {
          f = readForm(req, maxBytes, (sealed) => openImport(key, session, sealed, deps.admin.auth.now()));
        } catch (err) {
          if (!(err instanceof StalePreview)) throw err;
          const empty = { format: '', user: '', realm: '' };
          return consolePage(req, reply, 'console/import', { step: 'form', form: empty, problems: [err.message], maxBytes }, { title: t('import.title'), status: 422, noStore: true });
        }
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
        return consolePage(
          req,
          reply,
          'console/import',
          {
            step: f.step === 'preview' ? 'preview' : 'done',
            form: shown,
            outcome,
            listed: tokens.slice(0, LISTED),
            unlisted: Math.max(0, tokens.length - LISTED),
            carried: f.step === 'preview' ? sealImport(key, session, carriedOf(f), deps.admin.auth.now()) : undefined,
            problems: [],
            maxBytes,
          },
          { title: t(f.step === 'preview' ? 'import.previewTitle' : 'import.doneTitle'), noStore: true },
        );
      });
    });
  };
}
