import { ConfigError } from '../config/connect-config-def.js';

export interface RestListener {
  readonly url: string;
  /** '' binds every interface, as Kafka's `http://:8083`. */
  readonly host: string;
  readonly port: number;
}

/** Parses Kafka Connect's `listeners` (`http://host:port`, comma-separated); https is not served. */
export function parseRestListeners(values: readonly string[]): RestListener[] {
  return values.map((raw) => {
    const m = /^(https?):\/\/(\[[^\]]*\]|[^:/]*):(\d+)\/?$/i.exec(raw.trim());
    if (!m) throw ConfigError.invalid('listeners', raw, 'Expected a URL like http://host:port');
    if (m[1]!.toLowerCase() === 'https')
      throw ConfigError.invalid('listeners', raw, 'Strom Connect serves its REST API over http only');
    const port = Number(m[3]);
    if (port > 65535) throw ConfigError.invalid('listeners', raw, 'Port out of range');
    return { url: raw.trim(), host: m[2]!.replace(/^\[|\]$/g, ''), port };
  });
}
