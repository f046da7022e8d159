import * as zlib from 'node:zlib';

/**
 * How the query index stores an entity's JSON text (docs/journal.md, "The query index"): raw
 * deflate with a preset dictionary, so a row of ~800 bytes takes ~150–250. A body is
 *
 *   dictionary id (4 bytes, big-endian: the CRC-32 of the dictionary's bytes)
 *   the JSON text's UTF-8 length (unsigned LEB128)
 *   the raw deflate stream
 *
 * The dictionary is {@link BASE_DICTIONARY} (the keys and values every entity repeats) or one
 * trained on the index's own rows ({@link trainDictionary}), kept in the index's `dicts` table
 * and named by its CRC, so a row never decodes with another dictionary than the one it was
 * written with, even in a process that held an older index's dictionaries.
 *
 * Decoding must cost little next to JSON.parse (the workstation decodes ~10k rows when it
 * opens), and Node's one-shot `inflateRawSync` creates a zlib stream per call (~15 µs, ~50 µs
 * with an 8 KiB dictionary). So one zlib handle per dictionary is kept and reset between rows
 * (~2–4 µs a row), through the stream's handle (`_handle.writeSync`, what `zlib`'s own sync
 * path calls): checked once per process on a probe (a known stream inflated, a text deflated and
 * read back by the public function), with the public one-shot functions as the fallback if a
 * Node version changes that.
 */

/** The strings every bead (and polecat) row repeats: a dictionary before any is trained. */
export const BASE_DICTIONARY = Buffer.from(
  [
    '"worktree":"","agent":"claude","argv":["claude"],"type_in":null,"pid":null,"exit_code":null,"name":"',
    '"failures":[],"releases":[],"step":"","step_molecule":"","acceptance":"","gate":null,"role":"polecat","molecule":"',
    '"branch":"polecat/","polecat":"","bead":"","state":"merged","reason":null,"head":"',
    '"from":"overseer","to":"refinery","subject":"","thread":"","reply_to":null,"read_by":[]}',
    '"status":"in_progress","priority":1,"status":"open","priority":2,"labels":[],"assignee":null,"needs":[],"parent":null,',
    '"created_by":"overseer","created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z",',
    '"closed_at":null,"close_reason":null}',
    '{"id":"ct-","type":"task","title":"","body":"","status":"closed","priority":2,"labels":[],"assignee":null,"needs":[],"parent":null,"created_by":"overseer","created_at":"2026-',
  ].join(''),
);

/** The most a trained dictionary holds (deflate's window is 32 KiB; more costs every encode). */
export const DICTIONARY_BYTES = 8192;

export const dictionaryId = (dictionary: Uint8Array): number => (zlib as unknown as { crc32: (data: Uint8Array) => number }).crc32(dictionary) >>> 0;

/**
 * A dictionary trained on `samples` (JSON texts of rows, in any order): the samples' text, then
 * `base` (the entities' base dictionary unless told) last (deflate codes near matches more cheaply), cut to
 * {@link DICTIONARY_BYTES} from the end.
 */
export function trainDictionary(samples: readonly string[], base: Buffer = BASE_DICTIONARY): Buffer {
  const text = Buffer.concat([Buffer.from(samples.join('')), base]);
  return text.length > DICTIONARY_BYTES ? Buffer.from(text.subarray(text.length - DICTIONARY_BYTES)) : text;
}

/** A body that does not decode (damaged bytes, an unknown dictionary). */
export class BodyUndecodable extends Error {}

type Handle = {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  reset(): void;
  onerror: (message: string, errno: number) => void;
};

type Reusable = { handle: Handle; state: Uint32Array; error: () => string | undefined };

/** One zlib handle reused row after row; undefined when this Node has no such handle (then the one-shot path). */
function reusable(stream: zlib.DeflateRaw | zlib.InflateRaw, kind: 'inflate' | 'deflate'): Reusable | undefined {
  if (!(kind === 'inflate' ? inflateProbe() : deflateProbe())) return undefined;
  return handleOf(stream);
}

