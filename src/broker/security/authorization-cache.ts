import type { AclIndex } from '../../metadata/acl/acl-index.js';

/** Allowed decisions one connection keeps at most; past it the cache starts again empty. */
const ENTRIES_MAX = 1024;

/**
 * The decisions one connection was allowed, so that a producer writing to the same topic request
 * after request asks the ACL index once: keyed by operation, resource type and name, for the
 * connection's principal and host (fixed for the connection), and valid only while the ACL index
 * is the same object at the same version (an ACL created or deleted, or a new image, empties it).
 * Denials are not kept: each is decided again, and logged as Kafka's authorizer logs them.
 */
export class AuthorizationCache {
  private index: AclIndex | null = null;
  private version = -1;
  private principal = '';
  private readonly allowed = new Map<number, Set<string>>();
  private entries = 0;

  /** Whether this decision was allowed before, with the same ACLs and principal. */
  has(index: AclIndex, principal: string, operation: number, resourceType: number, name: string): boolean {
    if (index !== this.index || index.version !== this.version || principal !== this.principal) {
      this.index = index;
      this.version = index.version;
      this.principal = principal;
      this.clear();
      return false;
    }
    return this.allowed.get(kind(operation, resourceType))?.has(name) === true;
  }

  /** Remembers an allowed decision; call right after `has` answered false for it. */
  add(operation: number, resourceType: number, name: string): void {
    if (this.entries >= ENTRIES_MAX) this.clear();
    const k = kind(operation, resourceType);
    let names = this.allowed.get(k);
    if (!names) {
      names = new Set();
      this.allowed.set(k, names);
    }
    names.add(name);
    this.entries++;
  }

  private clear(): void {
    this.allowed.clear();
    this.entries = 0;
  }
}

/** Operations and resource types are small codes (Kafka's AclOperation and ResourceType bytes). */
function kind(operation: number, resourceType: number): number {
  return resourceType * 256 + operation;
}
