import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AclBinding,
  filterMatches,
  invalidAclReason,
  AclOperation as Op,
  AclPatternType as Pattern,
  AclPermissionType as Perm,
  AclResourceType as Res,
} from '../../../src/metadata/acl/acl-binding.js';
import { AclIndex } from '../../../src/metadata/acl/acl-index.js';

let nextId = 0;
function acl(p: Partial<AclBinding>): AclBinding & { id: string } {
  return {
    id: `acl-${++nextId}`,
    resourceType: Res.TOPIC,
    resourceName: 'orders',
    patternType: Pattern.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: Op.READ,
    permissionType: Perm.ALLOW,
    ...p,
  };
}

function indexOf(...acls: Partial<AclBinding>[]): AclIndex {
  const index = new AclIndex();
  for (const a of acls) index.add(acl(a));
  return index;
}

/** [principal, host, operation, resource type, name] asked, and whether it is allowed. */
type Case = [string, string, number, number, string, boolean];

function check(index: AclIndex, cases: Case[], allowIfNoAcl = false): void {
  for (const [principal, host, op, type, name, allowed] of cases) {
    const d = index.decide(principal, host, op, type, name, allowIfNoAcl);
    assert.equal(d.allowed, allowed, `${principal}@${host} op ${op} on ${type}:${name}`);
  }
}

describe('AclIndex decisions (StandardAuthorizer semantics)', () => {
  it('DENY beats ALLOW, whichever pattern each comes from', () => {
    const index = indexOf(
      { operation: Op.READ, resourceName: 'orders' },
      { operation: Op.READ, resourceName: 'ord', patternType: Pattern.PREFIXED, permissionType: Perm.DENY },
      { operation: Op.WRITE, resourceName: '*' },
      { operation: Op.WRITE, resourceName: 'orders', permissionType: Perm.DENY },
      { operation: Op.ALL, resourceName: 'payments', permissionType: Perm.DENY, principal: 'User:*' },
      { operation: Op.READ, resourceName: 'payments' },
    );
    check(index, [
      ['User:alice', '10.0.0.1', Op.READ, Res.TOPIC, 'orders', false],
      ['User:alice', '10.0.0.1', Op.WRITE, Res.TOPIC, 'orders', false],
      ['User:alice', '10.0.0.1', Op.WRITE, Res.TOPIC, 'invoices', true],
      ['User:alice', '10.0.0.1', Op.READ, Res.TOPIC, 'payments', false],
    ]);
  });

  it('PREFIXED patterns match names that start with them, LITERAL ones only the name itself', () => {
    const index = indexOf(
      { resourceName: 'app-', patternType: Pattern.PREFIXED },
      { resourceName: 'app-secret', patternType: Pattern.PREFIXED, permissionType: Perm.DENY },
      { resourceName: 'log', operation: Op.WRITE },
    );
    check(index, [
      ['User:alice', 'h', Op.READ, Res.TOPIC, 'app-orders', true],
      ['User:alice', 'h', Op.READ, Res.TOPIC, 'app-', true],
      ['User:alice', 'h', Op.READ, Res.TOPIC, 'app', false],
      ['User:alice', 'h', Op.READ, Res.TOPIC, 'app-secrets', false],
      ['User:alice', 'h', Op.WRITE, Res.TOPIC, 'log', true],
      ['User:alice', 'h', Op.WRITE, Res.TOPIC, 'logs', false],
      ['User:alice', 'h', Op.READ, Res.GROUP, 'app-orders', false],
    ]);
  });

  it('the wildcard resource, principal and host match everything', () => {
    const index = indexOf(
      { resourceName: '*', principal: 'User:*', operation: Op.DESCRIBE },
      { resourceName: 'orders', principal: 'User:bob', host: '10.0.0.2', operation: Op.WRITE },
    );
    check(index, [
      ['User:carol', '1.2.3.4', Op.DESCRIBE, Res.TOPIC, 'anything', true],
      ['User:bob', '10.0.0.2', Op.WRITE, Res.TOPIC, 'orders', true],
      ['User:bob', '10.0.0.3', Op.WRITE, Res.TOPIC, 'orders', false],
      ['User:alice', '10.0.0.2', Op.WRITE, Res.TOPIC, 'orders', false],
    ]);
  });

  it('an ALLOW of READ, WRITE, DELETE or ALTER implies DESCRIBE, ALTER_CONFIGS implies DESCRIBE_CONFIGS, ALL implies all; a DENY implies nothing', () => {
    for (const op of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER, Op.ALL]) {
      check(indexOf({ operation: op }), [['User:alice', 'h', Op.DESCRIBE, Res.TOPIC, 'orders', true]]);
    }
    for (const op of [Op.CREATE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS]) {
      check(indexOf({ operation: op }), [['User:alice', 'h', Op.DESCRIBE, Res.TOPIC, 'orders', false]]);
    }
    check(indexOf({ operation: Op.ALTER_CONFIGS }), [
      ['User:alice', 'h', Op.DESCRIBE_CONFIGS, Res.TOPIC, 'orders', true],
      ['User:alice', 'h', Op.ALTER, Res.TOPIC, 'orders', false],
    ]);
    check(indexOf({ operation: Op.ALL }), [['User:alice', 'h', Op.DELETE, Res.TOPIC, 'orders', true]]);
    // A DENY of READ does not deny DESCRIBE, which an ALLOW of WRITE implies.
    check(indexOf({ operation: Op.WRITE }, { operation: Op.READ, permissionType: Perm.DENY }), [
      ['User:alice', 'h', Op.DESCRIBE, Res.TOPIC, 'orders', true],
      ['User:alice', 'h', Op.READ, Res.TOPIC, 'orders', false],
    ]);
  });

  it('allow.everyone.if.no.acl.found allows only resources without any ACL', () => {
    const index = indexOf({ resourceName: 'orders', principal: 'User:bob' });
    check(
      index,
      [
        ['User:alice', 'h', Op.READ, Res.TOPIC, 'other', true],
        ['User:alice', 'h', Op.READ, Res.GROUP, 'g', true],
        ['User:alice', 'h', Op.READ, Res.TOPIC, 'orders', false],
        ['User:bob', 'h', Op.READ, Res.TOPIC, 'orders', true],
      ],
      true,
    );
    check(index, [['User:alice', 'h', Op.READ, Res.TOPIC, 'other', false]], false);
  });

  it('removing an ACL takes it out of every decision', () => {
    const index = new AclIndex();
    const a = acl({ resourceName: 'pre', patternType: Pattern.PREFIXED });
    index.add(a);
    check(index, [['User:alice', 'h', Op.READ, Res.TOPIC, 'prefix', true]]);
    assert.equal(index.remove(a.id)?.id, a.id);
    check(index, [['User:alice', 'h', Op.READ, Res.TOPIC, 'prefix', false]], false);
    check(index, [['User:alice', 'h', Op.READ, Res.TOPIC, 'prefix', true]], true);
    assert.equal(index.size, 0);
  });

  it('decides among 10,000 ACLs of other resources as it does among none', () => {
    const index = new AclIndex();
    for (let i = 0; i < 10_000; i++) {
      index.add(
        acl({
          resourceName: `t-${i}`,
          patternType: i % 2 === 0 ? Pattern.LITERAL : Pattern.PREFIXED,
          principal: `User:u${i}`,
        }),
      );
    }
    index.add(acl({ resourceName: 't-5000x', operation: Op.WRITE }));
    check(index, [
      ['User:alice', 'h', Op.WRITE, Res.TOPIC, 't-5000x', true],
      ['User:u5001', 'h', Op.READ, Res.TOPIC, 't-5001-anything', true],
      ['User:u5001', 'h', Op.READ, Res.TOPIC, 't-5000', false],
    ]);
  });

  it('allowsSomeResource: an ALLOW not dominated by a DENY of its name or a prefix of it (KIP-679)', () => {
    const w = (p: Partial<AclBinding>) => ({ operation: Op.WRITE, ...p });
    const cases: [Partial<AclBinding>[], boolean][] = [
      [[], false],
      [[w({})], true],
      [[w({}), w({ permissionType: Perm.DENY })], false],
      [[w({}), w({ resourceName: 'ord', patternType: Pattern.PREFIXED, permissionType: Perm.DENY })], false],
      [[w({}), w({ resourceName: 'other', permissionType: Perm.DENY })], true],
      [[w({ resourceName: '*' })], true],
      [[w({}), w({ resourceName: '*', permissionType: Perm.DENY })], false],
      [[w({ principal: 'User:bob' })], false],
      [[{ operation: Op.READ }], false],
    ];
    for (const [acls, expected] of cases) {
      assert.equal(
        indexOf(...acls).allowsSomeResource('User:alice', 'h', Op.WRITE, Res.TOPIC),
        expected,
        JSON.stringify(acls),
      );
    }
  });
});