/** A JSON text and its raw deflate with the base dictionary: what a reused inflate handle must give back. */
const PROBE_TEXT = '{"id":"ct-probe","type":"task","title":"probe","status":"open","labels":["ui"]}';
const PROBE_DEFLATED = 'Q7i2oCg/KRWnk2Gy6HEHd55SaaZSbC0A';

let inflateProbed: boolean | undefined;
/** True when a reused inflate handle inflates as the public function does, twice (checked once per process). */
function inflateProbe(): boolean {
  if (inflateProbed !== undefined) return inflateProbed;
  inflateProbed = false;
  try {
    const packed = Buffer.from(PROBE_DEFLATED, 'base64');
    const inflate = handleOf(zlib.createInflateRaw({ dictionary: BASE_DICTIONARY }));
    if (!inflate) return inflateProbed;
    const out = Buffer.alloc(256);
    for (let round = 0; round < 2; round++) {
      inflate.handle.writeSync(zlib.constants.Z_FINISH, packed, 0, packed.length, out, 0, out.length);
      const inflated = out.toString('utf8', 0, out.length - inflate.state[0]!);
      inflate.handle.reset();
      if (inflate.error() !== undefined || inflated !== PROBE_TEXT) return inflateProbed;
    }
    inflateProbed = true;
  } catch {
    inflateProbed = false;
  }
  return inflateProbed;
}

let deflateProbed: boolean | undefined;
/** True when a reused deflate handle gives what the public inflate function reads back, twice (checked once per process). */
function deflateProbe(): boolean {
  if (deflateProbed !== undefined) return deflateProbed;
  deflateProbed = false;
  try {
    const text = Buffer.from(`${PROBE_TEXT} ${'x'.repeat(300)}`);
    const deflate = handleOf(zlib.createDeflateRaw({ dictionary: BASE_DICTIONARY }));
    if (!deflate) return deflateProbed;
    const out = Buffer.alloc(text.length * 2 + 64);
    for (let round = 0; round < 2; round++) {
      deflate.handle.writeSync(zlib.constants.Z_FINISH, text, 0, text.length, out, 0, out.length);
      const deflated = out.subarray(0, out.length - deflate.state[0]!);
      deflate.handle.reset();
      if (deflate.error() !== undefined || !zlib.inflateRawSync(deflated, { dictionary: BASE_DICTIONARY }).equals(text)) return deflateProbed;
    }
    deflateProbed = true;
  } catch {
    deflateProbed = false;
  }
  return deflateProbed;
}

function handleOf(stream: zlib.DeflateRaw | zlib.InflateRaw): Reusable | undefined {
  const inner = stream as unknown as { _handle?: Handle; _writeState?: Uint32Array };
  const handle = inner._handle;
  const state = inner._writeState;
  if (!handle || typeof handle.writeSync !== 'function' || typeof handle.reset !== 'function' || !(state instanceof Uint32Array) || state.length < 2) return undefined;
  let failed: string | undefined;
  // Errors are reported here during writeSync (the stream's own handler would destroy it).
  handle.onerror = (message) => {
    failed = message || 'zlib error';
  };
  return {
    handle,
    state,
    error: () => {
      const error = failed;
      failed = undefined;
      return error;
    },
  };
}

let scratch = Buffer.allocUnsafe(1 << 16);
const room = (bytes: number): Buffer => (scratch.length >= bytes ? scratch : (scratch = Buffer.allocUnsafe(Math.max(bytes, scratch.length * 2))));

class Inflater {
  private readonly fast: Reusable | undefined;
  constructor(private readonly dictionary: Buffer) {
    this.fast = reusable(zlib.createInflateRaw({ dictionary }), 'inflate');
  }

