import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../compat/helpers/repo-root.js';

/**
 * The third-party JavaScript clients of peers/, a package of its own (npm run peers:install) so
 * that the project's `npm install` does not pull them in. Node would not find them from dist/,
 * so they are loaded from peers/ by path, with a message saying how to install them when missing.
 */
export const PEERS_DIR = join(REPO_ROOT, 'peers');

/** Thrown when a client of peers/ is needed and peers/ is not installed. */
export class PeersNotInstalledError extends Error {
  constructor(name: string) {
    super(
      `${name} is not installed: run \`npm run peers:install\` (it installs peers/, see docs/dependencies.md)`,
    );
    this.name = 'PeersNotInstalledError';
  }
}

/** The installed version of a package of peers/. */
export function peerVersion(name: string): string {
  const manifest = join(PEERS_DIR, 'node_modules', name, 'package.json');
  if (!existsSync(manifest)) throw new PeersNotInstalledError(name);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** Imports a package of peers/; T is its module type (typeof import('name')). */
export async function importPeer<T>(name: string): Promise<T> {
  let resolved: string;
  try {
    resolved = createRequire(join(PEERS_DIR, 'package.json')).resolve(name);
  } catch {
    throw new PeersNotInstalledError(name);
  }
  return (await import(pathToFileURL(resolved).href)) as T;
}
