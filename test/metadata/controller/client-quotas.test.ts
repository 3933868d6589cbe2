import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyMetadataRecord } from '../../../src/metadata/apply-metadata-record.js';
import {
  alterClientQuotas,
  type ClientQuotaAlterationEntry,
  describeClientQuotas,
  QuotaMatchType,
} from '../../../src/metadata/controller/client-quotas.js';
import { imageToRecords } from '../../../src/metadata/image-to-records.js';
import { MetadataImage } from '../../../src/metadata/metadata-image.js';
import { decodeMetadataRecord, encodeMetadataRecord } from '../../../src/metadata/metadata-record-serde.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';

const user = (name: string | null) => ({ entityType: 'user', entityName: name });
const client = (name: string | null) => ({ entityType: 'client-id', entityName: name });
const set = (key: string, value: number) => ({ key, value, remove: false });
const remove = (key: string) => ({ key, value: 0, remove: true });

function alter(image: MetadataImage, entries: ClientQuotaAlterationEntry[], validateOnly = false) {
  const result = alterClientQuotas(image, entries, validateOnly);
  for (const r of result.records) applyMetadataRecord(image, decodeMetadataRecord(encodeMetadataRecord(r)));
  return result;
}

function described(
  image: MetadataImage,
  components = [] as { entityType: string; matchType: number; match: string | null }[],
  strict = false,
) {
  const d = describeClientQuotas(image, components, strict);
  assert.equal(d.errorCode, ErrorCode.NONE, d.errorMessage ?? '');
  return (d.entries ?? [])
    .map(
      (e) =>
        `${e.entity.map((x) => `${x.entityType}=${x.entityName ?? '<default>'}`).join(',')}: ${e.values.map((v) => `${v.key}=${v.value}`).join(',')}`,
    )
    .sort();
}