  /** `data` inflated to exactly `bytes` bytes of UTF-8, or BodyUndecodable. */
  decode(data: Uint8Array, bytes: number, fast = this.fast): string {
    if (!fast) {
      let out: Buffer;
      try {
        out = zlib.inflateRawSync(data, { dictionary: this.dictionary });
      } catch (error) {
        throw new BodyUndecodable(String((error as Error).message));
      }
      if (out.length !== bytes) throw new BodyUndecodable(`${out.length} bytes, not ${bytes}`);
      return out.toString('utf8');
    }
    const out = room(bytes + 1);
    fast.handle.writeSync(zlib.constants.Z_FINISH, data, 0, data.length, out, 0, bytes + 1);
    const error = fast.error();
    const produced = bytes + 1 - fast.state[0]!;
    const left = fast.state[1]!;
    fast.handle.reset();
    if (error !== undefined) throw new BodyUndecodable(error);
    if (produced !== bytes || left !== 0) throw new BodyUndecodable(`${produced} bytes, not ${bytes}`);
    return out.toString('utf8', 0, bytes);
  }
}

class Deflater {
  private readonly fast: Reusable | undefined;
  constructor(private readonly dictionary: Buffer) {
    this.fast = reusable(zlib.createDeflateRaw({ dictionary }), 'deflate');
  }

  encode(text: Buffer): Buffer {
    if (!this.fast) return zlib.deflateRawSync(text, { dictionary: this.dictionary });
    // deflateBound for the default settings, with room to spare.
    const bound = text.length + (text.length >> 8) + 64;
    const out = room(bound);
    this.fast.handle.writeSync(zlib.constants.Z_FINISH, text, 0, text.length, out, 0, bound);
    const error = this.fast.error();
    const produced = bound - this.fast.state[0]!;
    const left = this.fast.state[1]!;
    this.fast.handle.reset();
    if (error !== undefined || left !== 0) return zlib.deflateRawSync(text, { dictionary: this.dictionary });
    return Buffer.from(out.subarray(0, produced));
  }
}

/**
 * Encodes and decodes bodies. `dictionary(id)` loads a dictionary by id (from the index's
 * `dicts` table, checked); the base dictionary is always known.
 */
export class BodyCodec {
  private readonly inflaters = new Map<number, Inflater>();
  private readonly deflaters = new Map<number, Deflater>();
  readonly baseId = dictionaryId(BASE_DICTIONARY);

  constructor(private readonly dictionary: (id: number) => Buffer | undefined) {}

  /** `text` (JSON) deflated with the dictionary `id` holds (`bytes`: that dictionary). */
  encode(text: string, id: number, bytes: Buffer): Buffer {
    let deflater = this.deflaters.get(id);
    if (!deflater) {
      // Only the newest dictionaries are written with: older ones are dropped.
      if (this.deflaters.size >= 4) this.deflaters.clear();
      this.deflaters.set(id, (deflater = new Deflater(bytes)));
    }
    const raw = Buffer.from(text);
    const data = deflater.encode(raw);
    const length = leb128(raw.length);
    const body = Buffer.allocUnsafe(4 + length.length + data.length);
    body.writeUInt32BE(id, 0);
    length.copy(body, 4);
    data.copy(body, 4 + length.length);
    return body;
  }

  decode(body: Uint8Array): string {
    if (body.length < 5) throw new BodyUndecodable('too short');
    const id = ((body[0]! << 24) | (body[1]! << 16) | (body[2]! << 8) | body[3]!) >>> 0;
    let bytes = 0;
    let at = 4;
    for (let shift = 0; ; shift += 7) {
      if (at >= body.length || shift > 28) throw new BodyUndecodable('bad length');
      const byte = body[at++]!;
      bytes += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    let inflater = this.inflaters.get(id);
    if (!inflater) {
      const dictionary = id === this.baseId ? BASE_DICTIONARY : this.dictionary(id);
      if (!dictionary || dictionaryId(dictionary) !== id) throw new BodyUndecodable(`no dictionary ${id}`);
      this.inflaters.set(id, (inflater = new Inflater(dictionary)));
    }
    return inflater.decode(body.subarray(at), bytes);
  }
}

function leb128(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}
