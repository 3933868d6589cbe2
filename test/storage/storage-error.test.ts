import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { kafkaErrorCode, STORAGE_ERROR_CODES, StorageError } from '../../src/storage/storage-error.js';

describe('storage error codes', () => {
  it('each code is documented in docs/storage.md and the storage README', () => {
    const docs = readFileSync('docs/storage.md', 'utf8');
    const readme = readFileSync('src/storage/README.md', 'utf8');
    for (const code of STORAGE_ERROR_CODES) {
      assert.ok(docs.includes(`\`${code}\``), `${code} missing from docs/storage.md`);
      assert.ok(readme.includes(code), `${code} missing from src/storage/README.md`);
    }
  });

  it('maps onto Kafka error codes', () => {
    assert.equal(kafkaErrorCode('CORRUPT_MESSAGE'), 2);
    assert.equal(kafkaErrorCode('KAFKA_STORAGE_ERROR'), ErrorCode.KAFKA_STORAGE_ERROR);
    assert.equal(kafkaErrorCode('INVALID_TIMESTAMP'), 32);
    const e = new StorageError('OFFSET_OUT_OF_RANGE', 'x');
    assert.equal(e.name, 'StorageError');
    assert.equal(kafkaErrorCode(e.code), 1);
  });
});
