import { InvalidConfigError } from '../../common/config-def.js';
import { StromError } from '../../common/strom-error.js';

/** No rule of ssl.principal.mapping.rules matched a certificate's distinguished name. */
export class NoMatchingRuleError extends StromError {
  constructor(dn: string, rules: string) {
    super('NO_MATCHING_PRINCIPAL_RULE', `No rules apply to ${dn}, rules ${rules}`);
  }
}

interface Rule {
  /** DEFAULT: the distinguished name itself. */
  readonly isDefault: boolean;
  readonly pattern: RegExp | null;
  readonly whole: RegExp | null;
  readonly replacement: string;
  readonly toLowerCase: boolean;
  readonly toUpperCase: boolean;
}

// Kafka's SslPrincipalMapper grammar: DEFAULT, or RULE:pattern/replacement/[LU], separated by commas;
// a '/' inside the pattern or the replacement is escaped with a backslash.
const RULE_PATTERN = String.raw`(DEFAULT)|RULE:((\\.|[^\\/])*)/((\\.|[^\\/])*)/([LU]?).*?|(.*?)`;
const RULE_SPLITTER = new RegExp(String.raw`\s*(${RULE_PATTERN})\s*(,\s*|$)`, 'gy');

/**
 * Maps a client certificate's distinguished name (RFC 2253, as Java's X500Principal.getName()
 * writes it) to a principal name with `ssl.principal.mapping.rules`, as Kafka's SslPrincipalMapper:
 * the first rule whose pattern matches the whole name gives the principal.
 */
export class SslPrincipalMapper {
  private readonly rules: readonly Rule[];

  constructor(private readonly rulesText: string) {
    this.rules = parseRules(rulesText);
  }

  map(distinguishedName: string): string {
    for (const rule of this.rules) {
      const principal = applyRule(rule, distinguishedName);
      if (principal !== null) return principal;
    }
    throw new NoMatchingRuleError(distinguishedName, this.rulesText);
  }
}

function parseRules(text: string): Rule[] {
  const rules: Rule[] = [];
  const trimmed = text.trim();
  RULE_SPLITTER.lastIndex = 0;
  while (RULE_SPLITTER.lastIndex < trimmed.length) {
    const at = RULE_SPLITTER.lastIndex;
    const m = RULE_SPLITTER.exec(trimmed);
    if (!m || m[0] === '')
      throw new InvalidConfigError('ssl.principal.mapping.rules', `Invalid rule: ${trimmed.slice(at)}`);
    if (m[2] !== undefined) {
      rules.push({
        isDefault: true,
        pattern: null,
        whole: null,
        replacement: '',
        toLowerCase: false,
        toUpperCase: false,
      });
    } else if (m[3] !== undefined) {
      const source = m[3];
      let pattern: RegExp;
      let whole: RegExp;
      try {
        pattern = new RegExp(source, 'g');
        whole = new RegExp(`^(?:${source})$`);
      } catch (err) {
        throw new InvalidConfigError(
          'ssl.principal.mapping.rules',
          `Invalid rule: ${m[1]} (${(err as Error).message})`,
        );
      }
      rules.push({
        isDefault: false,
        pattern,
        whole,
        // Java's replacement unescapes "\/" to "/" as it unescapes any "\x"; JavaScript's does not.
        replacement: m[5]!.replace(/\\(.)/g, '$1'),
        toLowerCase: m[7] === 'L',
        toUpperCase: m[7] === 'U',
      });
    } else if (m[8] !== undefined && m[8] !== '') {
      throw new InvalidConfigError('ssl.principal.mapping.rules', `Invalid rule: ${m[8]}`);
    }
  }
  if (rules.length === 0) throw new InvalidConfigError('ssl.principal.mapping.rules', 'no rules');
  return rules;
}

function applyRule(rule: Rule, dn: string): string | null {
  if (rule.isDefault) return dn;
  if (!rule.whole!.test(dn)) return null;
  rule.pattern!.lastIndex = 0;
  const result = dn.replace(rule.pattern!, rule.replacement);
  if (rule.toLowerCase) return result.toLowerCase();
  if (rule.toUpperCase) return result.toUpperCase();
  return result;
}

/**
 * A certificate subject as Node's X509Certificate gives it (one RDN per line, in the order of the
 * certificate) in RFC 2253 form, as Java's X500Principal.getName(): most significant last, comma
 * separated, with the RFC's special characters escaped.
 */
export function rfc2253Name(nodeSubject: string): string {
  return nodeSubject
    .split('\n')
    .filter((line) => line !== '')
    .reverse()
    .map((rdn) => {
      const eq = rdn.indexOf('=');
      if (eq < 0) return rdn;
      return `${rdn.slice(0, eq)}=${escapeValue(rdn.slice(eq + 1))}`;
    })
    .join(',');
}

function escapeValue(v: string): string {
  let out = v.replace(/[,+"\\<>;]/g, (c) => `\\${c}`);
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}
