/**
 * Orders strings by Unicode code point: the same order on every machine. `localeCompare` without
 * a locale follows the process's locale (Node's ICU reads LANG/LC_ALL), so "aa" sorts after "z"
 * under da_DK and before "b" under en_US, and a pack's tables, and so its hashes, would change
 * with the machine. Plain `<` compares UTF-16 code units, which puts U+E000–U+FFFF after astral
 * characters; the fix-up below maps surrogates above them, as ICU's code point order does.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return fixup(x) < fixup(y) ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

function fixup(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000; // surrogates: after every BMP character
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
