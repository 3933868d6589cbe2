import {
  type AclBinding,
  type AclBindingFilter,
  AclOperation,
  AclPatternType,
  AclPermissionType,
  aclKey,
  filterMatches,
  WILDCARD,
  WILDCARD_PRINCIPAL,
} from './acl-binding.js';

/** An ACL as the metadata log holds it: its AccessControlEntryRecord id and binding. */
export interface StoredAcl extends AclBinding {
  readonly id: string;
}

/**
 * The ACLs of one resource pattern, by principal: a decision reads only those of its principal and
 * of `User:*`, however many other principals the resource has ACLs for.
 */
interface PatternAcls {
  count: number;
  readonly byPrincipal: Map<string, StoredAcl[]>;
}

/** The ACLs of one resource type, indexed for decisions. */
interface ResourceTypeAcls {
  /** LITERAL ACLs by resource name; the wildcard `*` is one of the names. */
  readonly literal: Map<string, PatternAcls>;
  /** PREFIXED ACLs by prefix. */
  readonly prefixed: Map<string, PatternAcls>;
  /** How many PREFIXED names have each length: a decision looks up one prefix per length. */
  readonly prefixLengths: Map<number, number>;
  count: number;
}

/** Why a decision came out as it did, for the denial log (Kafka's MatchingRule). */
export type AclRule =
  | { readonly kind: 'acl'; readonly acl: StoredAcl }
  | { readonly kind: 'no-acl' }
  | { readonly kind: 'no-matching-allow' };

export interface AclDecision {
  readonly allowed: boolean;
  readonly rule: AclRule;
}

/** ALLOW ACLs for these operations also allow DESCRIBE (Kafka's StandardAuthorizerData.IMPLIES_DESCRIBE). */
const IMPLIES_DESCRIBE = new Set<number>([
  AclOperation.DESCRIBE,
  AclOperation.READ,
  AclOperation.WRITE,
  AclOperation.DELETE,
  AclOperation.ALTER,
]);
const IMPLIES_DESCRIBE_CONFIGS = new Set<number>([AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS]);

/**
 * Whether `acl` speaks about (principal, host, operation): null when it does not, else its
 * permission. Kafka's StandardAuthorizerData.findResult: an ALLOW for READ, WRITE, DELETE or ALTER
 * implies DESCRIBE, and an ALLOW for ALTER_CONFIGS implies DESCRIBE_CONFIGS; a DENY denies only its
 * own operation (or ALL).
 */
function aclResult(acl: StoredAcl, principal: string, host: string, operation: number): boolean | null {
  if (acl.principal !== principal && acl.principal !== WILDCARD_PRINCIPAL) return null;
  if (acl.host !== WILDCARD && acl.host !== host) return null;
  const allow = acl.permissionType === AclPermissionType.ALLOW;
  if (acl.operation !== AclOperation.ALL) {
    if (allow && operation === AclOperation.DESCRIBE) {
      if (!IMPLIES_DESCRIBE.has(acl.operation)) return null;
    } else if (allow && operation === AclOperation.DESCRIBE_CONFIGS) {
      if (!IMPLIES_DESCRIBE_CONFIGS.has(acl.operation)) return null;
    } else if (acl.operation !== operation) {
      return null;
    }
  }
  return allow;
}

/**
 * Every ACL of the metadata image, by id and by resource, as Kafka's AclCache. A decision reads the
 * LITERAL ACLs of the resource's name, the wildcard ACLs, and one map entry per distinct PREFIXED
 * length, and of each only the ACLs of its principal and of `User:*`, so its cost does not grow
 * with the ACLs of other resources or other principals.
 */
export class AclIndex {
  private readonly byId = new Map<string, StoredAcl>();
  private readonly byKey = new Map<string, StoredAcl>();
  private readonly byType = new Map<number, ResourceTypeAcls>();
  private changes = 0;

  get size(): number {
    return this.byId.size;
  }

  /** Counts every add and remove: a decision remembered at one version holds while it is unchanged. */
  get version(): number {
    return this.changes;
  }

  get(id: string): StoredAcl | undefined {
    return this.byId.get(id);
  }

  /** The ACL with this content, if one exists (creating it again is a no-op, as in Kafka). */
  find(binding: AclBinding): StoredAcl | undefined {
    return this.byKey.get(aclKey(binding));
  }

  all(): IterableIterator<StoredAcl> {
    return this.byId.values();
  }

  matching(filter: AclBindingFilter): StoredAcl[] {
    const out: StoredAcl[] = [];
    for (const acl of this.byId.values()) if (filterMatches(filter, acl)) out.push(acl);
    return out;
  }

  add(acl: StoredAcl): void {
    if (this.byId.has(acl.id)) this.remove(acl.id);
    this.changes++;
    this.byId.set(acl.id, acl);
    this.byKey.set(aclKey(acl), acl);
    let t = this.byType.get(acl.resourceType);
    if (!t) {
      t = { literal: new Map(), prefixed: new Map(), prefixLengths: new Map(), count: 0 };
      this.byType.set(acl.resourceType, t);
    }
    t.count++;
    const byName = acl.patternType === AclPatternType.PREFIXED ? t.prefixed : t.literal;
    let pattern = byName.get(acl.resourceName);
    if (!pattern) {
      pattern = { count: 0, byPrincipal: new Map() };
      byName.set(acl.resourceName, pattern);
      if (acl.patternType === AclPatternType.PREFIXED) {
        const n = acl.resourceName.length;
        t.prefixLengths.set(n, (t.prefixLengths.get(n) ?? 0) + 1);
      }
    }
    pattern.count++;
    const list = pattern.byPrincipal.get(acl.principal);
    if (list) list.push(acl);
    else pattern.byPrincipal.set(acl.principal, [acl]);
  }

