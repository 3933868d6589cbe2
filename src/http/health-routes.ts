import type { BrokerObserver } from '../broker/broker-observer.js';
import type { HttpRoute } from './http-server.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * `/healthz`: the process is up and its event loop answers (a liveness probe: restart when it
 * fails). `/readyz`: the broker serves: its logs are loaded, its Kafka listeners bound and it is
 * registered in the metadata (a readiness probe: route clients elsewhere while it fails). Both
 * answer JSON with the checks, 200 when they pass and 503 when not.
 */
export function healthRoutes(observer: () => BrokerObserver | null): [string, HttpRoute][] {
  return [
    ['/healthz', () => ({ status: 200, contentType: JSON_TYPE, body: '{"status":"ok"}\n' })],
    [
      '/readyz',
      () => {
        const o = observer();
        if (o === null) {
          const checks = { logsLoaded: false, listenersBound: false, registered: false };
          return {
            status: 503,
            contentType: JSON_TYPE,
            body: `${JSON.stringify({ status: 'starting', checks })}\n`,
          };
        }
        const r = o.readiness();
        const body = JSON.stringify({ status: r.ready ? 'ready' : 'not ready', checks: r.checks });
        return { status: r.ready ? 200 : 503, contentType: JSON_TYPE, body: `${body}\n` };
      },
    ],
  ];
}
