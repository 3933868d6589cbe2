import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium): the tests never download a browser. */
export const CHROMIUM_PATH = process.env.STROM_CHROMIUM ?? '/usr/bin/chromium';

export interface SystemChromium {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches the system Chromium headless with a temporary profile (removed by close) and without
 * anything that reaches the network on its own (component updates, sync, QUIC).
 */
export async function launchChromium(viewport = { width: 1280, height: 800 }): Promise<SystemChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'strom-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      viewport,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      timeout: 30_000,
    });
    return {
      context,
      close: async () => {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
}
