import {
  type ClientQuotaImageEntry,
  type ClientQuotaKey,
  clientQuotaEntityKey,
} from '../../metadata/client-quota-entity.js';
import { QuotaRate, type QuotaWindow, RecentAverage, throttleTimeMs } from './quota-rate.js';

/** Kafka's QuotaType of the three client quotas, as its metrics name them. */
export type QuotaType = 'Produce' | 'Fetch' | 'Request';

export const QUOTA_KEY_OF: Record<QuotaType, ClientQuotaKey> = {
  Produce: 'producer_byte_rate',
  Fetch: 'consumer_byte_rate',
  Request: 'request_percentage',
};

/** A rate of one quota id (Kafka's metric tags: user and client-id, '' where the quota ignores one). */
export interface QuotaSensor {
  readonly user: string;
  readonly clientId: string;
  readonly rate: QuotaRate;
  /** The quota that applies; Infinity for none. */
  bound: number;
  lastUsedMs: number;
  /** The throttles given, for the throttle-time metric (Kafka's Avg of the throttle-time sensor). */
  readonly throttleTimeMs: RecentAverage;
}

/** Kafka's QuotaTypes: which levels of entities have a quota of this type. */
const CLIENT_ID_LEVEL = 1;
const USER_LEVEL = 2;
const USER_CLIENT_ID_LEVEL = 4;

/** Kafka's ClientQuotaManagerConfig.InactiveSensorExpirationTimeSeconds: an idle client's rate is dropped after an hour. */
const SENSOR_EXPIRATION_MS = 3_600_000;
const SWEEP_INTERVAL_MS = 60_000;

const entityKey = (user: string | null | undefined, clientId: string | null | undefined): string =>
  clientQuotaEntityKey({
    ...(user !== undefined && { user }),
    ...(clientId !== undefined && { clientId }),
  });

/**
 * One client quota (producer_byte_rate, consumer_byte_rate or request_percentage) as Kafka's
 * ClientQuotaManager with its DefaultQuotaCallback: the quota of a (user, client id) is the most
 * specific of the eight levels of KIP-55 (/users/<user>/clients/<client-id>, then
 * /users/<user>/clients/<default>, /users/<user>, /users/<default>/clients/<client-id>,
 * /users/<default>/clients/<default>, /users/<default>, /clients/<client-id>, /clients/<default>),
 * and connections that share the entity of that level share one rate (all client ids of a user
 * with a user quota count together). `enabled` is false while no entity has this quota: callers
 * check it first and pay nothing more.
 */
export class ClientQuotaManager {
  enabled = false;
  private overrides = new Map<string, number>();
  private levels = 0;
  /** Rates by quota id (user '\0' client-id tags); kept across quota changes. */
  private readonly sensors = new Map<string, QuotaSensor>();
  /** The rate of each (user, client id) seen since the last quota change or sweep. */
  private readonly byClient = new Map<string, QuotaSensor>();
  private nextSweepMs = 0;

  constructor(
    readonly type: QuotaType,
    private readonly window: QuotaWindow,
    /** Longest throttle: Kafka caps request_percentage's at one window and leaves byte rates uncapped. */
    private readonly maxThrottleMs: number,
  ) {}

  /** Takes the quotas of this type from the image's entities (ClientQuotaRecords). */
  update(entries: Iterable<ClientQuotaImageEntry>): void {
    const key = QUOTA_KEY_OF[this.type];
    const overrides = new Map<string, number>();
    let levels = 0;
    for (const { entity, values } of entries) {
      const bound = values.get(key);
      if (bound === undefined) continue;
      overrides.set(clientQuotaEntityKey(entity), bound);
      if (entity.user !== undefined)
        levels |= entity.clientId !== undefined ? USER_CLIENT_ID_LEVEL : USER_LEVEL;
      else levels |= CLIENT_ID_LEVEL;
    }
    this.overrides = overrides;
    this.levels = levels;
    this.enabled = overrides.size > 0;
    this.byClient.clear();
    for (const s of this.sensors.values()) s.bound = this.quotaLimit(s.user, s.clientId);
  }

  /**
   * Records `value` (bytes, or request time in percent of a thread-second) for the client and
   * returns how long it must be throttled: 0 within its quota, else Kafka's
   * (observed - quota) / quota * window.
   */
  recordAndGetThrottleTimeMs(user: string, clientId: string, value: number, nowMs: number): number {
    const s = this.sensor(user, clientId, nowMs);
    if (s.bound === Number.POSITIVE_INFINITY) return 0;
    s.rate.record(value, nowMs);
    const observed = s.rate.measure(nowMs);
    if (observed <= s.bound) return 0;
    return Math.min(throttleTimeMs(observed, s.bound, s.rate.windowSizeMs(nowMs)), this.maxThrottleMs);
  }

