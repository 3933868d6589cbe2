import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeResponse, encodeRequest } from '../../src/protocol/frame.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import { RawClient } from '../helpers/raw-client.js';
import { freePort, type ServerProcess, startServerProcess } from '../helpers/server-process.js';

const MiB = 1024 * 1024;
/** The broker's limits in this test, scaled down from the defaults so the data set stays small. */
const REQUEST_MAX_BYTES = 24 * MiB;
const QUEUED_REQUEST_BYTES = 24 * MiB;
/**
 * What RSS may grow by beyond the documented bound (docs/reliability.md): V8's young generation
 * and the garbage of decoding a few hundred requests. Far below what any attack reached before
 * the limits held (gigabytes, or 8 x 23 MiB).
 */
const SLACK_BYTES = 40 * MiB;

function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0; // the process is gone
  }
}

const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;

/**
 * Runs `attack` while sampling the broker's RSS from /proc every few milliseconds, then checks the
 * peak against `base + growthBound + SLACK_BYTES` before anything the attack itself asserts. The
 * broker is killed as soon as it passes the bound, so a failing run ends at once instead of taking
 * the machine's memory.
 */
async function checkRssDuring(
  server: ServerProcess,
  base: number,
  growthBound: number,
  what: string,
  attack: () => Promise<void>,
): Promise<void> {
  const pid = server.child.pid!;
  const bound = base + growthBound + SLACK_BYTES;
  let peak = rssBytes(pid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid));
    if (peak > bound) server.child.kill('SIGKILL');
  }, 5);
  let failure: unknown = null;
  try {
    await attack();
  } catch (err) {
    failure = err;
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, rssBytes(pid));
  console.log(`${what}: peak RSS ${mib(peak)}, base ${mib(base)}, bound ${mib(bound)}`);
  assert.ok(
    peak <= bound,
    `${what}: peak RSS ${mib(peak)} above the bound ${mib(bound)} (base ${mib(base)})`,
  );
  if (failure !== null) throw failure;
}

/** A broker process with this test's limits, by default on a free port and a fresh data directory. */
async function startLimitedBroker(
  dir = mkdtempSync(join(tmpdir(), 'strom-attack-')),
  port?: number,
): Promise<{ server: ServerProcess; dir: string }> {
  port ??= await freePort();
  const override = (kv: string) => ['--override', kv];
  const server = await startServerProcess(
    [
      `listeners=PLAINTEXT://127.0.0.1:${port}`,
      `log.dirs=${dir}`,
      `socket.request.max.bytes=${REQUEST_MAX_BYTES}`,
      `queued.max.request.bytes=${QUEUED_REQUEST_BYTES}`,
    ].flatMap(override),
    port,
  );
  return { server, dir };
}

async function stopBroker(server: ServerProcess | undefined, dir: string | undefined): Promise<void> {
  server?.child.kill('SIGKILL');
  await server?.exited;
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Asks something small on a fresh connection: the broker still serves others. */
async function probeApiVersions(bootstrap: string): Promise<void> {
  const c = await RawClient.open(bootstrap);
  try {
    c.write(encodeRequest(ApiKey.ApiVersions, 0, 7, 'probe', {}));
    const frame = await c.readFrame(10_000);
    assert.ok(frame, 'the probe is answered');
    assert.equal(decodeResponse(ApiKey.ApiVersions, 0, frame).correlationId, 7);
  } finally {
    c.close();
  }
}

describe('memory attack through partial requests on a broker process', () => {
  let server: ServerProcess;
  let dir: string;
  before(async () => {
    ({ server, dir } = await startLimitedBroker());
    await probeApiVersions(server.bootstrap);
  });
  after(() => stopBroker(server, dir));

  it('8 connections each sending most of a request of the largest size, then nothing', async () => {
    const body = Buffer.alloc(REQUEST_MAX_BYTES - MiB, 1);
    const size = Buffer.alloc(4);
    size.writeInt32BE(REQUEST_MAX_BYTES - 1);
    const clients = await Promise.all(Array.from({ length: 8 }, () => RawClient.open(server.bootstrap)));
    try {
      // The request pool, plus the one request non-strict admission lets past it.
      const growth = QUEUED_REQUEST_BYTES + REQUEST_MAX_BYTES;
      await checkRssDuring(server, rssBytes(server.child.pid!), growth, 'partial requests', async () => {
        for (const c of clients) c.write([size, body]);
        await new Promise((r) => setTimeout(r, 1500));
        await probeApiVersions(server.bootstrap);
      });
    } finally {
      for (const c of clients) c.close();
    }
    // Once the attackers are gone the pool is free again for everyone.
    await probeApiVersions(server.bootstrap);
  });
});
