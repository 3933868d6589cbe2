import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientQuotaManager } from '../../../src/broker/quota/client-quota-manager.js';
import { QuotaRate, throttleTimeMs } from '../../../src/broker/quota/quota-rate.js';
import type { ClientQuotaEntity, ClientQuotaImageEntry } from '../../../src/metadata/client-quota-entity.js';

const WINDOW = { samples: 11, windowMs: 1000 };
const T0 = 1_000_000;

const quota = (entity: ClientQuotaEntity, values: Record<string, number>): ClientQuotaImageEntry => ({
  entity,
  values: new Map(Object.entries(values)),
});

describe("Kafka's windowed rate", () => {
  it('measures over at least samples - 1 windows, so a first burst is not over a few milliseconds', () => {
    const r = new QuotaRate(WINDOW);
    r.record(1000, T0);
    // 1,000 bytes at once: measured over 10 windows, not over 1 ms.
    assert.equal(r.windowSizeMs(T0), 10_000);
    assert.equal(r.measure(T0), 100);
    assert.equal(r.windowSizeMs(T0 + 500), 10_500);
  });

  it('measures over the samples it keeps once they cover more than the minimum', () => {
    const r = new QuotaRate(WINDOW);
    for (let s = 0; s <= 10; s++) r.record(100, T0 + s * 1000);
    // 11 samples from T0 to T0 + 10 s; measured at T0 + 10.5 s: 1,100 bytes over 10.5 s.
    assert.equal(r.windowSizeMs(T0 + 10_500), 10_500);
    assert.ok(Math.abs(r.measure(T0 + 10_500) - 1100 / 10.5) < 1e-9);
  });

  it('forgets samples with no event for the whole window', () => {
    const r = new QuotaRate(WINDOW);
    r.record(5000, T0);
    // Still within the 11 windows: measured over the 10.999 s since it started.
    assert.equal(r.measure(T0 + 10_999), 5000 / 10.999);
    assert.equal(r.measure(T0 + 11_000), 0);
  });

  it('reuses its ring of samples + 1 slots', () => {
    const r = new QuotaRate({ samples: 2, windowMs: 1000 });
    r.record(10, T0);
    r.record(10, T0 + 1000);
    r.record(10, T0 + 2000);
    r.record(10, T0 + 3000);
    // The slot of 0 s was reused for 3 s; the sample of 1 s has had no event for 2 windows and
    // is forgotten: 20 over the 1 s since the sample of 2 s began.
    assert.equal(r.measure(T0 + 3000), 20);
  });

  it("computes Kafka's throttle time: (observed - quota) / quota * window", () => {
    assert.equal(throttleTimeMs(200, 100, 10_000), 10_000);
    assert.equal(throttleTimeMs(110, 100, 10_000), 1000);
    assert.equal(throttleTimeMs(100.04, 100, 10_000), 4);
  });
});