  /** Takes back a recorded value: a throttled fetch returns no data, so its bytes do not count (Kafka's unrecordQuotaSensor). */
  unrecord(user: string, clientId: string, value: number, nowMs: number): void {
    const s = this.sensor(user, clientId, nowMs);
    if (s.bound !== Number.POSITIVE_INFINITY) s.rate.record(-value, nowMs);
  }

  /**
   * The most that one request may carry without being throttled whatever came before (Kafka's
   * getMaxValueInQuotaWindow): a fetch is cut to this, or a small quota would throttle every fetch.
   */
  maxValueInQuotaWindow(user: string, clientId: string, nowMs: number): number {
    const bound = this.sensor(user, clientId, nowMs).bound;
    return bound * (this.window.samples - 1) * (this.window.windowMs / 1000);
  }

  /** Counts a throttle given to the client, for the throttle-time metrics. */
  recordThrottle(user: string, clientId: string, throttleMs: number, nowMs: number): void {
    this.sensor(user, clientId, nowMs).throttleTimeMs.record(throttleMs, nowMs);
  }

  /** The rates of clients seen within the last hour, for metrics. */
  activeSensors(): Iterable<QuotaSensor> {
    return this.sensors.values();
  }

  private sensor(user: string, clientId: string, nowMs: number): QuotaSensor {
    if (nowMs >= this.nextSweepMs) this.sweep(nowMs);
    const clientKey = `${user}\u0000${clientId}`;
    let s = this.byClient.get(clientKey);
    if (s === undefined) {
      const [userTag, clientIdTag] = this.quotaMetricTags(user, clientId);
      const id = `${userTag}\u0000${clientIdTag}`;
      s = this.sensors.get(id);
      if (s === undefined) {
        s = {
          user: userTag,
          clientId: clientIdTag,
          rate: new QuotaRate(this.window),
          bound: this.quotaLimit(userTag, clientIdTag),
          lastUsedMs: nowMs,
          throttleTimeMs: new RecentAverage(),
        };
        this.sensors.set(id, s);
      }
      this.byClient.set(clientKey, s);
    }
    s.lastUsedMs = nowMs;
    return s;
  }

  /** Drops the rates of clients idle for an hour, so that clients inventing ids cannot grow memory for ever. */
  private sweep(nowMs: number): void {
    this.nextSweepMs = nowMs + SWEEP_INTERVAL_MS;
    for (const [id, s] of this.sensors)
      if (nowMs - s.lastUsedMs >= SENSOR_EXPIRATION_MS) this.sensors.delete(id);
    this.byClient.clear();
  }

  private has(user: string | null | undefined, clientId: string | null | undefined): boolean {
    return this.overrides.has(entityKey(user, clientId));
  }

  /** Kafka's DefaultQuotaCallback.quotaMetricTags: the (user, client-id) tags of the level whose quota applies. */
  private quotaMetricTags(user: string, clientId: string): [string, string] {
    switch (this.levels) {
      case 0:
      case CLIENT_ID_LEVEL:
        return ['', clientId];
      case USER_LEVEL:
        return [user, ''];
      case USER_CLIENT_ID_LEVEL:
        return [user, clientId];
    }
    if (this.has(user, clientId) || this.has(user, null)) return [user, clientId];
    if (this.has(user, undefined)) return [user, ''];
    if (this.has(null, clientId) || this.has(null, null)) return [user, clientId];
    if (this.has(null, undefined)) return [user, ''];
    return ['', clientId];
  }

  /** Kafka's DefaultQuotaCallback.quotaLimit: the quota of the most specific configured level for these tags. */
  private quotaLimit(user: string, clientId: string): number {
    const get = (u: string | null | undefined, c: string | null | undefined): number | undefined =>
      this.overrides.get(entityKey(u, c));
    let bound: number | undefined;
    if (user !== '' && clientId !== '') {
      bound = get(user, clientId) ?? get(user, null) ?? get(null, clientId) ?? get(null, null);
    } else if (user !== '') {
      bound = get(user, undefined) ?? get(null, undefined);
    } else if (clientId !== '') {
      bound = get(undefined, clientId) ?? get(undefined, null);
    }
    return bound ?? Number.POSITIVE_INFINITY;
  }
}
