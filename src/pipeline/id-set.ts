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

/**
 * Event ids of a source, compactly. A million ids are most of what a run keeps in memory, and
 * CloudTrail's are UUIDs: those are held as 16 bytes in an open-addressing table, beside the
 * fingerprint of the first content kept (8 bytes), about 50 MB per million instead of about
 * 120 MB as strings in a Map; other ids go to a plain Map. Exact on ids: two ids share a slot only
 * when they are the same UUID text (lower-case hex; other spellings use the Map). The further
 * contents of an id (collisions, rare) are kept in a side Map.
 */
export function createIdSet(): IdSet {
  const others = new Map<string, number>();
  /** Fingerprints beyond the first, per id that collided. */
  const more = new Map<string, number[]>();
  let capacity = 1 << 12;
  let words = new Int32Array(capacity * 4);
  let contents = new Float64Array(capacity);
  let used = new Uint8Array(capacity);
  let count = 0;
  const key = new Int32Array(4);

  const slotOf = (k: Int32Array, w: Int32Array, u: Uint8Array, cap: number): number => {
    let h = Math.imul(k[0] ^ Math.imul(k[1], 0x9e3779b1) ^ Math.imul(k[2], 0x85ebca6b) ^ Math.imul(k[3], 0xc2b2ae35), 0x27d4eb2f);
    h ^= h >>> 15;
    let i = h & (cap - 1);
    while (u[i] && !(w[i * 4] === k[0] && w[i * 4 + 1] === k[1] && w[i * 4 + 2] === k[2] && w[i * 4 + 3] === k[3])) i = (i + 1) & (cap - 1);
    return i;
  };
  const grow = () => {
    const oldWords = words;
    const oldContents = contents;
    const oldUsed = used;
    const oldCap = capacity;
    capacity *= 2;
    words = new Int32Array(capacity * 4);
    contents = new Float64Array(capacity);
    used = new Uint8Array(capacity);
    const k = new Int32Array(4);
    // Word by word: a typed-array view per id (subarray) cost more than the rehash itself.
    for (let i = 0; i < oldCap; i++) {
      if (!oldUsed[i]) continue;
      k[0] = oldWords[i * 4];
      k[1] = oldWords[i * 4 + 1];
      k[2] = oldWords[i * 4 + 2];
      k[3] = oldWords[i * 4 + 3];
      const s = slotOf(k, words, used, capacity);
      words[s * 4] = k[0];
      words[s * 4 + 1] = k[1];
      words[s * 4 + 2] = k[2];
      words[s * 4 + 3] = k[3];
      contents[s] = oldContents[i];
      used[s] = 1;
    }
  };
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
      return used[slotOf(key, words, used, capacity)] === 1;
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
      const s = slotOf(key, words, used, capacity);
      if (used[s]) return again(id, contents[s], content);
      words.set(key, s * 4);
      contents[s] = content;
      used[s] = 1;
      if (++count * 2 > capacity) grow();
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
