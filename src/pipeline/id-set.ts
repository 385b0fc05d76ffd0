/**
 * What the de-duplication set says of a record: the first with its id (`new`), the same content
 * seen before under its id (`duplicate`: removed), or other content under an id already seen
 * (`collision`: kept, and flagged: real trails reuse event ids for different events).
 */
export type IdCheck = 'new' | 'duplicate' | 'collision';

/** The de-duplication set of a source: event ids with the fingerprints of the contents kept under them. */
export interface IdSet {
  /** Whether a record of this id was kept. */
  has(id: string): boolean;
  /** Classifies the record and remembers its content (unless a duplicate). */
  check(id: string, content: number): IdCheck;
  /** Ids kept with more than one content, and how many contents each: the id collisions. */
  collisions(): Map<string, number>;
}

const UUID_LENGTH = 36;
/** Tables the ids are spread over by their hash; each grows on its own, so a growth copies 1/256 of them. */
const SEGMENT_BITS = 8;
const SEGMENTS = 1 << SEGMENT_BITS;
/** Slots per table at first; a table grows by half when four fifths full, so it is 53-80% full. */
const FIRST_CAPACITY = 64;
/**
 * A slot is 24 bytes of one buffer: the UUID as four 32-bit words, then the first content's
 * fingerprint as a float64. A free slot is all zeros, as the buffer is made (a fill per table cost
 * a tenth of the set's time): the nil UUID, whose words are zeros, is kept in the Map with the
 * ids that are not UUIDs. One buffer, not a table per field: a probe of a set far larger than the
 * caches touches one cache line instead of three.
 */
const SLOT_WORDS = 6;
const SLOT_FLOATS = 3;

interface Segment {
  capacity: number;
  count: number;
  words: Int32Array;
  floats: Float64Array;
}

function newSegment(capacity: number): Segment {
  const buffer = new ArrayBuffer(capacity * SLOT_WORDS * 4);
  return { capacity, count: 0, words: new Int32Array(buffer), floats: new Float64Array(buffer) };
}

/**
 * The slot of the UUID `k0..k3` (not all zeros) in `seg` (hash `h`): its index where it is, or
 * -1 - the index of the free slot where it would go.
 */
function slotOf(seg: Segment, k0: number, k1: number, k2: number, k3: number, h: number): number {
  const w = seg.words;
  const cap = seg.capacity;
  // The hash's high bits scaled to the capacity (which is not a power of two).
  let i = Math.floor(((h >>> 0) / 4294967296) * cap);
  for (;;) {
    const o = i * SLOT_WORDS;
    const a = w[o];
    const b = w[o + 1];
    const c = w[o + 2];
    const d = w[o + 3];
    if (a === k0 && b === k1 && c === k2 && d === k3) return i;
    if ((a | b | c | d) === 0) return -1 - i;
    if (++i === cap) i = 0;
  }
}

function hashOf(k0: number, k1: number, k2: number, k3: number): number {
  const h = Math.imul(k0 ^ Math.imul(k1, 0x9e3779b1) ^ Math.imul(k2, 0x85ebca6b) ^ Math.imul(k3, 0xc2b2ae35), 0x27d4eb2f);
  return h ^ (h >>> 15);
}

/** Puts a UUID and its content in slot `s`. */
function fill(seg: Segment, s: number, k0: number, k1: number, k2: number, k3: number, content: number): void {
  const o = s * SLOT_WORDS;
  seg.words[o] = k0;
  seg.words[o + 1] = k1;
  seg.words[o + 2] = k2;
  seg.words[o + 3] = k3;
  seg.floats[s * SLOT_FLOATS + 2] = content;
}

/** The segment half as large again, with every id of `old` in it. */
function grown(old: Segment): Segment {
  const seg = newSegment(Math.ceil(old.capacity * 1.5));
  seg.count = old.count;
  const { words: w, floats: f } = old;
  for (let i = 0; i < old.capacity; i++) {
    const o = i * SLOT_WORDS;
    const k0 = w[o], k1 = w[o + 1], k2 = w[o + 2], k3 = w[o + 3];
    if ((k0 | k1 | k2 | k3) === 0) continue;
    fill(seg, -1 - slotOf(seg, k0, k1, k2, k3, hashOf(k0, k1, k2, k3) << SEGMENT_BITS), k0, k1, k2, k3, f[i * SLOT_FLOATS + 2]);
  }
  return seg;
}

