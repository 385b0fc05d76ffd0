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

/** One open-addressing table: per slot a UUID as four words, the first content's fingerprint, a used flag. */
interface Segment {
  capacity: number;
  count: number;
  words: Int32Array;
  contents: Float64Array;
  used: Uint8Array;
}

const newSegment = (capacity: number): Segment => ({
  capacity,
  count: 0,
  words: new Int32Array(capacity * 4),
  contents: new Float64Array(capacity),
  used: new Uint8Array(capacity),
});

/** The slot of UUID `k` in `seg` (hash `h`): where it is, or the free slot where it would go. */
function slotOf(seg: Segment, k: Int32Array, h: number): number {
  const { words: w, used: u } = seg;
  const cap = seg.capacity;
  // The hash's high bits scaled to the capacity (which is not a power of two).
  let i = Math.floor(((h >>> 0) / 4294967296) * cap);
  while (u[i] && !(w[i * 4] === k[0] && w[i * 4 + 1] === k[1] && w[i * 4 + 2] === k[2] && w[i * 4 + 3] === k[3])) if (++i === cap) i = 0;
  return i;
}

function hashOf(k: Int32Array): number {
  const h = Math.imul(k[0] ^ Math.imul(k[1], 0x9e3779b1) ^ Math.imul(k[2], 0x85ebca6b) ^ Math.imul(k[3], 0xc2b2ae35), 0x27d4eb2f);
  return h ^ (h >>> 15);
}

/** The segment half as large again, with every id of `old` in it. */
function grown(old: Segment): Segment {
  const seg = newSegment(Math.ceil(old.capacity * 1.5));
  seg.count = old.count;
  const k = new Int32Array(4);
  // Word by word: a typed-array view per id (subarray) cost more than the rehash itself.
  for (let i = 0; i < old.capacity; i++) {
    if (!old.used[i]) continue;
    k[0] = old.words[i * 4];
    k[1] = old.words[i * 4 + 1];
    k[2] = old.words[i * 4 + 2];
    k[3] = old.words[i * 4 + 3];
    const s = slotOf(seg, k, hashOf(k) << SEGMENT_BITS);
    seg.words.set(k, s * 4);
    seg.contents[s] = old.contents[i];
    seg.used[s] = 1;
  }
  return seg;
}

/**
 * Event ids of a source, compactly. A million ids are most of what a run keeps in memory, and
 * CloudTrail's are UUIDs: those are held as 16 bytes in open-addressing tables, beside the
 * fingerprint of the first content kept (8 bytes) and a used flag: 31-47 MB per million ids (25 bytes
 * a slot, tables 53-80% full) instead of about 120 MB as strings in a Map; other ids go to a plain
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
      const h = hashOf(key);
      const seg = segments[h & (SEGMENTS - 1)];
      return seg.used[slotOf(seg, key, h << SEGMENT_BITS)] === 1;
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
      const h = hashOf(key);
      const at = h & (SEGMENTS - 1);
      const seg = segments[at];
      const s = slotOf(seg, key, h << SEGMENT_BITS);
      if (seg.used[s]) return again(id, seg.contents[s], content);
      seg.words.set(key, s * 4);
      seg.contents[s] = content;
      seg.used[s] = 1;
      if (++seg.count * 5 > seg.capacity * 4) segments[at] = grown(seg);
      return 'new';
    },
    collisions() {
      return new Map([...more].map(([id, list]) => [id, list.length + 1]));
    },
  };
}

/** `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in lower-case hex into four 32-bit words; false for anything else. */
function packUuid(id: string, out: Int32Array): boolean {
  if (id.length !== UUID_LENGTH) return false;
  if (id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45 || id.charCodeAt(18) !== 45 || id.charCodeAt(23) !== 45) return false;
  let word = 0;
  let nibbles = 0;
  let w = 0;
  for (let i = 0; i < UUID_LENGTH; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) continue;
    const c = id.charCodeAt(i);
    let v: number;
    if (c >= 48 && c <= 57) v = c - 48;
    else if (c >= 97 && c <= 102) v = c - 87;
    else return false;
    word = (word << 4) | v;
    if (++nibbles === 8) {
      out[w++] = word;
      word = 0;
      nibbles = 0;
    }
  }
  return true;
}
