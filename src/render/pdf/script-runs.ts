/**
 * pdfkit has no font fallback: a glyph missing from the current font prints as a box. We
 * therefore split every string into runs by script and give each run the font that covers it:
 * Han, Kana, Hangul, Bopomofo, CJK punctuation and full-width forms go to the CJK font, and so
 * do the symbol blocks Noto Sans lacks and Noto Sans JP has (number forms, arrows, mathematical
 * operators such as "≥", box drawing, geometric shapes, check marks); everything else (Latin,
 * Greek, Cyrillic, digits, punctuation) goes to the Latin font.
 */
export type ScriptClass = 'latin' | 'cjk';

export interface TextRun {
  text: string;
  script: ScriptClass;
}

// By Script plus the CJK blocks, not by Script_Extensions: "ー" (U+30FC) and "、。" are Common by
// Script and need the CJK font, while "·" (U+00B7) lists Han among its extensions yet is Latin punctuation.
// Roman numerals and U+2190–U+27BF but for U+2212 (minus) and U+25CC (dotted circle), which Noto
// Sans has: measured with fontkit's hasGlyphForCodePoint on both fonts.
const CJK = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\p{sc=Bopomofo}\u3000-\u30ff\u31f0-\u31ff\u3200-\u33ff\uff00-\uffef\u2160-\u2182\u2190-\u2211\u2213-\u25cb\u25cd-\u27bf]/u;
// Spaces and ASCII punctuation between two CJK characters stay in the CJK run (both fonts have them).
const NEUTRAL = /[\s\p{P}\p{N}]/u;

function scriptOf(ch: string): ScriptClass {
  return CJK.test(ch) ? 'cjk' : 'latin';
}

export function splitRuns(text: string): TextRun[] {
  const runs: TextRun[] = [];
  let current: TextRun | null = null;
  for (const ch of text) {
    let script = scriptOf(ch);
    if (script === 'latin' && current?.script === 'cjk' && NEUTRAL.test(ch) && ch.charCodeAt(0) < 0x80) script = 'cjk';
    if (current && current.script === script) current.text += ch;
    else {
      current = { text: ch, script };
      runs.push(current);
    }
  }
  return runs;
}
