import { Composer, parseDocument, type CST, type Document, type DocumentOptions, type LineCounter, type ParseOptions, type SchemaOptions } from "yaml";

/**
 * `parseDocument(text, options)`, through the line scanner for the block layout schedule files
 * use (`blockLayoutTokens`: the same Document in a third of the time) and the library's own
 * parser for any other text, or when the scanned tokens compose with errors or warnings (the
 * library words and positions those).
 */
export function parseYamlDocument(text: string, options: ParseOptions & DocumentOptions & SchemaOptions & { lineCounter: LineCounter }): Document.Parsed {
  let tokens: CST.Token[] | null = null;
  try {
    tokens = blockLayoutTokens(text);
  } catch {
    // A fault in the scanner (tests call it directly and see it) must not fail a parse the library can do.
  }
  if (tokens) {
    const { lineCounter, ...rest } = options;
    const [doc] = new Composer(rest).compose(tokens, true, text.length);
    if (doc && doc.errors.length === 0 && doc.warnings.length === 0) {
      // What the Parser reports as it goes: the start of every line, the first included.
      lineCounter.addNewLine(0);
      for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) lineCounter.addNewLine(at + 1);
      return doc as Document.Parsed;
    }
  }
  return parseDocument(text, options);
}

/**
 * The `yaml` Parser's syntax tree (CST) for a text in the block layout schedule files use, made
 * by a line scanner instead of the library's lexer and parser, or null when the text uses
 * anything else. Composing these tokens (yaml's `Composer`) gives the Document a full parse
 * gives; the library's lexer and parser are most of its cost (~50 µs of ~65 µs per task).
 *
 * The layout: maps of `key: value` lines (plain or quoted keys), nested by indentation; values
 * that are one-line plain, single- or double-quoted scalars, `[a, "b"]` flow sequences of such
 * scalars, `{}`/`[]`, or a block sequence of `- scalar` lines (indented or at its key's column);
 * comment lines indented like the line that follows them; blank lines, spaces or not. Anything
 * else (tabs outside quotes and comments, CR, multi-line scalars, anchors, tags, block scalars,
 * flow maps, document markers, a comment at the end of the file...) returns null, and the caller
 * parses with the library. Where each token goes (a pair's `sep`, an item's `start`, the
 * document's `end`) and its `indent` copy the Parser exactly; tests compare the two on generated
 * files.
 */
export function blockLayoutTokens(text: string): CST.Token[] | null {
  try {
    return new Scanner(text).scan();
  } catch (error) {
    if (error === OUTSIDE_LAYOUT) return null;
    throw error;
  }
}

const OUTSIDE_LAYOUT = Symbol("outside the block layout");
const outside = (): never => {
  throw OUTSIDE_LAYOUT;
};

