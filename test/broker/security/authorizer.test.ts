import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectionContext } from '../../../src/broker/network/connection.js';
import { Authorizer, clientHost, parseSuperUsers } from '../../../src/broker/security/authorizer.js';
import { ConnectionSession } from '../../../src/broker/security/connection-session.js';
import {
  AclOperation as Op,
  AclPatternType as Pattern,
  AclPermissionType as Perm,
  AclResourceType as Res,
} from '../../../src/metadata/acl/acl-binding.js';
import { AclIndex } from '../../../src/metadata/acl/acl-index.js';
import { type CapturedLine, captureLogger } from '../../helpers/capture-logger.js';

function connection(principal: string | null, clientAddress = '10.1.2.3:5555'): ConnectionContext {
  const session = principal === null ? undefined : new ConnectionSession('SASL_PLAINTEXT', principal);
  return { connectionId: 'c', listenerName: 'L', clientAddress, log: captureLogger([]), session };
}

describe('Authorizer', () => {
  const acls = new AclIndex();
  acls.add({
    id: 'a1',
    resourceType: Res.TOPIC,
    resourceName: 'orders',
    patternType: Pattern.LITERAL,
    principal: 'User:alice',
    host: '10.1.2.3',
    operation: Op.READ,
    permissionType: Perm.ALLOW,
  });

  it('allows everything when authorizer.class.name is unset', () => {
    const a = new Authorizer(
      { enabled: false, superUsers: new Set(), allowEveryoneIfNoAclFound: false },
      () => acls,
      captureLogger([]),
    );
    assert.ok(a.authorize(connection('User:bob'), Op.WRITE, Res.TOPIC, 'orders'));
    assert.ok(a.authorizeByResourceType(connection('User:bob'), Op.WRITE, Res.TOPIC));
  });

  it("remembers a connection's allowed decisions only while the ACLs are unchanged", () => {
    const index = new AclIndex();
    let image = index;
    const a = new Authorizer(
      { enabled: true, superUsers: new Set(), allowEveryoneIfNoAclFound: false },
      () => image,
      captureLogger([]),
    );
    const grant = {
      id: 'w1',
      resourceType: Res.TOPIC,
      resourceName: 'events',
      patternType: Pattern.PREFIXED,
      principal: 'User:carol',
      host: '*',
      operation: Op.WRITE,
      permissionType: Perm.ALLOW,
    };
    index.add(grant);
    const conn = connection('User:carol');
    assert.ok(a.authorize(conn, Op.WRITE, Res.TOPIC, 'events-1'));
    assert.ok(a.authorize(conn, Op.WRITE, Res.TOPIC, 'events-1'), 'asked again');
    // The ACL deleted while the connection is open: the next request is denied at once.
    index.remove('w1');
    assert.ok(!a.authorize(conn, Op.WRITE, Res.TOPIC, 'events-1'));
    // A DENY added beside the ALLOW wins from the next request on.
    index.add(grant);
    assert.ok(a.authorize(conn, Op.WRITE, Res.TOPIC, 'events-1'));
    index.add({
      ...grant,
      id: 'd1',
      resourceName: 'events-1',
      patternType: Pattern.LITERAL,
      permissionType: Perm.DENY,
    });
    assert.ok(!a.authorize(conn, Op.WRITE, Res.TOPIC, 'events-1'));
    // A new image (a snapshot loaded) is another index: nothing remembered from the old one holds.
    image = new AclIndex();
    assert.ok(!a.authorize(conn, Op.WRITE, Res.TOPIC, 'events-2'));
    // Another principal on the same connection (never in Kafka, but the cache must not tell).
    image = index;
    index.remove('d1');
    assert.ok(a.authorize(conn, Op.WRITE, Res.TOPIC, 'events-1'));
    conn.session!.principal = 'User:dave';
    assert.ok(!a.authorize(conn, Op.WRITE, Res.TOPIC, 'events-1'));
  });

  it('asks the ACLs with the connection principal and host; super users and the broker itself pass', () => {
    const a = new Authorizer(
      {
        enabled: true,
        superUsers: parseSuperUsers('User:admin; User:CN=broker ;'),
        allowEveryoneIfNoAclFound: false,
      },
      () => acls,
      captureLogger([]),
    );
    assert.ok(a.authorize(connection('User:alice'), Op.READ, Res.TOPIC, 'orders'));
    assert.ok(!a.authorize(connection('User:alice', '10.9.9.9:1'), Op.READ, Res.TOPIC, 'orders'));
    assert.ok(!a.authorize(connection('User:bob'), Op.READ, Res.TOPIC, 'orders'));
    assert.ok(a.authorize(connection('User:admin'), Op.ALTER, Res.CLUSTER, 'kafka-cluster'));
    assert.ok(a.authorize(connection('User:CN=broker'), Op.CLUSTER_ACTION, Res.CLUSTER, 'kafka-cluster'));
    assert.ok(a.authorize(connection(null), Op.WRITE, Res.TOPIC, 'x'), 'no session: the broker itself');
    const bits = a.authorizedOperations(connection('User:alice'), Res.TOPIC, 'orders');
    assert.equal(bits, (1 << Op.READ) | (1 << Op.DESCRIBE));
  });

  it('logs a denial once per principal, operation, resource and host in its window', () => {
    const lines: CapturedLine[] = [];
    let now = 0;
    const a = new Authorizer(
      { enabled: true, superUsers: new Set(), allowEveryoneIfNoAclFound: false },
      () => acls,
      captureLogger(lines),
      () => now,
    );
    for (let i = 0; i < 100; i++) a.authorize(connection('User:bob'), Op.READ, Res.TOPIC, 'orders');
    a.authorize(connection('User:bob'), Op.WRITE, Res.TOPIC, 'orders');
    a.authorize(connection('User:bob'), Op.READ, Res.TOPIC, 'other', false);
    assert.deepEqual(
      lines.map((l) => [l.msg, l.fields.operation, l.fields.resource]),
      [
        ['Principal is Denied operation', 'READ', 'TOPIC:LITERAL:orders'],
        ['Principal is Denied operation', 'WRITE', 'TOPIC:LITERAL:orders'],
      ],
    );
    now += 60_000;
    a.authorize(connection('User:bob'), Op.READ, Res.TOPIC, 'orders');
    assert.equal(lines.length, 3);
  });

  it('compares ACL hosts with the client IP, IPv4 clients of dual-stack sockets as IPv4', () => {
    assert.equal(clientHost('127.0.0.1:9000'), '127.0.0.1');
    assert.equal(clientHost('::1:9000'), '::1');
    assert.equal(clientHost('::ffff:10.0.0.7:9000'), '10.0.0.7');
  });
});