describe('client quota manager', () => {
  it('has no cost and no throttle without a quota of its type', () => {
    const m = new ClientQuotaManager('Produce', WINDOW, Number.POSITIVE_INFINITY);
    m.update([quota({ user: 'alice' }, { consumer_byte_rate: 10 })]);
    assert.equal(m.enabled, false);
    m.update([quota({ user: 'alice' }, { producer_byte_rate: 10 })]);
    assert.equal(m.enabled, true);
    assert.equal(m.recordAndGetThrottleTimeMs('bob', 'app', 1e9, T0), 0);
  });

  it('throttles a client over its rate by the time that brings it back to the rate', () => {
    const m = new ClientQuotaManager('Produce', WINDOW, Number.POSITIVE_INFINITY);
    m.update([quota({ user: 'alice' }, { producer_byte_rate: 100 })]);
    // 1,000 bytes per 10 s window is exactly 100/s: no throttle.
    assert.equal(m.recordAndGetThrottleTimeMs('alice', 'app', 1000, T0), 0);
    // 2,000 bytes: 200/s over 10 s, 10 s more bring it to 100/s.
    assert.equal(m.recordAndGetThrottleTimeMs('alice', 'app', 1000, T0), 10_000);
    // The samples keep the bytes for quota.window.num windows: after 11 s they are forgotten.
    assert.ok(m.recordAndGetThrottleTimeMs('alice', 'app', 0, T0 + 10_000) > 0);
    assert.equal(m.recordAndGetThrottleTimeMs('alice', 'app', 0, T0 + 11_000), 0);
  });

  it('caps a throttle at its maximum (request_percentage: one window)', () => {
    const m = new ClientQuotaManager('Request', WINDOW, 1000);
    m.update([quota({ clientId: 'app' }, { request_percentage: 1 })]);
    assert.equal(m.recordAndGetThrottleTimeMs('u', 'app', 500, T0), 1000);
  });

  it('unrecords a throttled fetch and bounds one fetch by a quota window', () => {
    const m = new ClientQuotaManager('Fetch', WINDOW, Number.POSITIVE_INFINITY);
    m.update([quota({ user: 'alice' }, { consumer_byte_rate: 100 })]);
    assert.equal(m.maxValueInQuotaWindow('alice', 'x', T0), 1000);
    assert.ok(m.recordAndGetThrottleTimeMs('alice', 'x', 5000, T0) > 0);
    m.unrecord('alice', 'x', 5000, T0);
    assert.equal(m.recordAndGetThrottleTimeMs('alice', 'x', 1000, T0), 0);
    assert.equal(m.maxValueInQuotaWindow('nobody', 'x', T0), Number.POSITIVE_INFINITY);
  });

  it('resolves the eight levels of KIP-55 in order', () => {
    const m = new ClientQuotaManager('Produce', WINDOW, Number.POSITIVE_INFINITY);
    const levels: [ClientQuotaEntity, number][] = [
      [{ user: 'u', clientId: 'c' }, 1],
      [{ user: 'u', clientId: null }, 2],
      [{ user: 'u' }, 3],
      [{ user: null, clientId: 'c' }, 4],
      [{ user: null, clientId: null }, 5],
      [{ user: null }, 6],
      [{ clientId: 'c' }, 7],
      [{ clientId: null }, 8],
    ];
    // Each level in turn is the most specific configured one: the bound per window shows which applies.
    for (let i = 0; i < levels.length; i++) {
      m.update(levels.slice(i).map(([entity, v]) => quota(entity, { producer_byte_rate: v })));
      assert.equal(m.maxValueInQuotaWindow('u', 'c', T0), levels[i]![1] * 10, `level ${i + 1}`);
    }
    m.update([]);
    assert.equal(m.maxValueInQuotaWindow('u', 'c', T0), Number.POSITIVE_INFINITY);
  });

  it('a user quota is shared by all client ids of the user; a client-id quota by all users of the client id', () => {
    const m = new ClientQuotaManager('Produce', WINDOW, Number.POSITIVE_INFINITY);
    m.update([quota({ user: 'alice' }, { producer_byte_rate: 100 })]);
    assert.equal(m.recordAndGetThrottleTimeMs('alice', 'a', 1000, T0), 0);
    assert.ok(m.recordAndGetThrottleTimeMs('alice', 'b', 1, T0) > 0);
    assert.equal(m.recordAndGetThrottleTimeMs('bob', 'a', 1e6, T0), 0);

    m.update([quota({ clientId: null }, { producer_byte_rate: 100 })]);
    assert.equal(m.recordAndGetThrottleTimeMs('x', 'app1', 1000, T0 + 60_000), 0);
    assert.ok(m.recordAndGetThrottleTimeMs('y', 'app1', 1, T0 + 60_000) > 0);
    // The default client-id quota is per client id: another id has its own rate.
    assert.equal(m.recordAndGetThrottleTimeMs('y', 'app2', 1000, T0 + 60_000), 0);
  });

  it('a changed quota applies to the existing rate at once', () => {
    const m = new ClientQuotaManager('Produce', WINDOW, Number.POSITIVE_INFINITY);
    m.update([quota({ user: 'alice' }, { producer_byte_rate: 1000 })]);
    assert.equal(m.recordAndGetThrottleTimeMs('alice', 'a', 5000, T0), 0);
    m.update([quota({ user: 'alice' }, { producer_byte_rate: 100 })]);
    assert.equal(m.recordAndGetThrottleTimeMs('alice', 'a', 0, T0), 40_000);
  });

  it('drops the rates of clients idle for an hour', () => {
    const m = new ClientQuotaManager('Produce', WINDOW, Number.POSITIVE_INFINITY);
    m.update([quota({ clientId: null }, { producer_byte_rate: 100 })]);
    for (let i = 0; i < 100; i++) m.recordAndGetThrottleTimeMs('u', `client-${i}`, 1, T0);
    assert.equal([...m.activeSensors()].length, 100);
    m.recordAndGetThrottleTimeMs('u', 'late', 1, T0 + 3_600_000);
    assert.equal([...m.activeSensors()].length, 1);
  });
});
