/**
 * Parses Java .properties text (the format of Kafka's server.properties): `key=value`, `key: value`
 * or `key value`; `#` and `!` comments; backslash line continuation; \t \n \r \f \uXXXX escapes.
 */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (endsWithOddBackslashes(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, '');
    }
    let sep = -1;
    for (let j = 0; j < line.length; j++) {
      const c = line[j];
      if (c === '\\') {
        j++;
        continue;
      }
      if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') {
        sep = j;
        break;
      }
    }
    const rawKey = sep < 0 ? line : line.slice(0, sep);
    let rest = sep < 0 ? '' : line.slice(sep);
    rest = rest.replace(/^[ \t\f]*[=:]?[ \t\f]*/, '');
    out.set(unescapeProperty(rawKey), unescapeProperty(rest));
  }
  return out;
}

function endsWithOddBackslashes(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function unescapeProperty(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    return e === 't' ? '\t' : e === 'n' ? '\n' : e === 'r' ? '\r' : e === 'f' ? '\f' : e;
  });
}