describe('ACL filters and validation', () => {
  const binding = acl({ resourceName: 'app-', patternType: Pattern.PREFIXED });
  const any = {
    resourceType: Res.ANY,
    resourceName: null,
    patternType: Pattern.ANY,
    principal: null,
    host: null,
    operation: Op.ANY,
    permissionType: Perm.ANY,
  };

  it('MATCH finds the patterns that apply to a name; ANY and exact patterns compare names', () => {
    assert.ok(filterMatches({ ...any, resourceName: 'app-x', patternType: Pattern.MATCH }, binding));
    assert.ok(!filterMatches({ ...any, resourceName: 'ap', patternType: Pattern.MATCH }, binding));
    assert.ok(!filterMatches({ ...any, resourceName: 'app-x', patternType: Pattern.ANY }, binding));
    assert.ok(filterMatches({ ...any, resourceName: 'app-', patternType: Pattern.ANY }, binding));
    assert.ok(filterMatches({ ...any, resourceName: 'app-', patternType: Pattern.PREFIXED }, binding));
    assert.ok(!filterMatches({ ...any, resourceName: 'app-', patternType: Pattern.LITERAL }, binding));
    const wildcard = acl({ resourceName: '*' });
    assert.ok(filterMatches({ ...any, resourceName: 'orders', patternType: Pattern.MATCH }, wildcard));
    assert.ok(!filterMatches({ ...any, principal: 'User:bob' }, binding));
    assert.ok(!filterMatches({ ...any, operation: Op.WRITE }, binding));
    assert.ok(filterMatches({ ...any, resourceType: Res.TOPIC, permissionType: Perm.ALLOW }, binding));
  });

  it('refuses ACLs Kafka refuses', () => {
    assert.equal(invalidAclReason(acl({})), null);
    assert.match(invalidAclReason(acl({ resourceType: Res.ANY }))!, /resourceType/);
    assert.match(invalidAclReason(acl({ patternType: Pattern.MATCH }))!, /patternType/);
    assert.match(invalidAclReason(acl({ operation: Op.ANY }))!, /operation/);
    assert.match(invalidAclReason(acl({ permissionType: Perm.ANY }))!, /permissionType/);
    assert.match(invalidAclReason(acl({ resourceName: '' }))!, /empty/);
    assert.match(invalidAclReason(acl({ resourceType: Res.CLUSTER, resourceName: 'x' }))!, /kafka-cluster/);
    assert.match(invalidAclReason(acl({ principal: 'alice' }))!, /principal/);
  });
});
