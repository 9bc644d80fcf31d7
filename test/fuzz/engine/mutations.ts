// The inputs the fuzz loop tries, as a fast-check arbitrary: an entry of the
// live corpus changed by a few byte-level edits (libFuzzer's mutations:
// flip, set, insert, erase, copy a chunk, splice from another entry, insert
// a dictionary token, write an "interesting" number), or now and then a
// short random buffer. The corpus grows while the loop runs; an index into
// it is drawn, so fast-check can still shrink a failing input to fewer and
// smaller edits.

import fc from 'fast-check';

type Edit =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; byte: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'erase'; at: number; length: number }
  | { op: 'copy'; from: number; at: number; length: number }
  | { op: 'splice'; other: number; from: number; at: number; length: number }
  | { op: 'token'; at: number; token: number }
  | { op: 'number'; at: number; width: 1 | 2 | 4; value: number; littleEndian: boolean };

const INTERESTING = [0, 1, 2, 0x10, 0x1f, 0x20, 0x7f, 0x80, 0xff, 0x100, 0x3ff, 0x7fff, 0x8000, 0xffff, 0x1000, 0xfff, 4096, 4097, 253, 254, 255, 0x7fffffff, 0x80000000, 0xffffffff];

const position = fc.noBias(fc.nat({ max: 0xffff }));

function editArbitrary(tokenCount: number): fc.Arbitrary<Edit> {
  const edits: fc.Arbitrary<Edit>[] = [
    fc.record({ op: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ op: fc.constant('set' as const), at: position, byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ op: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    fc.record({ op: fc.constant('erase' as const), at: position, length: fc.integer({ min: 1, max: 32 }) }),
    fc.record({ op: fc.constant('copy' as const), from: position, at: position, length: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ op: fc.constant('splice' as const), other: position, from: position, at: position, length: fc.integer({ min: 1, max: 128 }) }),
    fc.record({
      op: fc.constant('number' as const),
      at: position,
      width: fc.constantFrom(1 as const, 2 as const, 4 as const),
      value: fc.constantFrom(...INTERESTING),
      littleEndian: fc.boolean(),
    }),
  ];
  if (tokenCount > 0) edits.push(fc.record({ op: fc.constant('token' as const), at: position, token: fc.nat({ max: tokenCount - 1 }) }));
  return fc.oneof(...edits);
}

function writeNumber(value: number, width: 1 | 2 | 4, littleEndian: boolean): Buffer {
  const b = Buffer.alloc(width);
  const v = value % 2 ** (8 * width);
  if (width === 1) b.writeUInt8(v);
  else if (width === 2) littleEndian ? b.writeUInt16LE(v) : b.writeUInt16BE(v);
  else littleEndian ? b.writeUInt32LE(v) : b.writeUInt32BE(v);
  return b;
}

function apply(base: Buffer, edits: Edit[], pool: readonly Buffer[], tokens: readonly Buffer[], maxLength: number): Buffer {
  let b = base;
  for (const e of edits) {
    const at = (n: number, extra = 0): number => n % (b.length + extra);
    switch (e.op) {
      case 'flip':
      case 'set': {
        if (b.length === 0) break;
        b = Buffer.from(b);
        const i = at(e.at);
        b[i] = e.op === 'flip' ? b[i]! ^ (1 << e.bit) : e.byte;
        break;
      }
      case 'insert': {
        const i = at(e.at, 1);
        b = Buffer.concat([b.subarray(0, i), e.bytes, b.subarray(i)]);
        break;
      }
      case 'erase': {
        if (b.length === 0) break;
        const i = at(e.at);
        b = Buffer.concat([b.subarray(0, i), b.subarray(i + e.length)]);
        break;
      }
      case 'copy': {
        if (b.length === 0) break;
        const from = at(e.from);
        const i = at(e.at, 1);
        b = Buffer.concat([b.subarray(0, i), b.subarray(from, from + e.length), b.subarray(i)]);
        break;
      }
      case 'splice': {
        const other = pool[e.other % pool.length]!;
        if (other.length === 0) break;
        const from = e.from % other.length;
        const i = at(e.at, 1);
        b = Buffer.concat([b.subarray(0, i), other.subarray(from, from + e.length), b.subarray(i)]);
        break;
      }
      case 'token': {
        const i = at(e.at, 1);
        b = Buffer.concat([b.subarray(0, i), tokens[e.token]!, b.subarray(i)]);
        break;
      }
      case 'number': {
        const n = writeNumber(e.value, e.width, e.littleEndian);
        if (b.length < e.width) break;
        b = Buffer.from(b);
        n.copy(b, e.at % (b.length - e.width + 1));
        break;
      }
    }
  }
  return b.length > maxLength ? b.subarray(0, maxLength) : b;
}

/** Mutated corpus entries (and a few random buffers); `pool` may grow while the arbitrary is in use, never shrink. */
export function mutatedInputs(pool: readonly Buffer[], tokens: readonly Buffer[], maxLength: number): fc.Arbitrary<Buffer> {
  const mutated = fc
    .record({ base: position, edits: fc.array(editArbitrary(tokens.length), { minLength: 1, maxLength: 6 }) })
    .map(({ base, edits }) => apply(pool[base % pool.length]!, edits, pool, tokens, maxLength));
  const random = fc.uint8Array({ maxLength: Math.min(256, maxLength) }).map((a) => Buffer.from(a));
  return fc.oneof({ weight: 15, arbitrary: mutated }, { weight: 1, arbitrary: random });
}
