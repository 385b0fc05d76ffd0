import { describe, expect, it } from 'vitest';
import { createTextBuffer } from '../../src/util/text-buffer.js';

describe('text buffer', () => {
  it('holds the UTF-8 of what was put, short and long, ASCII or not, across growths and takes', () => {
    const pieces = [
      '<c r="A', '12', '" s="3"><v>', 'é', '😀 emoji', 'x'.repeat(47), 'y'.repeat(48), `${'ü'.repeat(30)}${'z'.repeat(30)}`,
      '日本語のテキスト'.repeat(20), 'a lone \uD800 surrogate in a long string of forty-eight chars or more', '',
    ];
    const buf = createTextBuffer(16);
    const taken: Buffer[] = [];
    let expected = '';
    for (let i = 0; i < 400; i++) {
      const s = pieces[i % pieces.length];
      buf.put(s);
      expected += s;
      if (i % 97 === 0) taken.push(buf.take());
    }
    taken.push(buf.take());
    expect(Buffer.concat(taken).equals(Buffer.from(expected, 'utf8'))).toBe(true);
    expect(buf.size).toBe(0);
  });
});

describe('text buffer recycling', () => {
  it('fills a recycled buffer again, and never one still out', () => {
    const buf = createTextBuffer(64);
    buf.put('first');
    const first = buf.take();
    buf.put('second');
    const second = buf.take();
    // `first` is still out (not recycled): taking again must not write over it.
    buf.put('third!');
    const third = buf.take();
    expect([first.toString(), second.toString(), third.toString()]).toEqual(['first', 'second', 'third!']);
    expect(third.buffer).not.toBe(first.buffer);
    buf.recycle(second);
    buf.put('fourth');
    buf.take();
    buf.put('fifth');
    expect(buf.take().buffer).toBe(second.buffer);
    expect(first.toString()).toBe('first');
    // A buffer grown past the capacity by a long string is not kept for reuse.
    buf.put('x'.repeat(500));
    const long = buf.take();
    buf.recycle(long);
    buf.put('y');
    buf.take();
    buf.put('z');
    expect(buf.take().buffer).not.toBe(long.buffer);
  });
});
