/**
 * Takes the screenshots of the web console shown in docs/console.md and the README: each page at
 * desktop (1280×800) and phone (375×812) width, against a broker of its own with a little traffic
 * (a producer, a consumer group that keeps up and one that fell behind), into docs/images/.
 *
 * Usage: npm run docs:screenshots   (needs Debian's chromium at /usr/bin/chromium)
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BrokerConfig } from '../src/broker/config/broker-config.js';
import { Kafka } from '../src/client/index.js';
import { BrokerNode } from '../src/http/broker-node.js';
import { launchChromium } from '../test/helpers/system-chromium.js';

const OUT = 'docs/images';
const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 375, height: 812 },
] as const;

const dir = mkdtempSync(join(tmpdir(), 'strom-screenshots-'));
const node = await BrokerNode.start(
  new BrokerConfig(
    new Map([
      ['listeners', 'PLAINTEXT://127.0.0.1:0'],
      ['strom.http.listeners', 'http://127.0.0.1:0'],
      ['log.dirs', dir],
      ['group.initial.rebalance.delay.ms', '0'],
    ]),
  ),
  { consoleSampleIntervalMs: 1000 },
);
const http = `http://127.0.0.1:${node.httpListeners[0]!.boundPort}`;
const kafka = new Kafka({ bootstrapServers: node.broker.bootstrap });
let running = true;
try {
  const admin = kafka.admin();
  await admin.createTopics([
    { topic: 'orders', numPartitions: 3 },
    { topic: 'payments', numPartitions: 2 },
    { topic: 'clickstream', numPartitions: 6 },
    { topic: 'inventory-updates', numPartitions: 1 },
  ]);
  await admin.close();

  // Traffic for the throughput chart: orders as JSON, a steady rate that rises half way.
  const producer = kafka.producer({ lingerMs: 5 });
  let n = 0;
  const produce = (async () => {
    while (running) {
      const batch = n > 400 ? 40 : 15;
      for (let i = 0; i < batch; i++, n++) {
        const order = {
          orderId: n,
          customer: `customer-${n % 37}`,
          items: [{ sku: `sku-${n % 11}`, qty: 1 + (n % 3) }],
        };
        void producer.send('orders', {
          key: `customer-${n % 37}`,
          value: JSON.stringify(order),
          headers: { source: 'web', 'content-type': 'application/json' },
        });
        void producer.send('clickstream', { key: `session-${n % 101}`, value: `/products/${n % 50}` });
      }
      await sleep(200);
    }
    await producer.close();
  })();

  // 'billing' keeps up; 'analytics' read a little, then stopped, so its lag grows.
  const billing = kafka.consumer({
    groupId: 'billing',
    autoOffsetReset: 'earliest',
  });
  billing.subscribe(['orders']);
  const consume = (async () => {
    while (running) {
      await billing.poll({ maxRecords: 200, timeoutMs: 200 });
      await billing.commitSync();
    }
    await billing.close();
  })();
  const analytics = kafka.consumer({ groupId: 'analytics', autoOffsetReset: 'earliest' });
  analytics.subscribe(['orders', 'clickstream']);
  for (let i = 0; i < 5; i++) await analytics.poll({ maxRecords: 50, timeoutMs: 500 });
  await analytics.commitSync();
  await analytics.close();

  await sleep(20_000); // samples for the charts

  mkdirSync(OUT, { recursive: true });
  const pages = [
    ['overview', '#/', 'Overview'],
    ['topics', '#/topics', 'Topics'],
    ['topic', '#/topics/orders', 'orders'],
    ['messages', '#/topics/orders/messages', 'Messages of orders'],
    ['groups', '#/groups', 'Consumer groups'],
    ['group', '#/groups/analytics', 'analytics'],
  ] as const;
  for (const size of SIZES) {
    const browser = await launchChromium({ width: size.width, height: size.height });
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      for (const [name, hash, heading] of pages) {
        await page.goto('about:blank');
        await page.goto(`${http}/${hash}`);
        await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
        if (name === 'messages') await page.getByLabel('Show as').selectOption('json');
        if (name === 'group') await page.getByRole('img', { name: /^Lag over time/ }).waitFor();
        await sleep(300);
        const file = join(OUT, `console-${name}-${size.name}.png`);
        await page.screenshot({ path: file });
        console.log(file);
      }
    } finally {
      await browser.close();
    }
  }
  running = false;
  await Promise.all([produce, consume]);
} finally {
  running = false;
  await node.close();
  rmSync(dir, { recursive: true, force: true });
}
