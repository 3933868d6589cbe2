import type { MetadataImage } from '../../metadata/metadata-image.js';
import type { RequestContext } from '../api-handler.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { ANONYMOUS_PRINCIPAL } from '../security/connection-session.js';
import { ClientQuotaManager } from './client-quota-manager.js';
import type { QuotaWindow } from './quota-rate.js';

/**
 * The broker's three client quotas (Kafka's QuotaManagers.fetch, produce and request), kept in
 * step with the ClientQuotaRecords of the metadata image.
 */
export class ClientQuotas {
  readonly produce: ClientQuotaManager;
  readonly fetch: ClientQuotaManager;
  readonly request: ClientQuotaManager;

  constructor(window: QuotaWindow) {
    this.produce = new ClientQuotaManager('Produce', window, Number.POSITIVE_INFINITY);
    this.fetch = new ClientQuotaManager('Fetch', window, Number.POSITIVE_INFINITY);
    // Kafka's ClientRequestQuotaManager caps its throttle at one quota window.
    this.request = new ClientQuotaManager('Request', window, window.windowMs);
  }

  static fromConfig(config: BrokerConfig): ClientQuotas {
    return new ClientQuotas({
      samples: config.get('quota.window.num'),
      windowMs: config.get('quota.window.size.seconds') * 1000,
    });
  }

  /** Applies the quotas of the image; called when ClientQuotaRecords change it. */
  update(image: MetadataImage): void {
    const entries = [...image.clientQuotas.values()];
    this.produce.update(entries);
    this.fetch.update(entries);
    this.request.update(entries);
  }

  all(): readonly ClientQuotaManager[] {
    return [this.produce, this.fetch, this.request];
  }
}

/** The user a request counts against: its principal's name (ANONYMOUS on an unauthenticated listener), as Kafka's sanitized user. */
export function quotaUser(ctx: RequestContext): string {
  const principal = ctx.connection.session?.principal ?? ANONYMOUS_PRINCIPAL;
  const colon = principal.indexOf(':');
  return colon < 0 ? principal : principal.slice(colon + 1);
}

/** The client id a request counts against ('' when the client sent none). */
export function quotaClientId(ctx: RequestContext): string {
  return ctx.header.clientId ?? '';
}

/**
 * Records a request's bytes against a byte-rate quota (Produce: the request's size; Fetch: the
 * response's) and reports the throttle to the dispatcher. Returns the throttle time for the
 * response's throttle_time_ms: 0 within the quota, or when no such quota is configured (one check).
 */
export function recordBytes(
  quota: ClientQuotaManager,
  ctx: RequestContext,
  bytes: number,
  nowMs: number,
): number {
  if (!quota.enabled) return 0;
  const ms = quota.recordAndGetThrottleTimeMs(quotaUser(ctx), quotaClientId(ctx), bytes, nowMs);
  if (ms > 0) ctx.throttle?.(ms, quota);
  return ms;
}
