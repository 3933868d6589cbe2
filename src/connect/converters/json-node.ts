/** A parsed JSON value; bigint holds an integer beyond 2^53 that the writer prints exactly. */
export type JsonNode = null | boolean | number | bigint | string | JsonNode[] | { [key: string]: JsonNode };

/**
 * Writes a JsonNode as compact JSON, as Jackson does. JSON.stringify cannot print a bigint as a
 * number (Node 20 has no JSON.rawJSON), and INT64 values past 2^53 must keep every digit.
 */
export function writeJson(node: JsonNode): string {
  if (node === null) return 'null';
  switch (typeof node) {
    case 'boolean':
      return node ? 'true' : 'false';
    case 'number':
      return Number.isFinite(node) ? String(node) : JSON.stringify(String(node));
    case 'bigint':
      return node.toString();
    case 'string':
      return JSON.stringify(node);
  }
  if (Array.isArray(node)) return `[${node.map(writeJson).join(',')}]`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(node)) parts.push(`${JSON.stringify(k)}:${writeJson(v)}`);
  return `{${parts.join(',')}}`;
}

/** Whether a node is a JSON object (not null, not an array). */
export function isJsonObject(node: JsonNode | undefined): node is { [key: string]: JsonNode } {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

/** A run of 16+ digits: the only texts where JSON.parse may round an integer. */
const LONG_DIGITS = /\d{16}/;

/**
 * Parses JSON text; integers beyond 2^53 become bigints instead of being rounded. The common case
 * (no run of 16 digits anywhere) is plain JSON.parse; the rest goes through a small parser that
 * keeps each integer's digits.
 */
export function parseJson(text: string): JsonNode {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text) as JsonNode;
  return new LosslessParser(text).parseDocument();
}

class LosslessParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): JsonNode {
    const value = this.value();
    this.skipSpace();
    if (this.pos !== this.text.length) this.fail('Unexpected data after the JSON value');
    return value;
  }

  private value(): JsonNode {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail('Unexpected token');
  }

  private object(): JsonNode {
    const out: { [key: string]: JsonNode } = {};
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail('Expected a property name');
      const key = this.string();
      this.skipSpace();
      if (this.text[this.pos++] !== ':') this.fail("Expected ':'");
      out[key] = this.value();
      this.skipSpace();
      const sep = this.text[this.pos++];
      if (sep === '}') return out;
      if (sep !== ',') this.fail("Expected ',' or '}'");
    }
  }

  private array(): JsonNode {
    const out: JsonNode[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.skipSpace();
      const sep = this.text[this.pos++];
      if (sep === ']') return out;
      if (sep !== ',') this.fail("Expected ',' or ']'");
    }
  }

  private string(): string {
    // JSON.parse decodes the escapes of one string literal exactly as it would inside a document.
    const start = this.pos++;
    while (this.pos < this.text.length && this.text[this.pos] !== '"')
      this.pos += this.text[this.pos] === '\\' ? 2 : 1;
    if (this.pos >= this.text.length) this.fail('Unterminated string');
    this.pos++;
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  private number(): number | bigint {
    const m = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
    m.lastIndex = this.pos;
    const found = m.exec(this.text);
    if (!found) return this.fail('Invalid number');
    this.pos += found[0].length;
    if (found[1] === undefined && found[2] === undefined) {
      const n = Number(found[0]);
      return Number.isSafeInteger(n) ? n : BigInt(found[0]);
    }
    return Number(found[0]);
  }

  private skipSpace(): void {
    while (/[ \t\n\r]/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  private fail(message: string): never {
    throw new SyntaxError(`${message} at position ${this.pos}`);
  }
}