describe('client quotas in the metadata', () => {
  it('stores quotas of users, client ids, both and defaults as ClientQuotaRecords that survive a snapshot', () => {
    const image = new MetadataImage();
    const r = alter(image, [
      { entity: [user('alice')], ops: [set('producer_byte_rate', 1024), set('request_percentage', 12.5)] },
      { entity: [user(null)], ops: [set('consumer_byte_rate', 2048)] },
      { entity: [user('alice'), client('app1')], ops: [set('producer_byte_rate', 512)] },
      { entity: [client(null)], ops: [set('producer_byte_rate', 100)] },
    ]);
    assert.deepEqual(
      r.response.map((e) => e.errorCode),
      [0, 0, 0, 0],
    );
    assert.equal(r.records.length, 5);
    const expected = [
      'client-id=<default>: producer_byte_rate=100',
      'user=<default>: consumer_byte_rate=2048',
      'user=alice,client-id=app1: producer_byte_rate=512',
      'user=alice: producer_byte_rate=1024,request_percentage=12.5',
    ];
    assert.deepEqual(described(image), expected);
    const rebuilt = new MetadataImage();
    for (const rec of imageToRecords(image)) applyMetadataRecord(rebuilt, rec);
    assert.deepEqual(described(rebuilt), expected);
  });

  it('writes only changes, removes keys, and drops an entity with no quota left', () => {
    const image = new MetadataImage();
    alter(image, [{ entity: [user('bob')], ops: [set('producer_byte_rate', 10)] }]);
    assert.equal(
      alter(image, [{ entity: [user('bob')], ops: [set('producer_byte_rate', 10)] }]).records.length,
      0,
    );
    assert.equal(
      alter(image, [{ entity: [user('bob')], ops: [remove('consumer_byte_rate')] }]).records.length,
      0,
    );
    assert.equal(
      alter(image, [{ entity: [user('bob')], ops: [remove('producer_byte_rate')] }]).records.length,
      1,
    );
    assert.equal(image.clientQuotas.size, 0);
  });

  it('validateOnly answers without writing', () => {
    const image = new MetadataImage();
    const r = alter(image, [{ entity: [user('carol')], ops: [set('producer_byte_rate', 10)] }], true);
    assert.equal(r.response[0]?.errorCode, ErrorCode.NONE);
    assert.equal(r.records.length, 0);
  });

  it("refuses what Kafka's ClientQuotaControlManager refuses, entity by entity", () => {
    const image = new MetadataImage();
    const r = alter(image, [
      { entity: [user('a')], ops: [set('no_such_key', 1)] },
      { entity: [user('b')], ops: [set('producer_byte_rate', 0)] },
      { entity: [user('c')], ops: [set('producer_byte_rate', 1.5)] },
      { entity: [user('d')], ops: [set('producer_byte_rate', 1), set('producer_byte_rate', 2)] },
      { entity: [], ops: [set('producer_byte_rate', 1)] },
      { entity: [{ entityType: 'group', entityName: 'g' }], ops: [set('producer_byte_rate', 1)] },
      { entity: [user('')], ops: [set('producer_byte_rate', 1)] },
      { entity: [user('e'), user('f')], ops: [set('producer_byte_rate', 1)] },
      { entity: [{ entityType: 'ip', entityName: '10.0.0.1' }], ops: [set('connection_creation_rate', 1)] },
      { entity: [client('ok')], ops: [set('request_percentage', 0.5)] },
    ]);
    assert.deepEqual(
      r.response.map((e) => [e.errorCode, e.errorMessage]),
      [
        [ErrorCode.INVALID_REQUEST, 'Invalid configuration key no_such_key'],
        [ErrorCode.INVALID_REQUEST, 'Quota producer_byte_rate must be greater than 0'],
        [ErrorCode.INVALID_REQUEST, 'producer_byte_rate cannot be a fractional value.'],
        [
          ErrorCode.INVALID_REQUEST,
          'Duplicate quota key producer_byte_rate not updating quota for this entity user d',
        ],
        [ErrorCode.INVALID_REQUEST, 'Invalid empty client quota entity'],
        [ErrorCode.INVALID_REQUEST, 'Unhandled client quota entity type: group'],
        [ErrorCode.INVALID_REQUEST, 'Empty user not supported'],
        [ErrorCode.INVALID_REQUEST, 'Invalid client quota entity, duplicate entity entry user'],
        [
          ErrorCode.INVALID_REQUEST,
          'IP quota entities (connection_creation_rate) are not supported by this broker',
        ],
        [ErrorCode.NONE, null],
      ],
    );
    assert.deepEqual(described(image), ['client-id=ok: request_percentage=0.5']);
  });

  it('a duplicated entity fails as a whole and writes nothing', () => {
    const image = new MetadataImage();
    const r = alter(image, [
      { entity: [user('x'), client('y')], ops: [set('producer_byte_rate', 1)] },
      { entity: [client('y'), user('x')], ops: [set('consumer_byte_rate', 1)] },
    ]);
    assert.equal(r.response.length, 1);
    assert.equal(r.response[0]?.errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal(r.records.length, 0);
  });

  it('describes with exact, default and specified matches, strict or not', () => {
    const image = new MetadataImage();
    alter(image, [
      { entity: [user('alice')], ops: [set('producer_byte_rate', 1)] },
      { entity: [user(null)], ops: [set('producer_byte_rate', 2)] },
      { entity: [user('alice'), client('app')], ops: [set('producer_byte_rate', 3)] },
      { entity: [client('app')], ops: [set('producer_byte_rate', 4)] },
    ]);
    const exact = (entityType: string, match: string) => ({
      entityType,
      matchType: QuotaMatchType.EXACT,
      match,
    });
    const def = (entityType: string) => ({ entityType, matchType: QuotaMatchType.DEFAULT, match: null });
    const any = (entityType: string) => ({ entityType, matchType: QuotaMatchType.SPECIFIED, match: null });
    assert.deepEqual(described(image, [exact('user', 'alice')]), [
      'user=alice,client-id=app: producer_byte_rate=3',
      'user=alice: producer_byte_rate=1',
    ]);
    assert.deepEqual(described(image, [exact('user', 'alice')], true), ['user=alice: producer_byte_rate=1']);
    assert.deepEqual(described(image, [def('user')], true), ['user=<default>: producer_byte_rate=2']);
    assert.deepEqual(described(image, [any('client-id')]), [
      'client-id=app: producer_byte_rate=4',
      'user=alice,client-id=app: producer_byte_rate=3',
    ]);
    assert.deepEqual(described(image, [any('user'), any('client-id')], true), [
      'user=alice,client-id=app: producer_byte_rate=3',
    ]);
  });

  it('answers a bad filter with Kafka’s error and no entries', () => {
    const image = new MetadataImage();
    const bad = (components: { entityType: string; matchType: number; match: string | null }[]) => {
      const d = describeClientQuotas(image, components, false);
      return [d.errorCode, d.entries];
    };
    assert.deepEqual(bad([{ entityType: 'user', matchType: 0, match: null }]), [
      ErrorCode.INVALID_REQUEST,
      null,
    ]);
    assert.deepEqual(bad([{ entityType: 'user', matchType: 1, match: 'x' }]), [
      ErrorCode.INVALID_REQUEST,
      null,
    ]);
    assert.deepEqual(bad([{ entityType: 'user', matchType: 7, match: null }]), [
      ErrorCode.INVALID_REQUEST,
      null,
    ]);
    assert.deepEqual(bad([{ entityType: 'topic', matchType: 2, match: null }]), [
      ErrorCode.UNSUPPORTED_VERSION,
      null,
    ]);
    assert.deepEqual(
      bad([
        { entityType: 'user', matchType: 2, match: null },
        { entityType: 'user', matchType: 1, match: null },
      ]),
      [ErrorCode.INVALID_REQUEST, null],
    );
    assert.deepEqual(
      bad([
        { entityType: 'ip', matchType: 2, match: null },
        { entityType: 'user', matchType: 2, match: null },
      ]),
      [ErrorCode.INVALID_REQUEST, null],
    );
  });
});
