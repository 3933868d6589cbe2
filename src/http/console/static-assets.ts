import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StromError } from '../../common/strom-error.js';
import type { HttpAnswer } from '../http-server.js';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The package's console/ folder (plain ES modules, HTML and CSS, served as they are), found from
 * this module upwards: the module runs from dist/src/http/console/ and bundled into dist/strom-cli.js.
 */
export function consoleAssetsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'console', 'index.html'))) return join(dir, 'console');
    dir = dirname(dir);
  }
  throw new StromError(
    'CONSOLE_ASSETS_MISSING',
    `the console's files (console/index.html) are not in any folder above ${import.meta.url}`,
  );
}

/**
 * The web console's files, read into memory once (they are a few tens of KiB): `/` is its
 * index.html, `/console/<file>` the rest. Only the files found at startup are served, so no
 * request path ever reaches the file system.
 */
export class StaticAssets {
  private readonly files = new Map<string, { type: string; body: Buffer }>();

  constructor(dir: string = consoleAssetsDir()) {
    for (const name of readdirSync(dir)) {
      const type = TYPES[extname(name)];
      if (type !== undefined) this.files.set(name, { type, body: readFileSync(join(dir, name)) });
    }
  }

  /** The answer for a GET of `path`, or null when it is no console file. */
  get(path: string): HttpAnswer | null {
    const name =
      path === '/' ? 'index.html' : path.startsWith('/console/') ? path.slice('/console/'.length) : null;
    const f = name === null ? undefined : this.files.get(name);
    if (f === undefined) return null;
    return {
      status: 200,
      contentType: f.type,
      body: f.body,
      headers: {
        // The console runs only its own scripts and talks only to this listener.
        'Content-Security-Policy':
          "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      },
    };
  }

  /** Bytes of every file together (what a first page load transfers, uncompressed). */
  get totalBytes(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.body.length;
    return n;
  }
}
