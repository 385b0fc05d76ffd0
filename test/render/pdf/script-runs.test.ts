import { describe, expect, it } from 'vitest';
import { splitRuns } from '../../../src/render/pdf/script-runs.js';

describe('splitRuns', () => {
  it('keeps Latin, Greek and Cyrillic with diacritics in one Latin run', () => {
    expect(splitRuns('Zoë Łukasiewicz, Søren Ågård, Ελένη, Ёлка')).toEqual([{ text: 'Zoë Łukasiewicz, Søren Ågård, Ελένη, Ёлка', script: 'latin' }]);
  });

  it('gives Han, Kana, the long-vowel mark and CJK punctuation to the CJK font', () => {
    expect(splitRuns('Example Corp — Łódź & 東京')).toEqual([
      { text: 'Example Corp — Łódź & ', script: 'latin' },
      { text: '東京', script: 'cjk' },
    ]);
    expect(splitRuns('山田太郎（ヤマダ・ターロー）、テスト。')).toEqual([{ text: '山田太郎（ヤマダ・ターロー）、テスト。', script: 'cjk' }]);
    expect(splitRuns('김민준')).toEqual([{ text: '김민준', script: 'cjk' }]);
  });

  it('keeps ASCII spaces and punctuation between CJK characters in the CJK run', () => {
    expect(splitRuns('山田 太郎 (taro)')).toEqual([
      { text: '山田 太郎 (', script: 'cjk' },
      { text: 'taro)', script: 'latin' },
    ]);
  });

  it('keeps Latin punctuation that Unicode also lists for Han (the middle dot) in the Latin run', () => {
    expect(splitRuns('Critical · control CC6.1 · 4 shown')).toEqual([{ text: 'Critical · control CC6.1 · 4 shown', script: 'latin' }]);
  });

  it('gives the symbols Noto Sans lacks (≥, →, ✓) to the font that has them, and keeps the minus sign Latin', () => {
    expect(splitRuns('x ≥ N → ✓ −1')).toEqual([
      { text: 'x ', script: 'latin' },
      { text: '≥ ', script: 'cjk' },
      { text: 'N ', script: 'latin' },
      { text: '→ ✓ ', script: 'cjk' },
      { text: '−1', script: 'latin' },
    ]);
  });

  it('returns no run for an empty string', () => {
    expect(splitRuns('')).toEqual([]);
  });
});
