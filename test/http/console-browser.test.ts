import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { Kafka } from '../../src/client/index.js';
import { launchChromium, type SystemChromium } from '../helpers/system-chromium.js';
import { type StartedNode, startNode } from './http-node.js';

/** How long one step may wait for the page (the group page refreshes every 3 s). */
const STEP_MS = 15_000;

/**
 * The web console in a real browser (Debian's Chromium through playwright-core) against a broker:
 * create a topic, produce a message and browse it, watch a consumer group's lag drop to 0 while a
 * consumer reads, and reset the group's offsets with a dry run first.
 */
describe('web console in Chromium', { timeout: 120_000 }, () => {
  let node: StartedNode;
  let browser: SystemChromium;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    node = await startNode();
    browser = await launchChromium();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(STEP_MS);
    page.on('pageerror', (err) => errors.push(String(err)));
    page.on('dialog', (d) => void d.accept());
  });

  after(async () => {
    await browser?.close();
    await node?.close();
  });

  it('creates a topic, produces and browses a message as text, JSON and hex', async () => {
    await page.goto(`${node.http}/#/topics`);
    await page.getByRole('heading', { name: 'Topics', level: 1 }).waitFor();
    assert.match((await page.locator('#notice').textContent()) ?? '', /serves on localhost only/);
    await page.getByLabel('Name', { exact: true }).fill('orders');
    await page.getByLabel('Partitions', { exact: true }).fill('2');
    await page.getByRole('button', { name: 'Create topic' }).click();
    await page.getByText('Created topic orders.').waitFor();
    await page
      .getByRole('row', { name: /orders/ })
      .getByRole('link', { name: 'orders' })
      .click();
    await page.getByRole('heading', { name: 'orders', level: 1 }).waitFor();
    assert.equal(await page.getByRole('table', { name: 'Partitions' }).locator('tbody tr').count(), 2);

    await page.getByRole('link', { name: 'Browse messages' }).click();
    await page.getByRole('heading', { name: 'Messages of orders' }).waitFor();
    await page.getByLabel('To partition').selectOption('1');
    await page.getByLabel('Key', { exact: true }).fill('customer-42');
    await page.getByLabel('Value', { exact: true }).fill('{"item":"book","qty":2}');
    await page.getByLabel('Headers', { exact: true }).fill('source=console');
    await page.getByRole('button', { name: 'Produce', exact: true }).click();
    await page.getByText('Produced to partition 1 at offset 0.').waitFor();

    await page.getByRole('button', { name: 'Read', exact: true }).click();
    const records = page.getByRole('table', { name: 'Records of orders' });
    await records.getByText('{"item":"book","qty":2}').waitFor();
    await records.getByText('source: console').waitFor();
    await page.getByLabel('Show as').selectOption('json');
    await records.getByText('"qty": 2').waitFor();
    await page.getByLabel('Show as').selectOption('hex');
    await records.getByText('63 75 73 74 6f 6d 65 72 2d 34 32').waitFor(); // "customer-42"

    // A key filter that matches nothing leaves no record; the live tail shows a record produced later.
    await page.getByLabel('Show as').selectOption('text');
    await page.getByLabel('Key contains').fill('nobody');
    await page.getByRole('button', { name: 'Read', exact: true }).click();
    await page.getByText('No records.').waitFor();
    await page.getByLabel('Key contains').fill('');
    await page.getByRole('button', { name: 'Live tail' }).click();
    const kafka = new Kafka({ bootstrapServers: node.bootstrap });
    const producer = kafka.producer();
    await producer.send('orders', { partition: 0, key: 'tail', value: 'tailed record' });
    await producer.close();
    await records.getByText('tailed record').waitFor();
    await page.getByRole('button', { name: 'Stop live tail' }).click();
    assert.deepEqual(errors, []);
  });

  it("watches a group's lag drop to 0, then resets its offsets with a dry run first", async () => {
    const kafka = new Kafka({ bootstrapServers: node.bootstrap });
    const producer = kafka.producer();
    for (let i = 0; i < 10; i++) await producer.send('orders', { partition: 0, value: `record ${i}` });
    await producer.close();
    const end0 = 11; // the tailed record and these ten

    // The group starts at the beginning of the topic (reset through the console's API: a group
    // that does not exist yet has no page).
    const api = await fetch(`${node.http}/api/groups/billing/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: 'earliest', topic: 'orders', dryRun: false }),
    });
    assert.equal(api.status, 200);
    await page.goto(`${node.http}/#/groups`);
    await page.getByRole('link', { name: 'billing' }).click();
    await page.getByRole('heading', { name: 'billing', level: 1 }).waitFor();
    const totalLag = page.getByTestId('total-lag');
    await waitForText(totalLag, String(end0 + 1)); // and the produced record on partition 1

    const consumer = kafka.consumer({ groupId: 'billing', autoCommit: false });
    consumer.subscribe(['orders']);
    let read = 0;
    while (read < end0 + 1) read += (await consumer.poll({ timeoutMs: 1000 })).length;
    await consumer.commitSync();
    await waitForText(totalLag, '0');
    await page.getByRole('table', { name: 'Members' }).waitFor();
    await consumer.close();
    await page.getByText('No active members.').waitFor();

    await page.getByLabel('Reset to').selectOption('offset');
    await page.getByLabel('Offset', { exact: true }).fill('5');
    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    const plan = page.getByRole('table', { name: 'Reset plan' });
    await plan.waitFor();
    await page.getByText('Dry run: nothing changed.').waitFor();
    assert.deepEqual(await rows(plan), [
      ['orders', '0', '11', '5'],
      ['orders', '1', '1', '1'],
    ]);
    await waitForText(totalLag, '0'); // nothing changed
    await page.getByRole('button', { name: 'Reset offsets', exact: true }).click();
    await page.getByRole('table', { name: 'Offsets reset' }).waitFor();
    await waitForText(totalLag, '6');

    // The chart has the lag over time.
    await page.getByRole('img', { name: /^Lag over time: total/ }).waitFor();
    assert.deepEqual(errors, []);
  });

  it('keeps working at phone width with the keyboard', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto('about:blank');
    await page.goto(`${node.http}/#/`);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const width = await page.evaluate('document.documentElement.scrollWidth');
    assert.ok(Number(width) <= 375, `the page is ${width} px wide at 375 px`);
    // The skip link comes first, then the main navigation.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Skip to content');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Topics' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Topics', level: 1 }).waitFor();
    assert.equal(
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Topics' })
        .getAttribute('aria-current'),
      'page',
    );
    assert.deepEqual(errors, []);
  });
});

/** Waits until the locator's text is `text` (the page re-renders it as it refreshes). */
async function waitForText(locator: ReturnType<Page['getByTestId']>, text: string): Promise<void> {
  const deadline = Date.now() + STEP_MS;
  let last: string | null = null;
  while (Date.now() < deadline) {
    last = await locator.textContent();
    if (last === text) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`expected ${text}, the page shows ${last}`);
}

async function rows(table: ReturnType<Page['getByRole']>): Promise<string[][]> {
  return table
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td,th')].map((c) => c.textContent ?? '')));
}
