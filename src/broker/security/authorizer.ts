import type { Logger } from '../../common/logger.js';
import {
  AclPatternType,
  AclResourceType,
  CLUSTER_RESOURCE_NAME,
  operationName,
  patternTypeName,
  permissionTypeName,
  resourceTypeName,
} from '../../metadata/acl/acl-binding.js';
import type { AclDecision, AclIndex } from '../../metadata/acl/acl-index.js';
import type { ConnectionContext } from '../network/connection.js';
import type { ConnectionSession } from './connection-session.js';

export interface AuthorizerConfig {
  /** authorizer.class.name is set: requests are authorized. */
  readonly enabled: boolean;
  /** super.users, each as `Type:name`. */
  readonly superUsers: ReadonlySet<string>;
  /** allow.everyone.if.no.acl.found */
  readonly allowEveryoneIfNoAclFound: boolean;
}

/**
 * Denials are logged once per (principal, operation, resource, host) in this window, so that a
 * client retrying a refused request does not flood the log; at most DENIALS_LOGGED_PER_WINDOW
 * distinct ones, the rest counted and reported when the window ends.
 */
const DENIAL_LOG_WINDOW_MS = 60_000;
const DENIALS_LOGGED_PER_WINDOW = 1000;

/** Kafka's operations of each resource type, as authorizedOperations reports them (AclEntry.supportedOperations). */
const SUPPORTED_OPERATIONS: ReadonlyMap<number, readonly number[]> = new Map([
  [
    AclResourceType.TOPIC,
    [3, 4, 5, 6, 7, 8, 10, 11], // READ WRITE CREATE DELETE ALTER DESCRIBE DESCRIBE_CONFIGS ALTER_CONFIGS
  ],
  [AclResourceType.GROUP, [3, 8, 6, 10, 11]], // READ DESCRIBE DELETE DESCRIBE_CONFIGS ALTER_CONFIGS
  [AclResourceType.CLUSTER, [5, 9, 10, 11, 12, 7, 8]], // CREATE CLUSTER_ACTION DESCRIBE_CONFIGS ALTER_CONFIGS IDEMPOTENT_WRITE ALTER DESCRIBE
  [AclResourceType.TRANSACTIONAL_ID, [8, 4]], // DESCRIBE WRITE
  [AclResourceType.DELEGATION_TOKEN, [8]],
  [AclResourceType.USER, [13, 14]], // CREATE_TOKENS DESCRIBE_TOKENS
]);

