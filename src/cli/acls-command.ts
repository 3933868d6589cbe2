import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type {
  AclBinding,
  AclBindingFilter,
  AclOperationName,
  AclPatternTypeName,
  AclPermissionTypeName,
  AclResourceTypeName,
  Admin,
} from '../client/index.js';
import {
  type ConnectionOptions,
  collect,
  commandAction,
  connectionOptions,
  kafkaFor,
  writeOut,
} from './command-action.js';
import { UsageError } from './usage-error.js';

interface AclsOptions extends ConnectionOptions {
  add?: boolean;
  remove?: boolean;
  list?: boolean;
  topic: string[];
  group: string[];
  transactionalId: string[];
  delegationToken: string[];
  userPrincipal: string[];
  cluster?: boolean;
  resourcePatternType: string;
  operation: string[];
  allowPrincipal: string[];
  denyPrincipal: string[];
  allowHost: string[];
  denyHost: string[];
  principal: string[];
  producer?: boolean;
  consumer?: boolean;
  idempotent?: boolean;
  force?: boolean;
}

/** A resource pattern (filter) as kafka-acls.sh names it on the command line. */
interface Resource {
  readonly resourceType: AclResourceTypeName;
  readonly resourceName: string;
  readonly patternType: AclPatternTypeName;
}

/** An access control entry. */
interface Entry {
  readonly principal: string;
  readonly host: string;
  readonly operation: AclOperationName;
  readonly permissionType: AclPermissionTypeName;
}

const CLUSTER: Omit<Resource, 'patternType'> = { resourceType: 'CLUSTER', resourceName: 'kafka-cluster' };

