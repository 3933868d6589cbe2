import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GO_DIR } from './repo-root.js';
import { runOk } from './run-client.js';

/**
 * Builds one program of go/src/strom-compat offline in GOPATH mode against /usr/share/gocode (no
 * module downloads) into `outDir`; returns the binary's path.
 */
export async function buildGo(outDir: string, pkg: string): Promise<string> {
  const out = join(outDir, pkg);
  await runOk('go', ['build', '-o', out, `strom-compat/${pkg}`], {
    timeoutMs: 240_000,
    env: {
      ...process.env,
      GO111MODULE: 'off',
      GOPATH: `/usr/share/gocode:${GO_DIR}`,
      GOFLAGS: '',
      // A build cache outside the repository, kept between runs: sarama's cgo zstd is slow to build.
      GOCACHE: join(tmpdir(), 'strom-compat-gocache'),
    },
  });
  return out;
}