  remove(id: string): StoredAcl | undefined {
    const acl = this.byId.get(id);
    if (!acl) return undefined;
    this.changes++;
    this.byId.delete(id);
    if (this.byKey.get(aclKey(acl)) === acl) this.byKey.delete(aclKey(acl));
    const t = this.byType.get(acl.resourceType);
    if (!t) return acl;
    const prefixed = acl.patternType === AclPatternType.PREFIXED;
    const byName = prefixed ? t.prefixed : t.literal;
    const pattern = byName.get(acl.resourceName);
    const list = pattern?.byPrincipal.get(acl.principal) ?? [];
    const i = list.indexOf(acl);
    if (i >= 0) {
      list.splice(i, 1);
      pattern!.count--;
    }
    if (list.length === 0) pattern?.byPrincipal.delete(acl.principal);
    if (pattern && pattern.count === 0) {
      byName.delete(acl.resourceName);
      if (prefixed) {
        const n = acl.resourceName.length;
        const left = (t.prefixLengths.get(n) ?? 1) - 1;
        if (left === 0) t.prefixLengths.delete(n);
        else t.prefixLengths.set(n, left);
      }
    }
    if (--t.count === 0) this.byType.delete(acl.resourceType);
    return acl;
  }

  /**
   * Kafka's StandardAuthorizerData.findAclRule for a LITERAL resource: a matching DENY wins over
   * any ALLOW; with no matching ACL the answer is `allowIfNoAcl` when the resource has no ACLs at
   * all (allow.everyone.if.no.acl.found), and a denial when it has ACLs for others.
   */
  decide(
    principal: string,
    host: string,
    operation: number,
    resourceType: number,
    name: string,
    allowIfNoAcl: boolean,
  ): AclDecision {
    const t = this.byType.get(resourceType);
    if (!t) return { allowed: allowIfNoAcl, rule: { kind: 'no-acl' } };
    let allowAcl: StoredAcl | null = null;
    let hasResourceAcls = false;
    const scanList = (list: StoredAcl[] | undefined): StoredAcl | null => {
      if (!list) return null;
      for (const acl of list) {
        const r = aclResult(acl, principal, host, operation);
        if (r === false) return acl;
        if (r === true) allowAcl = acl;
      }
      return null;
    };
    const scan = (pattern: PatternAcls | undefined): StoredAcl | null => {
      if (!pattern) return null;
      hasResourceAcls = true;
      return (
        scanList(pattern.byPrincipal.get(principal)) ?? scanList(pattern.byPrincipal.get(WILDCARD_PRINCIPAL))
      );
    };
    let deny = scan(t.literal.get(name));
    if (deny === null && name !== WILDCARD) deny = scan(t.literal.get(WILDCARD));
    if (deny === null && t.prefixLengths.size > 0) {
      for (const n of t.prefixLengths.keys()) {
        if (n > name.length) continue;
        deny = scan(t.prefixed.get(n === name.length ? name : name.slice(0, n)));
        if (deny !== null) break;
      }
    }
    if (deny !== null) return { allowed: false, rule: { kind: 'acl', acl: deny } };
    if (allowAcl !== null) return { allowed: true, rule: { kind: 'acl', acl: allowAcl } };
    if (!hasResourceAcls) return { allowed: allowIfNoAcl, rule: { kind: 'no-acl' } };
    return { allowed: false, rule: { kind: 'no-matching-allow' } };
  }

  /**
   * Whether some resource of the type allows the operation (KIP-679, Kafka's
   * Authorizer.authorizeByResourceType): an ALLOW for the principal not dominated by a DENY of the
   * same literal name or of a prefix of it; a wildcard DENY denies at once.
   */
  allowsSomeResource(principal: string, host: string, operation: number, resourceType: number): boolean {
    const t = this.byType.get(resourceType);
    if (!t) return false;
    const denyLiteral = new Set<string>();
    const denyPrefixed = new Set<string>();
    const allowLiteral: string[] = [];
    const allowPrefixed: string[] = [];
    let wildcardAllow = false;
    const visit = (acl: StoredAcl): boolean => {
      if (acl.host !== host && acl.host !== WILDCARD) return false;
      if (acl.principal !== principal && acl.principal !== WILDCARD_PRINCIPAL) return false;
      if (acl.operation !== operation && acl.operation !== AclOperation.ALL) return false;
      const literal = acl.patternType === AclPatternType.LITERAL;
      if (acl.permissionType === AclPermissionType.DENY) {
        if (literal && acl.resourceName === WILDCARD) return true;
        (literal ? denyLiteral : denyPrefixed).add(acl.resourceName);
      } else if (acl.permissionType === AclPermissionType.ALLOW) {
        if (literal && acl.resourceName === WILDCARD) wildcardAllow = true;
        else (literal ? allowLiteral : allowPrefixed).push(acl.resourceName);
      }
      return false;
    };
    for (const byName of [t.literal, t.prefixed]) {
      for (const pattern of byName.values()) {
        for (const p of [principal, WILDCARD_PRINCIPAL]) {
          for (const acl of pattern.byPrincipal.get(p) ?? []) if (visit(acl)) return false;
        }
      }
    }
    if (wildcardAllow) return true;
    const dominated = (name: string): boolean => {
      for (let i = 1; i <= name.length; i++) if (denyPrefixed.has(name.slice(0, i))) return true;
      return false;
    };
    for (const name of allowLiteral) if (!denyLiteral.has(name) && !dominated(name)) return true;
    for (const name of allowPrefixed) if (!dominated(name)) return true;
    return false;
  }
}
