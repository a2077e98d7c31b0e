/**
 * Characters that change how text reads without being seen: bidirectional controls (U+202E
 * makes `rm -rf /tmp/x #‮` display as something else than what runs), zero-width characters,
 * the byte-order mark inside text, tag characters (hidden ASCII) and the other Unicode format
 * characters (category Cf), plus the line and paragraph separators that some views break lines
 * at while a shell does not.
 *
 * Human text (names, descriptions) keeps the zero-width joiner and non-joiner: emoji sequences
 * and several scripts (Persian, Indic) need them, and they do not reorder anything.
 */
const INVISIBLE = /[\p{Cf}\u2028\u2029]/u;
const INVISIBLE_IN_TEXT = /(?![\u200C\u200D])[\p{Cf}\u2028\u2029]/u;

const NAMES: Record<number, string> = {
  0x00ad: "SOFT HYPHEN",
  0x061c: "ARABIC LETTER MARK",
  0x180e: "MONGOLIAN VOWEL SEPARATOR",
  0x200b: "ZERO WIDTH SPACE",
  0x200c: "ZERO WIDTH NON-JOINER",
  0x200d: "ZERO WIDTH JOINER",
  0x200e: "LEFT-TO-RIGHT MARK",
  0x200f: "RIGHT-TO-LEFT MARK",
  0x2028: "LINE SEPARATOR",
  0x2029: "PARAGRAPH SEPARATOR",
  0x202a: "LEFT-TO-RIGHT EMBEDDING",
  0x202b: "RIGHT-TO-LEFT EMBEDDING",
  0x202c: "POP DIRECTIONAL FORMATTING",
  0x202d: "LEFT-TO-RIGHT OVERRIDE",
  0x202e: "RIGHT-TO-LEFT OVERRIDE",
  0x2060: "WORD JOINER",
  0x2061: "FUNCTION APPLICATION",
  0x2062: "INVISIBLE TIMES",
  0x2063: "INVISIBLE SEPARATOR",
  0x2064: "INVISIBLE PLUS",
  0x2066: "LEFT-TO-RIGHT ISOLATE",
  0x2067: "RIGHT-TO-LEFT ISOLATE",
  0x2068: "FIRST STRONG ISOLATE",
  0x2069: "POP DIRECTIONAL ISOLATE",
  0xfeff: "ZERO WIDTH NO-BREAK SPACE",
  0xfff9: "INTERLINEAR ANNOTATION ANCHOR",
  0xfffa: "INTERLINEAR ANNOTATION SEPARATOR",
  0xfffb: "INTERLINEAR ANNOTATION TERMINATOR",
};

/** `U+202E RIGHT-TO-LEFT OVERRIDE`. */
export function describeCodePoint(codePoint: number): string {
  const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
  const name = NAMES[codePoint] ?? (codePoint >= 0xe0000 && codePoint <= 0xe007f ? "TAG CHARACTER" : "(an invisible format character)");
  return `${hex} ${name}`;
}

/**
 * Why `value` may not be stored, or null when it may: "contains U+202E RIGHT-TO-LEFT OVERRIDE".
 * `text` is for human text (names, descriptions), which keeps the joiners.
 */
export function invisibleCharacterProblem(value: string, kind: "code" | "text"): string | null {
  const match = (kind === "text" ? INVISIBLE_IN_TEXT : INVISIBLE).exec(value);
  return match ? `contains ${describeCodePoint(match[0].codePointAt(0)!)}` : null;
}
