import { InvalidConfigError } from '../../common/config-def.js';

/** Kafka's SecurityProtocol names. */
export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

/** Kafka's SecurityProtocol ids, as RegisterBrokerRecord's endpoints carry them. */
export const SECURITY_PROTOCOL_IDS: Readonly<Record<SecurityProtocol, number>> = {
  PLAINTEXT: 0,
  SSL: 1,
  SASL_PLAINTEXT: 2,
  SASL_SSL: 3,
};

export interface Listener {
  /** Upper case, as Kafka's ListenerName normalises it. */
  readonly name: string;
  readonly securityProtocol: SecurityProtocol;
  readonly host: string;
  readonly port: number;
}

export function usesTls(protocol: SecurityProtocol): boolean {
  return protocol === 'SSL' || protocol === 'SASL_SSL';
}

export function usesSasl(protocol: SecurityProtocol): boolean {
  return protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
}

/**
 * The prefix of a listener's own keys (`listener.name.secure.ssl.keystore.location`): Kafka's
 * ListenerName.configPrefix, the name in lower case.
 */
export function listenerPrefix(listenerName: string): string {
  return `listener.name.${listenerName.toLowerCase()}.`;
}

function isSecurityProtocol(s: string): s is SecurityProtocol {
  return (SECURITY_PROTOCOLS as readonly string[]).includes(s);
}

/**
 * Parses `listener.security.protocol.map` (`NAME:PROTOCOL,...`). Kafka's default maps each
 * protocol name to itself, so `SSL://:9093` needs no map entry.
 */
export function parseProtocolMap(entries: readonly string[]): Map<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>();
  for (const entry of entries) {
    const [name, proto, extra] = entry.split(':').map((s) => s.trim());
    if (!name || !proto || extra !== undefined) {
      throw new InvalidConfigError('listener.security.protocol.map', `bad entry "${entry}"`);
    }
    const upper = proto.toUpperCase();
    if (!isSecurityProtocol(upper)) {
      throw new InvalidConfigError(
        'listener.security.protocol.map',
        `No enum constant org.apache.kafka.common.security.auth.SecurityProtocol.${proto} (one of ${SECURITY_PROTOCOLS.join(', ')})`,
      );
    }
    map.set(name.toUpperCase(), upper);
  }
  return map;
}

/** Parses `NAME://host:port` (host may be empty, an IPv4 address, a name or a bracketed IPv6 address). */
export function parseListener(
  uri: string,
  protocolMap: ReadonlyMap<string, SecurityProtocol>,
  key: string,
): Listener {
  const m = /^([A-Za-z0-9_]+):\/\/(\[[0-9a-fA-F:.]+\]|[^:/]*):(\d+)$/.exec(uri.trim());
  if (!m) throw new InvalidConfigError(key, `Unable to parse ${uri} to a broker endpoint (NAME://host:port)`);
  const name = m[1]!.toUpperCase();
  const port = Number(m[3]);
  if (port > 65535) throw new InvalidConfigError(key, `port ${port} is out of range`);
  const securityProtocol = protocolMap.get(name);
  if (securityProtocol === undefined) {
    throw new InvalidConfigError(
      key,
      `Error creating broker listeners from '${uri}': No security protocol defined for listener ${name}`,
    );
  }
  return { name, securityProtocol, host: m[2]!.replace(/^\[|\]$/g, ''), port };
}

/** Parses a listener list and applies Kafka's checks of it (CoreUtils.listenerListToEndPoints). */
export function parseListenerList(
  uris: readonly string[],
  protocolMap: ReadonlyMap<string, SecurityProtocol>,
  key: string,
  distinctPorts: boolean,
): Listener[] {
  const listeners = uris.map((u) => parseListener(u, protocolMap, key));
  const names = new Set<string>();
  const ports = new Set<number>();
  for (const l of listeners) {
    if (names.has(l.name)) {
      throw new InvalidConfigError(
        key,
        `Each listener must have a different name, listeners: ${uris.join(',')}`,
      );
    }
    names.add(l.name);
    // Port 0 asks for any free port: several listeners may ask for one each.
    if (distinctPorts && l.port !== 0 && ports.has(l.port)) {
      throw new InvalidConfigError(
        key,
        `Each listener must have a different port, listeners: ${uris.join(',')}`,
      );
    }
    ports.add(l.port);
  }
  return listeners;
}

