import { Connector, SinkConnector, SourceConnector } from '../api/connector.js';
import { ConnectError } from '../connect-error.js';
import type { Converter, HeaderConverter } from '../converters/converter.js';

export type PluginType =
  | 'source'
  | 'sink'
  | 'converter'
  | 'header_converter'
  | 'transformation'
  | 'predicate';

/** A class Connect can instantiate by name. */
export type PluginClass = new () => object;

export interface PluginDesc {
  /** The canonical name: Kafka's fully qualified class name where Strom implements a Kafka plugin. */
  readonly className: string;
  readonly type: PluginType;
  readonly version: string;
  readonly ctor: PluginClass;
  /** Where it came from: 'builtin' or the plugin.path file. */
  readonly location: string;
}

/** Suffixes Kafka's PluginUtils.prunedName drops to make an alias (FileStreamSourceConnector -> FileStreamSource). */
const PRUNED_SUFFIX: Record<PluginType, string> = {
  source: 'Connector',
  sink: 'Connector',
  converter: 'Converter',
  header_converter: 'Converter',
  transformation: '',
  predicate: '',
};

function simpleName(className: string): string {
  return className.slice(className.lastIndexOf('.') + 1);
}

/** The names a plugin answers to: its class name, its simple name and the simple name without the suffix. */
export function aliasesOf(className: string, type: PluginType): string[] {
  const simple = simpleName(className);
  const suffix = PRUNED_SUFFIX[type];
  const pruned =
    suffix && simple.endsWith(suffix) && simple !== suffix ? simple.slice(0, -suffix.length) : simple;
  return [...new Set([className, simple, pruned])];
}

/** The plugin type of a class, by what it extends or implements; null when it is no plugin. */
export function pluginTypeOf(ctor: unknown): PluginType | null {
  if (typeof ctor !== 'function' || !ctor.prototype) return null;
  const proto = ctor.prototype as Record<string, unknown>;
  if (proto instanceof SourceConnector) return 'source';
  if (proto instanceof SinkConnector) return 'sink';
  if (proto instanceof Connector) return null;
  if (typeof proto.fromConnectData === 'function' && typeof proto.toConnectData === 'function')
    return 'converter';
  if (typeof proto.fromConnectHeader === 'function' && typeof proto.toConnectHeader === 'function')
    return 'header_converter';
  if (typeof proto.apply === 'function' && typeof proto.config === 'function') {
    return typeof proto.test === 'function' ? 'predicate' : 'transformation';
  }
  return null;
}

/**
 * The plugins a worker knows, by every name they answer to (Kafka's Plugins / DelegatingClassLoader):
 * Strom's built-in ones and those found on `plugin.path`. An ambiguous alias goes to the first
 * plugin registered, as builtins come first.
 */
export class Plugins {
  private readonly byName = new Map<string, PluginDesc>();
  private readonly all: PluginDesc[] = [];

  register(desc: PluginDesc): void {
    this.all.push(desc);
    for (const alias of aliasesOf(desc.className, desc.type)) {
      if (!this.byName.has(`${desc.type}:${alias}`)) this.byName.set(`${desc.type}:${alias}`, desc);
    }
    // A converter class is also a header converter when it implements both, as Kafka's StringConverter.
    if (desc.type === 'converter' && pluginTypeOf(desc.ctor) === 'converter') {
      const proto = desc.ctor.prototype as Record<string, unknown>;
      if (typeof proto.fromConnectHeader === 'function') {
        for (const alias of aliasesOf(desc.className, 'header_converter'))
          if (!this.byName.has(`header_converter:${alias}`))
            this.byName.set(`header_converter:${alias}`, desc);
      }
    }
  }

  /** Every plugin, sorted by class name (GET /connector-plugins). */
  list(types?: readonly PluginType[]): PluginDesc[] {
    return this.all
      .filter((p) => !types || types.includes(p.type))
      .sort((a, b) => a.className.localeCompare(b.className));
  }

  /** The connector plugin a name (class name or alias) refers to. */
  connector(name: string): PluginDesc {
    const found = this.byName.get(`source:${name}`) ?? this.byName.get(`sink:${name}`);
    if (found) return found;
    const available = this.list(['source', 'sink']).map((p) => p.className);
    throw new ConnectError(
      'PLUGIN_NOT_FOUND',
      `Failed to find any class that implements Connector and which name matches ${name}, available connectors are: ${available.join(', ')}`,
    );
  }

  find(type: PluginType, name: string): PluginDesc | null {
    return this.byName.get(`${type}:${name}`) ?? null;
  }

  newConnector(name: string): Connector {
    return new (this.connector(name).ctor)() as Connector;
  }

  newConverter(name: string): Converter {
    const desc = this.find('converter', name);
    if (!desc) throw new ConnectError('PLUGIN_NOT_FOUND', `Class ${name} could not be found.`);
    return new desc.ctor() as Converter;
  }

  newHeaderConverter(name: string): HeaderConverter {
    const desc = this.find('header_converter', name);
    if (!desc) throw new ConnectError('PLUGIN_NOT_FOUND', `Class ${name} could not be found.`);
    return new desc.ctor() as HeaderConverter;
  }

  /** An instance of a transformation or predicate plugin. */
  newInstance<T>(type: 'transformation' | 'predicate', name: string): T {
    const desc = this.find(type, name);
    if (!desc) throw new ConnectError('PLUGIN_NOT_FOUND', `Class ${name} could not be found.`);
    return new desc.ctor() as T;
  }
}
