import { InvalidConfigError } from '../common/config-def.js';

const KEY = 'strom.http.listeners';

/** One address the HTTP server binds. */
export interface HttpListener {
  /** As configured, e.g. `http://localhost:9644`. */
  readonly url: string;
  /** '' binds every interface. */
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `strom.http.listeners`: `http://host:port` entries, or `none` (or nothing) for no HTTP
 * server. An empty host (`http://:9644`), `0.0.0.0` or `[::]` binds every interface, as the
 * Kafka listeners do. https:// waits for the TLS listeners: it is refused rather than served in
 * the clear.
 */
export function parseHttpListeners(values: readonly string[]): HttpListener[] {
  const entries = values.map((v) => v.trim()).filter((v) => v !== '');
  if (entries.length === 0 || (entries.length === 1 && entries[0]!.toLowerCase() === 'none')) return [];
  const listeners: HttpListener[] = [];
  for (const url of entries) {
    const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(\[[0-9a-fA-F:.]*\]|[^:/[\]]*):(\d+)\/?$/.exec(url);
    if (!m) throw new InvalidConfigError(KEY, `${url} is not http://host:port (or none)`);
    if (m[1]!.toLowerCase() !== 'http')
      throw new InvalidConfigError(KEY, `${url}: only http:// is served (or none to serve no HTTP)`);
    const port = Number(m[3]);
    if (port > 65535) throw new InvalidConfigError(KEY, `${url}: port ${port} is out of range`);
    const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
    if (listeners.some((l) => l.host === host && l.port === port && port !== 0))
      throw new InvalidConfigError(KEY, `${url} is listed twice`);
    listeners.push({ url, host, port });
  }
  return listeners;
}