/** The operations each resource type has (Kafka's AclEntry.supportedOperations), plus ALL. */
const SUPPORTED: Record<string, readonly AclOperationName[]> = {
  TOPIC: ['READ', 'WRITE', 'CREATE', 'DESCRIBE', 'DELETE', 'ALTER', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS'],
  GROUP: ['READ', 'DESCRIBE', 'DELETE', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS'],
  CLUSTER: [
    'CREATE',
    'CLUSTER_ACTION',
    'DESCRIBE_CONFIGS',
    'ALTER_CONFIGS',
    'IDEMPOTENT_WRITE',
    'ALTER',
    'DESCRIBE',
  ],
  TRANSACTIONAL_ID: ['DESCRIBE', 'WRITE'],
  DELEGATION_TOKEN: ['DESCRIBE'],
  USER: ['CREATE_TOKENS', 'DESCRIBE_TOKENS'],
};
const OPERATIONS = [...new Set(Object.values(SUPPORTED).flat()), 'ALL'] as AclOperationName[];

/** Kafka's SecurityUtils.operation: `Read`, `AlterConfigs`, `alter-configs` and `ALTER_CONFIGS` are one operation. */
export function parseOperation(name: string): AclOperationName {
  const normalized = name
    .trim()
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toUpperCase();
  const op = OPERATIONS.find((o) => o === normalized);
  if (!op) throw new UsageError(`Unknown operation: ${name}`);
  return op;
}

/** Java's AclOperation.toString names (READ, ALTER_CONFIGS) as kafka-acls.sh prints them. */
const patternOf = (r: Resource | AclBinding): string =>
  `ResourcePattern(resourceType=${r.resourceType}, name=${r.resourceName}, patternType=${r.patternType ?? 'LITERAL'})`;
const entryOf = (e: Entry): string =>
  `(principal=${e.principal}, host=${e.host}, operation=${e.operation}, permissionType=${e.permissionType})`;
const entriesOf = (entries: readonly Entry[]): string => entries.map((e) => `\t${entryOf(e)}`).join('\n');

function parsePrincipal(p: string): string {
  const t = p.trim();
  if (t.indexOf(':') <= 0)
    throw new UsageError(`Invalid principal ${p}: expected principalType:name, such as User:alice`);
  return t;
}

function patternType(opts: AclsOptions): AclPatternTypeName {
  const t = opts.resourcePatternType.toUpperCase();
  if (!['LITERAL', 'PREFIXED', 'MATCH', 'ANY'].includes(t)) {
    throw new UsageError(`Unknown resource-pattern-type: ${opts.resourcePatternType}`);
  }
  return t as AclPatternTypeName;
}

/** Kafka's getResourceFilter: the resources the command names, in the order kafka-acls.sh takes them. */
function resources(opts: AclsOptions, required: boolean): Resource[] {
  const pt = patternType(opts);
  const out: Resource[] = [];
  for (const t of opts.topic) out.push({ resourceType: 'TOPIC', resourceName: t.trim(), patternType: pt });
  if (pt === 'LITERAL' && (opts.cluster || opts.idempotent)) out.push({ ...CLUSTER, patternType: 'LITERAL' });
  for (const g of opts.group) out.push({ resourceType: 'GROUP', resourceName: g.trim(), patternType: pt });
  for (const id of opts.transactionalId)
    out.push({ resourceType: 'TRANSACTIONAL_ID', resourceName: id, patternType: pt });
  for (const d of opts.delegationToken)
    out.push({ resourceType: 'DELEGATION_TOKEN', resourceName: d.trim(), patternType: pt });
  for (const u of opts.userPrincipal)
    out.push({ resourceType: 'USER', resourceName: u.trim(), patternType: pt });
  if (out.length === 0 && required) {
    throw new UsageError(
      'You must provide at least one resource: --topic <topic> or --cluster or --group <group> or --delegation-token <Delegation Token ID>',
    );
  }
  return out;
}

/** Kafka's getAcl: every allowed and denied principal with every operation and host. */
function entries(opts: AclsOptions, operations: readonly AclOperationName[]): Entry[] {
  const out: Entry[] = [];
  const add = (principals: string[], hosts: string[], permissionType: AclPermissionTypeName): void => {
    if (principals.length === 0) return;
    const hostList = hosts.length > 0 ? hosts.map((h) => h.trim()) : ['*'];
    for (const p of principals) {
      for (const operation of operations) {
        for (const host of hostList)
          out.push({ principal: parsePrincipal(p), host, operation, permissionType });
      }
    }
  };
  add(opts.allowPrincipal, opts.allowHost, 'ALLOW');
  add(opts.denyPrincipal, opts.denyHost, 'DENY');
  return out;
}

/** Kafka's getResourceFilterToAcls: explicit operations, or those --producer and --consumer imply. */
function resourceEntries(opts: AclsOptions): Map<string, { resource: Resource; entries: Entry[] }> {
  const out = new Map<string, { resource: Resource; entries: Entry[] }>();
  const put = (resource: Resource, list: Entry[]): void => {
    const key = patternOf(resource);
    const existing = out.get(key);
    if (existing)
      existing.entries.push(...list.filter((e) => !existing.entries.some((x) => entryOf(x) === entryOf(e))));
    else out.set(key, { resource, entries: [...list] });
  };
  const all = resources(opts, true);
  if (!opts.producer && !opts.consumer) {
    const ops = (opts.operation.length > 0 ? opts.operation : ['All']).map(parseOperation);
    for (const r of all) put(r, entries(opts, [...new Set(ops)]));
  }
  if (opts.producer) {
    for (const r of all.filter((x) => x.resourceType === 'TOPIC'))
      put(r, entries(opts, ['WRITE', 'DESCRIBE', 'CREATE']));
    for (const r of all.filter((x) => x.resourceType === 'TRANSACTIONAL_ID'))
      put(r, entries(opts, ['WRITE', 'DESCRIBE']));
    if (opts.idempotent) put({ ...CLUSTER, patternType: 'LITERAL' }, entries(opts, ['IDEMPOTENT_WRITE']));
  }
  if (opts.consumer) {
    for (const r of all.filter((x) => x.resourceType === 'TOPIC'))
      put(r, entries(opts, ['READ', 'DESCRIBE']));
    for (const r of all.filter((x) => x.resourceType === 'GROUP')) put(r, entries(opts, ['READ']));
  }
  for (const { resource, entries: list } of out.values()) {
    const valid = [...(SUPPORTED[resource.resourceType] ?? []), 'ALL'];
    if (list.some((e) => !valid.includes(e.operation))) {
      throw new UsageError(
        `ResourceType ${resource.resourceType} only supports operations ${valid.join(', ')}`,
      );
    }
  }
  return out;
}

function checkArgs(opts: AclsOptions): void {
  const actions = [opts.add, opts.remove, opts.list].filter(Boolean).length;
  if (actions !== 1)
    throw new UsageError('Command must include exactly one action: --list, --add, --remove.');
  const given = (name: string, v: unknown): string | null =>
    v === true || (Array.isArray(v) && v.length > 0) ? name : null;
  if (opts.list) {
    const bad = [
      given('--producer', opts.producer),
      given('--consumer', opts.consumer),
      given('--allow-host', opts.allowHost),
      given('--allow-principal', opts.allowPrincipal),
      given('--deny-host', opts.denyHost),
      given('--deny-principal', opts.denyPrincipal),
    ].filter((x) => x !== null);
    if (bad.length > 0) throw new UsageError(`Option "--list" can't be used with option ${bad.join(', ')}`);
  }
  if (opts.producer || opts.consumer) {
    const bad = [
      given('--operation', opts.operation),
      given('--deny-principal', opts.denyPrincipal),
      given('--deny-host', opts.denyHost),
    ].filter((x) => x !== null);
    if (bad.length > 0) {
      throw new UsageError(
        `Option "${opts.producer ? '--producer' : '--consumer'}" can't be used with option ${bad.join(', ')}`,
      );
    }
  }
  if (opts.principal.length > 0 && !opts.list)
    throw new UsageError('The --principal option is only available if --list is set');
  if (opts.producer && opts.topic.length === 0)
    throw new UsageError('With --producer you must specify a --topic');
  if (opts.idempotent && !opts.producer)
    throw new UsageError('The --idempotent option is only available if --producer is set');
  if (
    opts.consumer &&
    (opts.topic.length === 0 ||
      opts.group.length === 0 ||
      (!opts.producer && (opts.cluster || opts.transactionalId.length > 0)))
  ) {
    throw new UsageError(
      'With --consumer you must specify a --topic and a --group and no --cluster or --transactional-id option should be specified.',
    );
  }
}

async function confirm(opts: AclsOptions, question: string): Promise<boolean> {
  if (opts.force) return true;
  await writeOut(`${question}\n`);
  const rl = createInterface({ input: process.stdin });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return answer.trim().toLowerCase() === 'y';
  } finally {
    rl.close();
  }
}

async function addAcls(admin: Admin, opts: AclsOptions): Promise<void> {
  if (patternType(opts) === 'MATCH' || patternType(opts) === 'ANY') {
    throw new UsageError(
      `A '--resource-pattern-type' value of '${patternType(opts)}' is not valid when adding acls.`,
    );
  }
  const toAdd = resourceEntries(opts);
  if ([...toAdd.values()].some((x) => x.entries.length === 0)) {
    throw new UsageError(
      'You must specify one of: --allow-principal, --deny-principal when trying to add ACLs.',
    );
  }
  for (const { resource, entries: list } of toAdd.values()) {
    await writeOut(`Adding ACLs for resource \`${patternOf(resource)}\`: \n ${entriesOf(list)} \n\n`);
    const results = await admin.createAcls(list.map((e) => ({ ...resource, ...e })));
    const failed = results.find((r) => r.errorCode !== 0);
    if (failed) throw new Error(failed.errorMessage ?? `CreateAcls failed with error ${failed.errorCode}`);
  }
}

async function removeAcls(admin: Admin, opts: AclsOptions): Promise<void> {
  for (const { resource, entries: list } of resourceEntries(opts).values()) {
    const question =
      list.length === 0
        ? `Are you sure you want to delete all ACLs for resource filter \`${patternOf(resource)}\`? (y/n)`
        : `Are you sure you want to remove ACLs: \n ${entriesOf(list)} \n from resource filter \`${patternOf(resource)}\`? (y/n)`;
    if (!(await confirm(opts, question))) continue;
    const filters: AclBindingFilter[] =
      list.length === 0 ? [{ ...resource }] : list.map((e) => ({ ...resource, ...e }));
    const results = await admin.deleteAcls(filters);
    const failed = results.find((r) => r.errorCode !== 0);
    if (failed) throw new Error(failed.errorMessage ?? `DeleteAcls failed with error ${failed.errorCode}`);
  }
}

async function listAcls(admin: Admin, opts: AclsOptions): Promise<void> {
  const filters = resources(opts, false);
  const bindings =
    filters.length === 0
      ? await admin.describeAcls({})
      : (await Promise.all(filters.map((f) => admin.describeAcls(f)))).flat();
  const byResource = new Map<string, Entry[]>();
  for (const b of bindings) {
    const key = patternOf(b);
    const list = byResource.get(key) ?? [];
    const e: Entry = {
      principal: b.principal,
      host: b.host ?? '*',
      operation: b.operation,
      permissionType: b.permissionType,
    };
    if (!list.some((x) => entryOf(x) === entryOf(e))) list.push(e);
    byResource.set(key, list);
  }
  const print = async (resources: Map<string, Entry[]>): Promise<void> => {
    for (const [resource, list] of resources) {
      await writeOut(`Current ACLs for resource \`${resource}\`: \n ${entriesOf(list)} \n\n`);
    }
  };
  if (opts.principal.length === 0) {
    await print(byResource);
    return;
  }
  for (const p of opts.principal.map(parsePrincipal)) {
    await writeOut(`ACLs for principal \`${p}\`\n`);
    const mine = new Map<string, Entry[]>();
    for (const [resource, list] of byResource) {
      const kept = list.filter((e) => e.principal === p);
      if (kept.length > 0) mine.set(resource, kept);
    }
    await print(mine);
  }
}

/** `strom acls`, Kafka's kafka-acls.sh: add, remove and list ACLs with its flags and output. */
export function registerAclsCommand(program: Command, done: (code: number) => void): void {
  connectionOptions(program.command('acls').description("Add, remove and list ACLs (Kafka's kafka-acls.sh)"))
    .option('--add', 'add ACLs')
    .option('--remove', 'remove ACLs')
    .option('--list', 'list ACLs of the resources named (all ACLs when none is)')
    .option('--topic <topic>', "topic of the ACLs ('*' for every topic); repeatable", collect, [])
    .option('--group <group>', "consumer group of the ACLs ('*' for every group); repeatable", collect, [])
    .option('--cluster', 'the cluster resource')
    .option('--transactional-id <id>', "transactional id of the ACLs ('*' for all); repeatable", collect, [])
    .option('--delegation-token <id>', 'delegation token of the ACLs; repeatable', collect, [])
    .option(
      '--user-principal <principal>',
      'a user principal as the resource (CreateTokens, DescribeTokens); repeatable',
      collect,
      [],
    )
    .option(
      '--resource-pattern-type <type>',
      'literal or prefixed (adding), or the filters any and match (listing, removing)',
      'literal',
    )
    .option(
      '--operation <operation>',
      `operation allowed or denied (default All): ${OPERATIONS.join(', ')}; repeatable`,
      collect,
      [],
    )
    .option(
      '--allow-principal <principal>',
      'principal allowed, Type:name (User:* for everyone); repeatable',
      collect,
      [],
    )
    .option('--deny-principal <principal>', 'principal denied; DENY wins over ALLOW; repeatable', collect, [])
    .option(
      '--allow-host <host>',
      'host the allowed principals may connect from (default *); repeatable',
      collect,
      [],
    )
    .option(
      '--deny-host <host>',
      'host the denied principals are denied from (default *); repeatable',
      collect,
      [],
    )
    .option(
      '--principal <principal>',
      'with --list: only the ACLs of this principal; repeatable',
      collect,
      [],
    )
    .option(
      '--producer',
      'ACLs of a producer: WRITE, DESCRIBE and CREATE on the topics (WRITE, DESCRIBE on transactional ids)',
    )
    .option('--consumer', 'ACLs of a consumer: READ, DESCRIBE on the topics and READ on the group')
    .option('--idempotent', 'with --producer: IDEMPOTENT_WRITE on the cluster')
    .option('--force', 'do not ask before removing')
    .addHelpText(
      'after',
      `
Examples:
  strom acls --bootstrap-server localhost:9092 --add --allow-principal User:alice --operation Read --topic orders
  strom acls --add --allow-principal User:alice --producer --topic orders- --resource-pattern-type prefixed
  strom acls --add --allow-principal User:bob --consumer --topic orders --group billing
  strom acls --list --topic orders --resource-pattern-type match
  strom acls --remove --force --topic orders`,
    )
    .action(
      commandAction<AclsOptions>(done, async (opts) => {
        checkArgs(opts);
        const admin = kafkaFor(opts, 'strom-acls').admin();
        try {
          if (opts.add) await addAcls(admin, opts);
          else if (opts.remove) await removeAcls(admin, opts);
          else await listAcls(admin, opts);
        } finally {
          await admin.close();
        }
        return undefined;
      }),
    );
}
