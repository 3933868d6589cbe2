#!/usr/bin/env node
// Type-checks and compiles the project with tsc. The files that run the third-party clients of
// peers/ (npm run peers:install) type-check against those clients' own declarations; when peers/
// is not installed, as after a plain `npm install`, tsconfig.no-peers.json leaves them out and
// everything else still builds.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const installed = existsSync(join(root, 'peers', 'node_modules', '@platformatic', 'kafka', 'package.json'));
const project = installed ? 'tsconfig.json' : 'tsconfig.no-peers.json';
const tsc = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tsc.cmd' : 'tsc');
const r = spawnSync(tsc, ['-p', join(root, project)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
