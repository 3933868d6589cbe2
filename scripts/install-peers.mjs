#!/usr/bin/env node
// Installs peers/, the third-party Kafka clients that the compatibility tests, the golden-frame
// capture and the client benchmark run (@platformatic/kafka), at the versions its lockfile pins.
// They live apart from the project's own dependencies because their helper packages declare
// Node 22.19 and would make every `npm install` on Node 20 print engine warnings, although they
// run on Node 20. Does nothing when the installed versions already match the lockfile.
// usage: install-peers.mjs [--force]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const peers = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers');
const lock = JSON.parse(readFileSync(join(peers, 'package-lock.json'), 'utf8'));

function installedMatchesLock() {
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.optional) continue;
    const manifest = join(peers, path, 'package.json');
    if (!existsSync(manifest)) return false;
    if (JSON.parse(readFileSync(manifest, 'utf8')).version !== entry.version) return false;
  }
  return true;
}

if (!process.argv.includes('--force') && installedMatchesLock()) process.exit(0);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const r = spawnSync(npm, ['ci', '--prefix', peers, '--no-audit', '--no-fund'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
