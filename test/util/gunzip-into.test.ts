import { describe, expect, it } from 'vitest';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createGunzipInto, GunzipTooLargeError, nativeGunzipAvailable } from '../../src/util/gunzip-into.js';

const text = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => `{"n":${i * seed},"s":"${'x'.repeat(i % 7)}"}`).join(','));

describe('createGunzipInto', () => {
  it('drives this Node\'s own inflater (not the gunzipSync fallback)', () => {
    expect(nativeGunzipAvailable()).toBe(true);
  });

  it('gives gunzipSync\'s bytes file after file: a size hint too small (the buffer grows), exact, too large, several members', () => {
    const g = createGunzipInto();
    const a = text(20_000, 3);
    const b = text(500, 7);
    const both = Buffer.concat([gzipSync(a), gzipSync(b)]);
    const cases: [Buffer, number][] = [[gzipSync(a), 1024], [gzipSync(b), b.length], [gzipSync(a), a.length + 64], [both, 1 << 20], [both, 100], [gzipSync(Buffer.alloc(0)), 64]];
    for (const [gz, hint] of cases) expect(g.gunzip(gz, 1 << 30, hint).equals(gunzipSync(gz))).toBe(true);
  });

  it('reuses its buffer: a result is valid until the next call', () => {
    const g = createGunzipInto();
    const first = g.gunzip(gzipSync(Buffer.from('first file')), 1000, 100);
    const copy = Buffer.from(first);
    g.gunzip(gzipSync(Buffer.from('other bytes')), 1000, 100);
    expect(first.buffer).toBe(g.gunzip(gzipSync(Buffer.from('x')), 1000, 100).buffer);
    expect(copy.toString()).toBe('first file');
  });

  it('refuses content past the cap, and invalid or cut gzip, with zlib\'s error; the next file is read as usual', () => {
    const g = createGunzipInto();
    const big = gzipSync(text(5_000, 1));
    expect(() => g.gunzip(big, 1000, 64)).toThrow(GunzipTooLargeError);
    expect(() => g.gunzip(big, 1000, 1 << 20)).toThrow(GunzipTooLargeError);
    expect(() => g.gunzip(Buffer.from('not gzip at all'), 1000, 64)).toThrow(/incorrect header check/);
    expect(() => g.gunzip(big.subarray(0, big.length - 100), 1 << 20, 1 << 20)).toThrow(/unexpected end of file/);
    const exact = text(300, 2);
    expect(g.gunzip(gzipSync(exact), exact.length, exact.length).equals(exact)).toBe(true);
    expect(() => g.gunzip(gzipSync(exact), exact.length - 1, exact.length)).toThrow(GunzipTooLargeError);
    expect(g.gunzip(big, 1 << 20, 64).equals(gunzipSync(big))).toBe(true);
  });
});
