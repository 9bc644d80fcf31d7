// A multipart/form-data body (a file upload) read whole into the request
// body before any hook runs, as the URL-encoded forms are, so the CSRF
// field is checked the same way. Bounded: one file, a few fields, sizes
// capped; anything beyond is a 413 and nothing is read further.

import { Busboy } from '@fastify/busboy';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** An uploaded file: its name as the browser sent it and its bytes. */
export interface UploadedFile {
  filename: string;
  content: Buffer;
}

export interface MultipartLimits {
  /** Largest file, in bytes. */
  fileBytes: number;
  /** Largest field besides the file, in bytes. */
  fieldBytes: number;
  /** Most fields besides the file. */
  maxFields: number;
}

/** How much more than the limit a refused upload is read on before the answer goes out anyway. */
const DRAIN_FACTOR = 4;

class TooLarge extends Error {
  readonly statusCode = 413;
}

function parse(request: FastifyRequest, payload: Readable, limits: MultipartLimits): Promise<Record<string, string | UploadedFile>> {
  return new Promise((resolve, reject) => {
    const body: Record<string, string | UploadedFile> = {};
    let failed = false;
    const fail = (err: Error): void => {
      if (failed) return;
      failed = true;
      payload.unpipe(busboy);
      if (payload.readableEnded) {
        reject(err);
        return;
      }
      // The refusal waits for the rest of the body, up to a bound: a browser shows an answer that comes before it finished sending as a broken connection.
      let drained = 0;
      const drain = (chunk: Buffer): void => {
        drained += chunk.length;
        if (drained > DRAIN_FACTOR * Math.max(limits.fileBytes, limits.fieldBytes)) {
          payload.off('data', drain);
          reject(err);
        }
      };
      payload.on('data', drain);
      payload.once('end', () => reject(err));
      payload.once('error', () => reject(err));
      payload.resume();
    };
    let busboy: ReturnType<typeof Busboy>;
    try {
      busboy = Busboy({
        headers: request.headers as { 'content-type': string },
        limits: { files: 1, fields: limits.maxFields, fieldSize: limits.fieldBytes, fileSize: limits.fileBytes, parts: limits.maxFields + 1 },
      });
    } catch (err) {
      // A Content-Type without a boundary, say: the client's mistake.
      reject(Object.assign(new Error(`the upload could not be read: ${(err as Error).message}`), { statusCode: 400 }));
      return;
    }
    busboy.on('field', (name, value, _nameCut, valueCut) => {
      if (valueCut) fail(new TooLarge(`the field ${name.slice(0, 50)} is larger than ${limits.fieldBytes} bytes`));
      else body[name] = value;
    });
    busboy.on('file', (name, stream, filename) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(new TooLarge(`the file is larger than ${limits.fileBytes} bytes`)));
      stream.on('end', () => {
        if (!stream.truncated) body[name] = { filename: filename.slice(0, 256), content: Buffer.concat(chunks) };
      });
    });
    for (const event of ['filesLimit', 'fieldsLimit', 'partsLimit'] as const) busboy.on(event, () => fail(new TooLarge('the form has more parts than an upload needs')));
    busboy.on('error', (err: unknown) => fail(Object.assign(new Error(`the upload could not be read: ${(err as Error).message}`), { statusCode: 400 })));
    busboy.on('finish', () => {
      if (!failed) resolve(body);
    });
    payload.pipe(busboy);
  });
}

/** Lets the routes of `app` (an encapsulated scope) take multipart forms. */
export function acceptMultipart(app: FastifyInstance, limits: MultipartLimits): void {
  app.addContentTypeParser('multipart/form-data', async (request: FastifyRequest, payload: Readable) => parse(request, payload, limits));
}

export function isUpload(v: unknown): v is UploadedFile {
  return typeof v === 'object' && v !== null && 'content' in v && Buffer.isBuffer((v as UploadedFile).content);
}