/** The host of a client address `ip:port` as Kafka compares it with ACL hosts (InetAddress.getHostAddress). */
export function clientHost(clientAddress: string): string {
  const colon = clientAddress.lastIndexOf(':');
  const ip = colon < 0 ? clientAddress : clientAddress.slice(0, colon);
  // An IPv4 client on a dual-stack socket: Java reports the IPv4 address.
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/** The connection's client host, parsed from its address on first use and kept in its session. */
function hostOf(connection: ConnectionContext, session: ConnectionSession): string {
  if (session.clientHost === null) session.clientHost = clientHost(connection.clientAddress);
  return session.clientHost;
}

export function parseSuperUsers(value: string | null): Set<string> {
  return new Set(
    (value ?? '')
      .split(';')
      .map((u) => u.trim())
      .filter((u) => u !== ''),
  );
}

/**
 * The broker's authorizer: Kafka's StandardAuthorizer over the ACLs of the metadata image. Handlers
 * ask it before they act; without `authorizer.class.name` every question is answered yes at the
 * cost of one field read. Super users are allowed everything; otherwise the image's AclIndex
 * decides (DENY over ALLOW, implied DESCRIBE, allow.everyone.if.no.acl.found). Denials of what a
 * request asked for are logged at info, as Kafka's `kafka.authorizer.logger` does, each distinct
 * denial once per DENIAL_LOG_WINDOW_MS.
 */
export class Authorizer {
  private windowStartMs = 0;
  private readonly loggedInWindow = new Set<string>();
  private suppressed = 0;

  constructor(
    private readonly config: AuthorizerConfig,
    private readonly acls: () => AclIndex,
    private readonly log: Logger,
    private readonly nowMs: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.config.enabled;
  }

  /**
   * Whether the connection's principal may do `operation` on the LITERAL resource. `logIfDenied`
   * is false where a denial only filters what is shown (Metadata of all topics, ListGroups).
   */
  authorize(
    connection: ConnectionContext,
    operation: number,
    resourceType: number,
    resourceName: string,
    logIfDenied = true,
  ): boolean {
    if (!this.config.enabled) return true;
    const session = connection.session;
    // Requests made without a connection are the broker's own.
    if (session === undefined) return true;
    const principal = session.principal;
    if (this.config.superUsers.has(principal)) return true;
    const acls = this.acls();
    // Produce asks the same question request after request: the connection remembers the answer
    // while the ACLs stay as they are, and its host is parsed from its address once.
    if (session.authorizations.has(acls, principal, operation, resourceType, resourceName)) return true;
    const host = hostOf(connection, session);
    const decision = acls.decide(
      principal,
      host,
      operation,
      resourceType,
      resourceName,
      this.config.allowEveryoneIfNoAclFound,
    );
    if (decision.allowed) session.authorizations.add(operation, resourceType, resourceName);
    else if (logIfDenied) this.logDenial(principal, host, operation, resourceType, resourceName, decision);
    return decision.allowed;
  }

  authorizeCluster(connection: ConnectionContext, operation: number, logIfDenied = true): boolean {
    return this.authorize(connection, operation, AclResourceType.CLUSTER, CLUSTER_RESOURCE_NAME, logIfDenied);
  }

  /**
   * Whether the principal may do `operation` on some resource of the type (KIP-679): InitProducerId
   * of an idempotent producer is allowed with WRITE on any topic.
   */
  authorizeByResourceType(connection: ConnectionContext, operation: number, resourceType: number): boolean {
    if (!this.config.enabled) return true;
    const session = connection.session;
    if (session === undefined) return true;
    // Kafka asks about a made-up name first, so that super users and allow-everyone pass.
    if (this.authorize(connection, operation, resourceType, 'hardcode', false)) return true;
    return this.acls().allowsSomeResource(
      session.principal,
      hostOf(connection, session),
      operation,
      resourceType,
    );
  }

  /** The operations the principal may do on the resource, as the bit set authorizedOperations fields carry. */
  authorizedOperations(connection: ConnectionContext, resourceType: number, resourceName: string): number {
    let bits = 0;
    for (const op of SUPPORTED_OPERATIONS.get(resourceType) ?? []) {
      if (this.authorize(connection, op, resourceType, resourceName, false)) bits |= 1 << op;
    }
    return bits;
  }

  /** The names among `names` the principal may do `operation` on (Kafka's AuthHelper.filterByAuthorized). */
  filterAuthorized(
    connection: ConnectionContext,
    operation: number,
    resourceType: number,
    names: Iterable<string>,
    logIfDenied = true,
  ): Set<string> {
    const out = new Set<string>();
    for (const n of names) {
      if (out.has(n)) continue;
      if (this.authorize(connection, operation, resourceType, n, logIfDenied)) out.add(n);
    }
    return out;
  }

  private logDenial(
    principal: string,
    host: string,
    operation: number,
    resourceType: number,
    resourceName: string,
    decision: AclDecision,
  ): void {
    const now = this.nowMs();
    if (now - this.windowStartMs >= DENIAL_LOG_WINDOW_MS) {
      if (this.suppressed > 0) {
        this.log.info({ count: this.suppressed }, 'authorization denials not logged (rate limit)');
      }
      this.windowStartMs = now;
      this.loggedInWindow.clear();
      this.suppressed = 0;
    }
    const key = `${principal}\u0000${operation}\u0000${resourceType}\u0000${resourceName}\u0000${host}`;
    if (this.loggedInWindow.has(key)) return;
    if (this.loggedInWindow.size >= DENIALS_LOGGED_PER_WINDOW) {
      this.suppressed++;
      return;
    }
    this.loggedInWindow.add(key);
    const rule = decision.rule;
    this.log.info(
      {
        principal,
        operation: operationName(operation),
        host,
        resource: `${resourceTypeName(resourceType)}:${patternTypeName(AclPatternType.LITERAL)}:${resourceName}`,
        rule:
          rule.kind === 'acl'
            ? `${permissionTypeName(rule.acl.permissionType)} ${operationName(rule.acl.operation)} for ${rule.acl.principal} on ${resourceTypeName(rule.acl.resourceType)}:${patternTypeName(rule.acl.patternType)}:${rule.acl.resourceName}`
            : rule.kind === 'no-acl'
              ? 'DefaultDeny'
              : 'no matching ALLOW ACL',
      },
      'Principal is Denied operation',
    );
  }
}
