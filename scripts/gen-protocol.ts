/**
 * Generates the protocol codecs from Kafka's JSON message specs.
 *
 *   node dist/scripts/gen-protocol.js <spec-folder>
 *
 * Writes src/protocol/generated/ (interfaces, codecs, field descriptors, the API registry),
 * deletes files there that no spec produces any more, and formats the output with the project's
 * biome so that it passes `biome check` as written. The output depends only on the specs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  emitIndex,
  emitMessageFile,
  emitRecordsIndex,
  emitRegistry,
  modulePath,
  pairApis,
} from './gen-protocol/emit-files.js';
import { loadSpecs, type MessageSpec } from './gen-protocol/spec.js';

function listFiles(dir: string): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

/** Folders left empty by deleted files (a spec folder that went away) go too. */
function removeEmptyDirs(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      removeEmptyDirs(p);
      if (readdirSync(p).length === 0) rmdirSync(p);
    }
  }
}

function checkUniqueNames(specs: MessageSpec[]): void {
  const seen = new Map<string, string>();
  for (const spec of specs) {
    for (const s of [spec.root, ...spec.structs]) {
      const other = seen.get(s.typeName);
      if (other) throw new Error(`${s.typeName} is generated from both ${other} and ${spec.file}`);
      seen.set(s.typeName, spec.file);
    }
  }
}

function main(): void {
  const specDir = process.argv[2];
  if (!specDir) {
    console.error('usage: gen-protocol <spec-folder>');
    process.exit(2);
  }
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const outDir = join(root, 'src/protocol/generated');
  const specs = loadSpecs(specDir);
  checkUniqueNames(specs);

  const files = new Map<string, string>();
  for (const spec of specs) files.set(`${modulePath(spec)}.ts`, emitMessageFile(spec));
  files.set('api-registry.ts', emitRegistry(pairApis(specs)));
  const folders = [...new Set(specs.filter((s) => s.folder !== 'message').map((s) => s.folder))];
  for (const folder of folders) {
    files.set(
      `records/${folder}/index.ts`,
      emitRecordsIndex(
        folder,
        specs.filter((s) => s.folder === folder),
      ),
    );
  }
  files.set('index.ts', emitIndex(specs, folders));

  for (const old of listFiles(outDir)) {
    if (!files.has(relative(outDir, old))) rmSync(old);
  }
  removeEmptyDirs(outDir);
  for (const [path, text] of files) {
    const full = join(outDir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  const biome = join(root, 'node_modules/.bin/biome');
  execFileSync(biome, ['check', '--write', '--no-errors-on-unmatched', outDir], {
    cwd: root,
    stdio: 'inherit',
  });
  const bytes = [...files.keys()].reduce((n, p) => n + readFileSync(join(outDir, p)).length, 0);
  console.log(
    `generated ${files.size} files (${bytes} bytes) from ${specs.length} specs into ${relative(root, outDir)}`,
  );
}

main();