export interface ListenerSettings {
  readonly listeners: readonly string[];
  readonly advertisedListeners: readonly string[] | null;
  readonly protocolMap: readonly string[];
  readonly interBrokerListenerName: string | null;
  /** `security.inter.broker.protocol` when set explicitly. */
  readonly interBrokerSecurityProtocol: string | null;
}

/**
 * The broker's listeners as Kafka's KafkaConfig validates them: the bound ones, the advertised ones
 * (a subset by name), and the inter-broker listener, which must be advertised. One model for the
 * network layer, broker registration and Metadata answers.
 */
export class ListenerConfig {
  readonly listeners: readonly Listener[];
  readonly advertisedListeners: readonly Listener[];
  readonly protocolMap: ReadonlyMap<string, SecurityProtocol>;
  readonly interBrokerListenerName: string;

  constructor(s: ListenerSettings) {
    this.protocolMap = parseProtocolMap(s.protocolMap);
    this.listeners = parseListenerList(s.listeners, this.protocolMap, 'listeners', true);
    if (this.listeners.length === 0)
      throw new InvalidConfigError('listeners', 'at least one listener is required');
    this.advertisedListeners = s.advertisedListeners
      ? parseListenerList(s.advertisedListeners, this.protocolMap, 'advertised.listeners', false)
      : this.listeners;
    const listenerNames = this.listeners.map((l) => l.name);
    const advertisedNames = this.advertisedListeners.map((l) => l.name);
    for (const a of this.advertisedListeners) {
      if (a.host === '0.0.0.0') {
        throw new InvalidConfigError(
          'advertised.listeners',
          'advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address.',
        );
      }
    }
    if (s.interBrokerListenerName !== null && s.interBrokerSecurityProtocol !== null) {
      throw new InvalidConfigError(
        'inter.broker.listener.name',
        'Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.',
      );
    }
    this.interBrokerListenerName = this.interBrokerName(s);
    if (!advertisedNames.includes(this.interBrokerListenerName)) {
      throw new InvalidConfigError(
        'inter.broker.listener.name',
        `inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are ${advertisedNames.join(',')}`,
      );
    }
    if (!advertisedNames.every((n) => listenerNames.includes(n))) {
      throw new InvalidConfigError(
        'advertised.listeners',
        `advertised.listeners listener names must be equal to or a subset of the ones defined in listeners. Found ${advertisedNames.join(',')}. The valid options based on the current configuration are ${listenerNames.join(',')}`,
      );
    }
  }

  /**
   * Kafka's KafkaConfig.getInterBrokerListenerNameAndSecurityProtocol: the named listener, or the
   * listener named after security.inter.broker.protocol (PLAINTEXT by default).
   */
  private interBrokerName(s: ListenerSettings): string {
    if (s.interBrokerListenerName !== null) {
      const name = s.interBrokerListenerName.trim().toUpperCase();
      if (!this.protocolMap.has(name)) {
        throw new InvalidConfigError(
          'inter.broker.listener.name',
          `Listener with name ${name} defined in inter.broker.listener.name not found in listener.security.protocol.map.`,
        );
      }
      return name;
    }
    const proto = (s.interBrokerSecurityProtocol ?? 'PLAINTEXT').trim().toUpperCase();
    if (!isSecurityProtocol(proto)) {
      throw new InvalidConfigError(
        'security.inter.broker.protocol',
        `"${proto}" is not one of ${SECURITY_PROTOCOLS.join(', ')}`,
      );
    }
    return proto;
  }

  /** The bound listener of this name, or undefined. */
  listener(name: string): Listener | undefined {
    return this.listeners.find((l) => l.name === name);
  }
}
