import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../../common/logger.js';
import { type Plugins, pluginTypeOf } from './plugins.js';

const MODULE_FILE = /\.(?:m?js|cjs)$/;

/**
 * The modules one plugin.path entry holds, as Kafka scans a plugin directory: a module file, or a
 * directory whose package.json names its entry (`exports` '.' or `main`), or a directory of those.
 */
async function modulesUnder(entry: string): Promise<string[]> {
  const info = await stat(entry).catch(() => null);
  if (!info) return [];
  if (info.isFile()) return MODULE_FILE.test(entry) ? [entry] : [];
  const manifest = await readFile(join(entry, 'package.json'), 'utf8').catch(() => null);
  if (manifest !== null) {
    const pkg = JSON.parse(manifest) as { main?: string; exports?: unknown };
    const exported =
      typeof pkg.exports === 'string' ? pkg.exports : (pkg.exports as { '.'?: unknown } | undefined)?.['.'];
    const main = typeof exported === 'string' ? exported : (pkg.main ?? 'index.js');
    return [resolve(entry, main)];
  }
  const out: string[] = [];
  for (const name of (await readdir(entry)).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    out.push(...(await modulesUnder(join(entry, name))));
  }
  return out;
}

/**
 * Loads the plugins of `plugin.path`: every exported class that extends SourceConnector or
 * SinkConnector, or implements Converter, HeaderConverter, Transformation or Predicate, is
 * registered under its static `className` if it has one, else its export name. A module that
 * fails to load is logged and skipped, as Kafka skips a broken plugin.
 */
export async function loadPluginPath(
  plugins: Plugins,
  pluginPath: readonly string[],
  logger: Logger,
): Promise<void> {
  for (const root of pluginPath) {
    for (const file of await modulesUnder(resolve(root))) {
      let exports: Record<string, unknown>;
      try {
        exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      } catch (err) {
        logger.error({ file, err }, 'plugin module failed to load');
        continue;
      }
      for (const [exportName, value] of Object.entries(exports)) {
        const type = pluginTypeOf(value);
        if (!type) continue;
        const ctor = value as (new () => object) & { className?: unknown; pluginVersion?: unknown };
        const className =
          typeof ctor.className === 'string'
            ? ctor.className
            : exportName === 'default'
              ? ctor.name
              : exportName;
        const version = typeof ctor.pluginVersion === 'string' ? ctor.pluginVersion : versionOf(ctor);
        plugins.register({ className, type, version, ctor, location: file });
        logger.info({ className, type, file }, 'loaded plugin');
      }
    }
  }
}

/** A connector's version() without starting it; 'undefined' as Kafka shows for plugins without one. */
function versionOf(ctor: new () => object): string {
  try {
    const instance = new ctor() as { version?: () => unknown };
    return typeof instance.version === 'function' ? String(instance.version()) : 'undefined';
  } catch {
    return 'undefined';
  }
}
