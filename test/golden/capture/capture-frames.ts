/**
 * Captures golden request frames from real Kafka clients. Run by hand (see test/golden/README.md):
 *   npm run build && node dist/test/golden/capture/capture-frames.js [client ...]
 * It starts the capture broker on a free port, runs every client scenario against it, and rewrites
 * test/golden/frames/<client>/, test/golden/batches/ and test/golden/frames/index.json. Naming
 * clients runs only theirs and writes the result to a new temporary folder instead, for trying a change.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StromError } from '../../../src/common/strom-error.js';
import { API_REGISTRY } from '../../../src/protocol/generated/api-registry.js';
import type { ProduceRequest } from '../../../src/protocol/generated/index.js';
import { Reader } from '../../../src/protocol/primitives/reader.js';
import { decodeRequestHeader } from '../../../src/protocol/request-header.js';
import type { BatchEntry, ClientName, FrameEntry, GoldenIndex } from '../golden-index.js';
import { unmetExpectations } from '../golden-index.js';
import { summarizeRecords } from '../records-summary.js';
import { CaptureBroker, type CapturedFrame } from './capture-broker.js';
import { expectationsFor } from './capture-expectations.js';
import { clientVersions, type Scenario, scenarios } from './capture-scenarios.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** Where fixtures go: test/golden for a full capture, a fresh temporary folder for a partial one. */
let GOLDEN = join(ROOT, 'test/golden');

class CaptureError extends StromError {
  constructor(message: string) {
    super('CAPTURE_FAILED', message);
  }
}

function decodeFrame(c: CapturedFrame): { clientId: string | null; body: unknown } {
  const r = new Reader(c.frame);
  const header = decodeRequestHeader(r);
  const api = API_REGISTRY.get(c.apiKey);
  if (api === undefined) throw new CaptureError(`unknown api key ${c.apiKey}`);
  const body = api.request.read(r, c.apiVersion);
  if (r.remaining() !== 0)
    throw new CaptureError(`${api.name} v${c.apiVersion}: ${r.remaining()} bytes left`);
  return { clientId: header.clientId, body };
}

interface ClientOutput {
  seen: Set<string>;
  frames: FrameEntry[];
}

async function main(): Promise<void> {
  const only = new Set(process.argv.slice(2));
  const versions = await clientVersions(ROOT);
  const selected = scenarios(ROOT).filter((s) => only.size === 0 || only.has(s.client));
  const outputs = new Map<ClientName, ClientOutput>();
  const batches: BatchEntry[] = [];
  // A partial capture must not leave the committed index out of step with the files it describes.
  if (only.size > 0) GOLDEN = mkdtempSync(join(tmpdir(), 'strom-golden-'));
  rmSync(join(GOLDEN, 'batches'), { recursive: true, force: true });
  const broker = await CaptureBroker.start();
  try {
    for (const s of selected) {
      if (!outputs.has(s.client)) {
        rmSync(join(GOLDEN, 'frames', s.client), { recursive: true, force: true });
        mkdirSync(join(GOLDEN, 'frames', s.client), { recursive: true });
        outputs.set(s.client, { seen: new Set(), frames: [] });
      }
      process.stdout.write(`${s.client}: ${s.name} ... `);
      await s.run(broker.bootstrap);
      const frames = broker.takeFrames();
      const failed = frames.filter((f) => f.error !== undefined);
      if (failed.length > 0) {
        throw new CaptureError(failed.map((f) => `api ${f.apiKey} v${f.apiVersion}: ${f.error}`).join('; '));
      }
      const added = record(s, frames, outputs.get(s.client)!, versions[s.client], batches);
      console.log(`${frames.length} frames, ${added} new`);
    }
  } finally {
    await broker.stop();
  }
  writeIndex(outputs, batches);
}

/** Writes the new (api, version) frames of one scenario and the batch it produced; returns the count. */
function record(
  s: Scenario,
  frames: CapturedFrame[],
  out: ClientOutput,
  clientVersion: string,
  batches: BatchEntry[],
): number {
  let added = 0;
  let batchDone = false;
  for (const c of frames) {
    const api = API_REGISTRY.get(c.apiKey)!;
    const { clientId, body } = decodeFrame(c);
    if (clientId !== s.clientId) throw new CaptureError(`${s.name}: client id ${clientId}`);
    const expect = expectationsFor(s, api.name, c.apiVersion);
    const unmet = unmetExpectations(body, expect);
    if (unmet.length > 0)
      throw new CaptureError(`${s.name} ${api.name} v${c.apiVersion}: ${unmet.join('; ')}`);

    let batchFile: string | null = null;
    const isProduce = api.name === 'Produce';
    if (isProduce && s.records !== undefined && !batchDone) {
      batchFile = writeBatch(s, body as ProduceRequest, clientVersion, batches);
      batchDone = true;
    }
    const key = `${c.apiKey}:${c.apiVersion}`;
    if (out.seen.has(key)) continue;
    out.seen.add(key);
    const nn = String(out.frames.length + 1).padStart(2, '0');
    const file = `${s.client}/${nn}-${api.name}-v${c.apiVersion}.bin`;
    writeFileSync(join(GOLDEN, 'frames', file), c.frame);
    out.frames.push({
      file,
      client: s.client,
      clientVersion,
      scenario: s.name,
      apiKey: c.apiKey,
      apiName: api.name,
      version: c.apiVersion,
      correlationId: c.correlationId,
      clientId,
      expect,
      ...(isProduce && s.records !== undefined ? { records: { ...s.records, batchFile } } : {}),
    });
    if (batchFile !== null) batches[batches.length - 1]!.frameFile = file;
    added += 1;
  }
  if (s.records !== undefined && !batchDone)
    throw new CaptureError(`${s.name}: no Produce frame was captured`);
  return added;
}

/** Saves the records of the scenario's first Produce request after checking them against the scenario. */
function writeBatch(
  s: Scenario,
  req: ProduceRequest,
  clientVersion: string,
  batches: BatchEntry[],
): string | null {
  const want = s.records!;
  const records = req.topicData[0]?.partitionData[0]?.records;
  if (records === null || records === undefined) throw new CaptureError(`${s.name}: Produce without records`);
  const got = summarizeRecords(records);
  const wantCount = want.messageSetEntries !== undefined && want.codec !== 'none' ? null : want.recordCount;
  if (
    got.magic !== want.magic ||
    got.codec !== want.codec ||
    got.recordCount !== wantCount ||
    got.messageSetEntries !== (want.messageSetEntries ?? null)
  ) {
    throw new CaptureError(`${s.name}: records ${JSON.stringify(got)} do not match ${JSON.stringify(want)}`);
  }
  const file = `${s.client}-${want.codec}-magic${want.magic}.bin`;
  // Produce v0 and v1 both carry magic 0: the second scenario's set adds nothing new.
  if (batches.some((b) => b.file === file)) return null;
  mkdirSync(join(GOLDEN, 'batches'), { recursive: true });
  writeFileSync(join(GOLDEN, 'batches', file), records);
  batches.push({ file, client: s.client, clientVersion, topic: s.topic!, frameFile: null, ...want });
  return file;
}

function writeIndex(outputs: Map<ClientName, ClientOutput>, batches: BatchEntry[]): void {
  const index: GoldenIndex = {
    note: 'Written by test/golden/capture/capture-frames.ts; see test/golden/README.md. Do not edit by hand.',
    frames: [...outputs.values()].flatMap((o) => o.frames),
    batches,
  };
  writeFileSync(join(GOLDEN, 'frames', 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  console.log(`${index.frames.length} frames and ${batches.length} batches indexed under ${GOLDEN}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