/** Characters the text may not hold at all: CR, a BOM. (A tab is refused outside quotes and comments.) */
const UNSUPPORTED_CHAR = /[\r\uFEFF]/;
/** A plain key: what task ids and field names are. */
const PLAIN_KEY = /[A-Za-z0-9_][A-Za-z0-9_.-]*/y;
/** First characters a plain block scalar may not start with (indicators); `-` is checked apart. */
const PLAIN_START_INDICATOR = /[\s,[\]{}#&*!|>'"%@`?:-]/;
/** A plain flow item: no `#`, quotes, brackets or commas in it, a `:` only between two other characters. */
const FLOW_PLAIN = /[^\s,[\]{}#&*!|>'"%@`?:-](?:[^,[\]{}#:'"\t]|:(?=[^\s,[\]{}:]))*/y;

type SourceToken = CST.SourceToken;
type Collection =
  | { kind: "map"; indent: number; token: CST.BlockMap }
  /** `atKeyIndent`: a sequence at its key's own indentation (`tags:\n- a`). */
  | { kind: "seq"; indent: number; token: CST.BlockSequence; atKeyIndent?: boolean };

function newCollection(kind: Collection["kind"], indent: number, offset: number, atKeyIndent: boolean): Collection {
  return kind === "map"
    ? { kind, indent, token: { type: "block-map", offset, indent, items: [] } }
    : { kind, indent, token: { type: "block-seq", offset, indent, items: [] }, atKeyIndent };
}

class Scanner {
  private readonly text: string;
  private readonly out: CST.Token[] = [];
  private readonly stack: Collection[] = [];
  /** Where the tokens between lines go: a pair's `sep` after `key:` with nothing after it, else `pending`. */
  private sink: SourceToken[] = [];
  /** The `start` of the next item (block map or sequence), whichever collection it belongs to. */
  private pending: SourceToken[] = this.sink;
  /** The pair whose `key:` ended its line, waiting for a nested block (or for nothing: a null value). */
  private open: { indent: number; item: CST.BlockMap["items"][number] } | null = null;
  private doc: CST.Document | null = null;
  /** The last look ahead past blank and comment lines: the content line it found and its indentation. */
  private ahead = { at: -1, indent: -1 };

  constructor(text: string) {
    this.text = text;
  }

  scan(): CST.Token[] {
    const { text } = this;
    if (UNSUPPORTED_CHAR.test(text)) outside();
    let pos = 0;
    while (pos < text.length) {
      let eol = text.indexOf("\n", pos);
      if (eol === -1) eol = text.length;
      this.line(pos, eol);
      pos = eol + 1;
    }
    if (!this.doc) outside();
    // Blank lines at the end follow the last value; a comment there becomes an item of its own (not modelled).
    if (this.pending.some((token) => token.type === "comment")) outside();
    if (this.sink === this.pending && this.pending.length > 0) this.doc!.end = this.pending;
    return this.out;
  }

  private line(start: number, eol: number): void {
    const { text } = this;
    let indent = 0;
    while (text.charCodeAt(start + indent) === 32) indent++;
    const first = start + indent;
    const newline = eol < text.length;
    // A blank line may hold spaces, and the last line of the file may end without a line break.
    const blank = first === eol;
    const comment = !blank && text.charCodeAt(first) === 35 /* # */;
    if (blank || comment) {
      // Where the Parser puts these lines' tokens inside a sequence at its key's indentation, or
      // after a `key:` whose value is null, is not modelled; a comment must lead into the next
      // content line at its own indentation.
      if (this.inKeyIndentSequence()) outside();
      if (this.doc && (!this.opensBlock(eol) || (comment && this.nextContentIndent(eol) !== indent))) outside();
    }
    // Before the document, comments and the first key start at column 0.
    if (!this.doc && indent > 0 && !blank) outside();
    if (!this.doc && !blank && !comment) {
      this.doc = { type: "document", offset: first, start: [], value: undefined };
      this.out.push(this.doc);
    }
    // Lines before the document are top-level tokens; the rest go wherever the tokens between lines go.
    const into = this.doc ? this.sink : this.out;
    if (indent > 0) into.push({ type: "space", offset: start, indent: 0, source: text.slice(start, first) });
    if (blank || comment) {
      if (comment) into.push({ type: "comment", offset: first, indent, source: text.slice(first, eol) });
      if (newline) into.push({ type: "newline", offset: eol, indent, source: "\n" });
      return;
    }
    if (text.charCodeAt(first) === 45 /* - */ && (first + 1 === eol || text.charCodeAt(first + 1) === 32)) this.seqItem(indent, first, eol, newline);
    else this.mapItem(indent, first, eol, newline);
  }

  /** Whether the innermost open collection is a sequence at its key's indentation (`tags:\n- a`). */
  private inKeyIndentSequence(): boolean {
    const top = this.stack.at(-1);
    return top?.kind === "seq" && top.atKeyIndent === true;
  }

  /**
   * Whether lines between here and the next content line may follow: not after a `key:` with
   * nothing on its line whose value is null (next line not deeper), where the Parser splits
   * their tokens between the pair and the next item in ways not modelled here.
   */
  private opensBlock(eol: number): boolean {
    return !this.open || this.nextContentIndent(eol) > this.open.indent;
  }

  /** Indentation of the next line that is neither blank nor a comment (-1 at the end): one look per run of such lines. */
  private nextContentIndent(from: number): number {
    if (from < this.ahead.at) return this.ahead.indent;
    const { text } = this;
    let pos = from + 1;
    while (pos < text.length) {
      let indent = 0;
      while (text.charCodeAt(pos + indent) === 32) indent++;
      const code = text.charCodeAt(pos + indent);
      if (code !== 10 && code !== 35 && pos + indent < text.length) {
        this.ahead = { at: pos, indent };
        return indent;
      }
      const eol = text.indexOf("\n", pos);
      if (eol === -1) break;
      pos = eol + 1;
    }
    this.ahead = { at: Infinity, indent: -1 };
    return -1;
  }

  /** The collection a line at `indent` continues or opens, after closing the deeper ones. */
  private enter(indent: number, kind: "map" | "seq", offset: number): Collection {
    const open = this.open;
    this.open = null;
    // A nested block: deeper than its key, or a sequence at the key's own indentation (`tags:\n- a`).
    // Otherwise an open `key:` has a null value.
    if (open && (indent > open.indent || (kind === "seq" && indent === open.indent))) {
      const collection = newCollection(kind, indent, offset, indent === open.indent);
      open.item.value = collection.token;
      this.stack.push(collection);
      return collection;
    }
    if (this.stack.length === 0 && kind === "map" && indent === 0) {
      const collection = newCollection(kind, indent, offset, false);
      this.doc!.value = collection.token;
      this.stack.push(collection);
      return collection;
    }
    // Close the deeper collections, and a sequence at its key's indentation when the next key comes.
    for (let top = this.stack.at(-1); top && (top.indent > indent || (top.indent === indent && top.kind === "seq" && kind === "map")); top = this.stack.at(-1)) {
      this.stack.pop();
    }
    const top = this.stack.at(-1);
    if (!top || top.indent !== indent || top.kind !== kind) outside();
    return top!;
  }

  /** The `start` of a new item: what came between the lines, unless a `key:` above took it. */
  private takeStart(): SourceToken[] {
    const start = this.sink === this.pending ? this.pending : [];
    this.pending = this.sink = [];
    return start;
  }

  private mapItem(indent: number, first: number, eol: number, newline: boolean): void {
    const { text } = this;
    let key: CST.FlowScalar;
    const quote = text.charCodeAt(first);
    if (quote === 34 || quote === 39) {
      key = this.scalar(first, eol, indent, false).value; // a task id that reads as a number is quoted: "42"
    } else {
      PLAIN_KEY.lastIndex = first;
      if (!PLAIN_KEY.test(text)) outside();
      key = { type: "scalar", offset: first, indent, source: text.slice(first, PLAIN_KEY.lastIndex) };
    }
    const colon = first + key.source.length;
    if (text.charCodeAt(colon) !== 58 /* : */ || (colon + 1 < eol && text.charCodeAt(colon + 1) !== 32)) outside();
    const map = this.enter(indent, "map", first) as Extract<Collection, { kind: "map" }>;
    const sep: SourceToken[] = [{ type: "map-value-ind", offset: colon, indent, source: ":" }];
    const item: CST.BlockMap["items"][number] = {
      start: this.takeStart(),
      key,
      sep,
    };
    map.token.items.push(item);
    let pos = colon + 1;
    const spaces = this.spacesFrom(pos, eol);
    if (spaces > 0) sep.push({ type: "space", offset: pos, indent, source: text.slice(pos, pos + spaces) });
    pos += spaces;
    if (pos < eol && text.charCodeAt(pos) !== 35) {
      item.value = this.flowValue(pos, eol, indent, newline);
      return;
    }
    if (pos < eol) sep.push({ type: "comment", offset: pos, indent, source: text.slice(pos, eol) });
    if (newline) sep.push({ type: "newline", offset: eol, indent, source: "\n" });
    this.sink = sep;
    this.open = { indent, item };
  }

  private seqItem(indent: number, first: number, eol: number, newline: boolean): void {
    const seq = this.enter(indent, "seq", first) as Extract<Collection, { kind: "seq" }>;
    const start = this.takeStart();
    start.push({ type: "seq-item-ind", offset: first, indent, source: "-" });
    // Exactly one space, then a scalar: `- key: value`, `- - x` and an empty item are not modelled.
    if (first + 1 >= eol || this.text.charCodeAt(first + 2) === 32) outside();
    start.push({ type: "space", offset: first + 1, indent: indent + 1, source: " " });
    const value = this.flowValue(first + 2, eol, indent + 2, newline);
    if (value.type === "flow-collection") outside();
    seq.token.items.push({ start, value });
  }

  /** A one-line value from `pos`, with what follows it on the line (spaces, a comment, the line break) as its `end`. */
  private flowValue(pos: number, eol: number, indent: number, newline: boolean): CST.FlowScalar | CST.FlowCollection {
    const { text } = this;
    let value: CST.FlowScalar | CST.FlowCollection;
    let after: number;
    const code = text.charCodeAt(pos);
    if (code === 91 /* [ */) {
      ({ value, after } = this.flowSequence(pos, eol, indent));
    } else if (code === 123 /* { */) {
      if (text.charCodeAt(pos + 1) !== 125) outside();
      value = {
        type: "flow-collection",
        offset: pos,
        indent,
        start: { type: "flow-map-start", offset: pos, indent, source: "{" },
        items: [],
        end: [{ type: "flow-map-end", offset: pos + 1, indent, source: "}" }],
      };
      after = pos + 2;
    } else {
      ({ value, after } = this.scalar(pos, eol, indent, false));
    }
    const end = value.type === "flow-collection" ? value.end : [];
    const spaces = this.spacesFrom(after, eol);
    if (spaces > 0) end.push({ type: "space", offset: after, indent, source: text.slice(after, after + spaces) });
    after += spaces;
    if (after < eol) {
      if (text.charCodeAt(after) !== 35 || spaces === 0) outside();
      end.push({ type: "comment", offset: after, indent, source: text.slice(after, eol) });
    }
    if (newline) end.push({ type: "newline", offset: eol, indent, source: "\n" });
    if (value.type !== "flow-collection" && end.length > 0) value.end = end;
    return value;
  }

  private flowSequence(pos: number, eol: number, indent: number): { value: CST.FlowCollection; after: number } {
    const { text } = this;
    const value: CST.FlowCollection = {
      type: "flow-collection",
      offset: pos,
      indent,
      start: { type: "flow-seq-start", offset: pos, indent, source: "[" },
      items: [],
      end: [],
    };
    let at = pos + 1;
    if (text.charCodeAt(at) !== 93 /* ] */) {
      for (;;) {
        const start: SourceToken[] = [];
        if (value.items.length > 0) {
          if (text.charCodeAt(at) !== 44 /* , */) outside();
          start.push({ type: "comma", offset: at, indent, source: "," });
          at++;
        }
        const lead = this.spacesFrom(at, eol);
        if (lead > 0) start.push({ type: "space", offset: at, indent, source: text.slice(at, at + lead) });
        at += lead;
        const item = this.scalar(at, eol, indent, true);
        const trail = this.spacesFrom(item.after, eol);
        item.value.end = trail > 0 ? [{ type: "space", offset: item.after, indent, source: text.slice(item.after, item.after + trail) }] : [];
        value.items.push({ start, value: item.value });
        at = item.after + trail;
        if (text.charCodeAt(at) === 93) break;
      }
    }
    value.end.push({ type: "flow-seq-end", offset: at, indent, source: "]" });
    return { value, after: at + 1 };
  }

  /** A one-line plain, single- or double-quoted scalar at `pos`; `after` is where it ends. */
  private scalar(pos: number, eol: number, indent: number, inFlow: boolean): { value: CST.FlowScalar; after: number } {
    const { text } = this;
    if (pos >= eol) outside(); // `- ` with nothing after it
    const code = text.charCodeAt(pos);
    let after: number;
    let type: CST.FlowScalar["type"];
    if (code === 34 /* " */) {
      type = "double-quoted-scalar";
      after = pos + 1;
      for (;;) {
        const c = text.charCodeAt(after);
        if (after >= eol) outside(); // continues on the next line
        if (c === 92 /* \ */) after += 2;
        else if (c === 34) break;
        else after++;
      }
      after++;
    } else if (code === 39 /* ' */) {
      type = "single-quoted-scalar";
      after = pos + 1;
      for (;;) {
        const close = this.find(39 /* ' */, after, eol);
        if (close === -1) outside();
        if (text.charCodeAt(close + 1) === 39) after = close + 2;
        else {
          after = close + 1;
          break;
        }
      }
    } else if (inFlow) {
      type = "scalar";
      FLOW_PLAIN.lastIndex = pos;
      if (!FLOW_PLAIN.test(text) || FLOW_PLAIN.lastIndex > eol) outside();
      after = FLOW_PLAIN.lastIndex;
      while (text.charCodeAt(after - 1) === 32) after--;
    } else {
      type = "scalar";
      if (PLAIN_START_INDICATOR.test(text[pos]!) && !(code === 45 && text.charCodeAt(pos + 1) !== 32 && pos + 1 < eol)) outside();
      // To the line's end or a comment; a `: ` (or `:` at the end) would make the line a mapping.
      after = eol;
      for (let hash = this.find(35 /* # */, pos, eol); hash !== -1; hash = this.find(35, hash + 1, eol)) {
        if (text.charCodeAt(hash - 1) === 32) {
          after = hash;
          break;
        }
      }
      while (text.charCodeAt(after - 1) === 32) after--;
      if (this.find(9 /* tab */, pos, after) !== -1) outside();
      for (let colon = this.find(58 /* : */, pos, after); colon !== -1; colon = this.find(58, colon + 1, after)) {
        if (colon + 1 === after || text.charCodeAt(colon + 1) === 32) outside();
      }
    }
    return { value: { type, offset: pos, indent, source: text.slice(pos, after) }, after };
  }

  /** Index of the character `code` in [from, end), or -1. */
  private find(code: number, from: number, end: number): number {
    for (let i = from; i < end; i++) if (this.text.charCodeAt(i) === code) return i;
    return -1;
  }

  private spacesFrom(pos: number, eol: number): number {
    let n = 0;
    while (pos + n < eol && this.text.charCodeAt(pos + n) === 32) n++;
    return n;
  }
}