/**
 * Event ids of a source, compactly. A million ids are most of what a run keeps in memory, and
 * CloudTrail's are UUIDs: those are held as 16 bytes in open-addressing tables, beside the
 * fingerprint of the first content kept (8 bytes): 30-45 MB per million ids (24 bytes a slot,
 * tables 53-80% full) instead of about 120 MB as strings in a Map; other ids go to a plain
 * Map. The ids are spread over 256 tables that grow one at a time, so memory follows the count of
 * ids in small steps: one table growing in place of the whole set, which held the old and the new
 * table at once at each doubling (78 MB at 524,288 ids) and was half empty after it. Exact on
 * ids: two ids share a slot only when they are the same UUID text (lower-case hex; other spellings
 * use the Map). The further contents of an id (collisions, rare) are kept in a side Map.
 */
export function createIdSet(): IdSet {
  const others = new Map<string, number>();
  /** Fingerprints beyond the first, per id that collided. */
  const more = new Map<string, number[]>();
  const segments = Array.from({ length: SEGMENTS }, () => newSegment(FIRST_CAPACITY));
  const key = new Int32Array(4);

  /** Another content under an id already kept with `first`. */
  const again = (id: string, first: number, content: number): IdCheck => {
    if (first === content) return 'duplicate';
    const list = more.get(id);
    if (list?.includes(content)) return 'duplicate';
    if (list) list.push(content);
    else more.set(id, [content]);
    return 'collision';
  };

  return {
    has(id) {
      if (!packUuid(id, key)) return others.has(id);
      const k0 = key[0], k1 = key[1], k2 = key[2], k3 = key[3];
      const h = hashOf(k0, k1, k2, k3);
      return slotOf(segments[h & (SEGMENTS - 1)], k0, k1, k2, k3, h << SEGMENT_BITS) >= 0;
    },
    check(id, content) {
      if (!packUuid(id, key)) {
        const first = others.get(id);
        if (first === undefined) {
          others.set(id, content);
          return 'new';
        }
        return again(id, first, content);
      }
      const k0 = key[0], k1 = key[1], k2 = key[2], k3 = key[3];
      const h = hashOf(k0, k1, k2, k3);
      const at = h & (SEGMENTS - 1);
      const seg = segments[at];
      const s = slotOf(seg, k0, k1, k2, k3, h << SEGMENT_BITS);
      if (s >= 0) return again(id, seg.floats[s * SLOT_FLOATS + 2], content);
      fill(seg, -1 - s, k0, k1, k2, k3, content);
      if (++seg.count * 5 > seg.capacity * 4) segments[at] = grown(seg);
      return 'new';
    },
    collisions() {
      return new Map([...more].map(([id, list]) => [id, list.length + 1]));
    },
  };
}

/** Each character code's hex digit value (lower-case only), -1 for anything else. */
const HEX = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let c = 48; c <= 57; c++) t[c] = c - 48;
  for (let c = 97; c <= 102; c++) t[c] = c - 87;
  return t;
})();

/**
 * Eight hex digits of `id` at `from` (four, then four more at `second` where the UUID's dash cuts
 * them) into `out[at]` as one word; false for a character that is not a lower-case hex digit.
 */
function word(id: string, from: number, second: number, out: Int32Array, at: number): boolean {
  let w = 0;
  let bad = 0;
  for (let i = 0; i < 8; i++) {
    const c = id.charCodeAt(i < 4 ? from + i : second + i - 4);
    const v = c < 128 ? HEX[c] : -1;
    bad |= v;
    w = (w << 4) | (v & 15);
  }
  out[at] = w;
  return bad >= 0;
}

/** `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in lower-case hex into four 32-bit words; false for anything else, and for the nil UUID. */
function packUuid(id: string, out: Int32Array): boolean {
  if (id.length !== UUID_LENGTH) return false;
  if (id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45 || id.charCodeAt(18) !== 45 || id.charCodeAt(23) !== 45) return false;
  if (!(word(id, 0, 4, out, 0) && word(id, 9, 14, out, 1) && word(id, 19, 24, out, 2) && word(id, 28, 32, out, 3))) return false;
  // The nil UUID's words are a free slot's: it goes to the Map.
  return (out[0] | out[1] | out[2] | out[3]) !== 0;
}
