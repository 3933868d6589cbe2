import { InvalidConfigError } from '../../../common/config-def.js';

export interface JaasLoginModule {
  readonly loginModule: string;
  readonly controlFlag: 'required' | 'requisite' | 'sufficient' | 'optional';
  readonly options: ReadonlyMap<string, string>;
}

const FLAGS = new Set(['required', 'requisite', 'sufficient', 'optional']);

/**
 * Parses a `sasl.jaas.config` value as Kafka's JaasConfig does: one login module, its control flag,
 * then `name=value` options (values quoted with double quotes, or bare words), ending with `;`.
 * `org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";`
 */
export function parseJaasConfig(text: string, key: string): JaasLoginModule {
  const tokens = tokenize(text, key);
  const modules: JaasLoginModule[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new InvalidConfigError(key, `invalid JAAS configuration: ${why}`);
  };
  while (i < tokens.length) {
    const loginModule = tokens[i++];
    if (loginModule === undefined || loginModule.kind !== 'word') fail('expected a login module class name');
    const flag = tokens[i++];
    if (flag?.kind !== 'word' || !FLAGS.has(flag.text.toLowerCase())) {
      fail(`expected a control flag (required, requisite, sufficient, optional) after ${loginModule!.text}`);
    }
    const options = new Map<string, string>();
    for (;;) {
      const t = tokens[i++];
      if (t === undefined) fail('missing ";" at the end');
      if (t!.kind === ';') break;
      if (t!.kind !== 'word') fail(`unexpected ${t!.text}`);
      if (tokens[i++]?.kind !== '=') fail(`expected "=" after ${t!.text}`);
      const value = tokens[i++];
      if (value === undefined || (value.kind !== 'word' && value.kind !== 'quoted'))
        fail(`expected a value for ${t!.text}`);
      options.set(t!.text, value!.text);
    }
    modules.push({
      loginModule: loginModule!.text,
      controlFlag: flag!.text.toLowerCase() as JaasLoginModule['controlFlag'],
      options,
    });
  }
  // Kafka: "JAAS config property contains N login modules, should be 1 module".
  if (modules.length !== 1)
    fail(`JAAS config property contains ${modules.length} login modules, should be 1 module`);
  return modules[0]!;
}

interface Token {
  readonly kind: 'word' | 'quoted' | '=' | ';';
  readonly text: string;
}

function tokenize(text: string, key: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '=' || c === ';') {
      out.push({ kind: c, text: c });
      i++;
    } else if (c === '"' || c === "'") {
      let value = '';
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i++];
      }
      if (i >= text.length)
        throw new InvalidConfigError(key, 'invalid JAAS configuration: unterminated quoted value');
      i++;
      out.push({ kind: 'quoted', text: value });
    } else {
      const start = i;
      while (i < text.length && !/[\s=;"']/.test(text[i]!)) i++;
      out.push({ kind: 'word', text: text.slice(start, i) });
    }
  }
  return out;
}
