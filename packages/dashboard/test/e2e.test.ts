/**
 * End to end in a real headless Chromium (Debian's /usr/bin/chromium through playwright-core)
 * against `slotwise demo` on 127.0.0.1 at a high speed with a small fleet: the fleet page lists
 * the devices; the v1.2.0 rollout shows rolled-back canaries and a paused state; a rollout
 * created by clicking in the form runs to completion; a device page shows its timeline and
 * flash slots; the releases page parses an image in the browser and shows the server's
 * signature verdict. Then Ctrl-C (SIGINT) stops the demo cleanly and a second start on the
 * same data directory works. Screenshots go to test-results/dashboard/ (gitignored).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(ROOT, 'test-results', 'dashboard');
const DEVICES = 8;

interface Demo {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

function startDemo(dataDir: string): Promise<Demo> {
  const child = spawn(process.execPath, [join(ROOT, 'packages/cli/dist/main.js'), 'demo', '--speed', '600', '--devices', String(DEVICES), '--port', '0', '--data', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not print its URL in 30 s:\n${out}`)), 30_000);
    const check = (): void => {
      const m = /Dashboard\s+(http:\/\/127\.0\.0\.1:\d+\/#key=\S+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ child, url: m[1], output: () => out, exited });
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => reject(new Error(`demo exited early (${code}):\n${out}`)));
  });
}

async function stopDemo(demo: Demo): Promise<number | null> {
  demo.child.kill('SIGINT');
  return demo.exited;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

const skip = !existsSync(CHROMIUM) ? `${CHROMIUM} is not installed (apt-get install chromium)` : !existsSync(join(ROOT, 'packages/dashboard/dist/index.html')) ? 'the dashboard is not built (npm run build)' : false;

test('dashboard end to end against slotwise demo in headless Chromium', { skip, timeout: 240_000 }, async () => {
  mkdirSync(SHOTS, { recursive: true });
  const dataDir = join(mkdtempSync(join(tmpdir(), 'slotwise-e2e-')), 'demo');
  const profile = mkdtempSync(join(tmpdir(), 'slotwise-chromium-'));
  let demo: Demo | null = await startDemo(dataDir);
  let ctx: BrowserContext | null = null;
  try {
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 800 },
    });
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const base = new URL(demo.url).origin;

    // Fleet: every simulated device is listed.
    await page.goto(demo.url);
    await page.locator('[data-testid="device-table"] tbody tr').nth(DEVICES - 1).waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('[data-testid="device-table"] tbody tr').count(), DEVICES);
    assert.match((await page.locator('[data-testid="fleet-count"]').textContent()) ?? '', new RegExp(`${DEVICES} of ${DEVICES} devices`));
    await page.fill('#fleet-search', 'lab-');
    assert.equal(await page.locator('[data-testid="device-table"] tbody tr').count(), 2, 'search narrows the table');
    await page.fill('#fleet-search', '');

    // The demo's v1.2.0 rollout pauses after its canaries roll back.
    await page.goto(`${base}/#/rollouts`);
    const paused = page.locator('article.rollout[data-state="paused"]', { hasText: 'sensor-fw 1.2.0' });
    await paused.waitFor({ timeout: 90_000 });
    await paused.locator('[data-testid="stage-0"] [data-outcome="rolledBack"]').waitFor({ timeout: 10_000 });
    assert.match((await paused.locator('[data-testid="stage-0"] [data-outcome="rolledBack"]').textContent()) ?? '', /rolled back [1-9]/);
    assert.match((await paused.locator('.reason').textContent()) ?? '', /failure ratio/);
    await paused.locator('details.attention summary').click();
    assert.match((await paused.locator('details.attention').textContent()) ?? '', /field-00\d\s*rolled back/, 'the rolled-back devices are named');
    assert.equal(await page.locator('article.rollout[data-state="finished"]', { hasText: 'sensor-fw 1.1.0' }).count(), 1, 'the v1.1.0 rollout finished first');
    await shot(page, 'rollouts-paused');

    // A rollout created by clicking: the lab group to 1.1.0, canary then everyone.
    await page.waitForSelector('#new-release option', { state: 'attached' });
    await page.fill('#new-name', 'lab to 1.1.0');
    await page.selectOption('#new-release', { label: 'sensor-fw 1.1.0' });
    await page.selectOption('#new-group', 'lab');
    await page.fill('#new-stages', '1, 100%');
    await page.click('#new-submit');
    const mine = page.locator('article.rollout', { hasText: 'lab to 1.1.0' });
    await mine.waitFor({ timeout: 10_000 });
    await page.locator('article.rollout[data-state="finished"]', { hasText: 'lab to 1.1.0' }).waitFor({ timeout: 60_000 });
    const lastStage = await mine.locator('.stage').last().locator('.stage-head').textContent();
    assert.match(lastStage ?? '', /1\/1 updated/);
    assert.match((await mine.locator('[data-testid="stage-0"] .stage-head').textContent()) ?? '', /1\/1 updated/);
    await shot(page, 'rollouts');

    // A device page: timeline with boot decisions and the flash slots.
    await page.goto(`${base}/#/device/field-001`);
    await page.locator('[data-testid="slots"]').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="timeline"] li.tl.boot').first().waitFor({ timeout: 10_000 });
    const timeline = (await page.locator('[data-testid="timeline"]').textContent()) ?? '';
    assert.match(timeline, /MCUboot: revert swap/, 'the rollback is on the timeline');
    assert.match(timeline, /Download completed/);
    assert.match(timeline, /device reported closed\/failure — rolled back to 1\.1\.0/, 'the DDI feedback the server received is on the timeline too');
    for (const role of ['primary', 'secondary', 'scratch']) assert.equal(await page.locator(`[data-testid="slot-${role}"]`).count(), 1, role);
    assert.match((await page.locator('[data-testid="slot-primary"]').textContent()) ?? '', /v1\.1\.0/);
    await page.locator('[data-testid="timeline"] li.tl.boot details summary').first().click();
    await shot(page, 'device');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'device-phone');
    await page.goto(`${base}/#/fleet`);
    await page.locator('[data-testid="device-table"] tbody tr').first().waitFor();
    await shot(page, 'fleet-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    await shot(page, 'fleet');

    // Releases: parse in the browser, verify on the server.
    await page.goto(`${base}/#/releases`);
    await page.setInputFiles('#upload-file', join(dataDir, 'firmware', 'sensor-fw-1.1.0.signed.bin'));
    await page.locator('[data-testid="parsed-image"]').waitFor();
    const parsed = (await page.locator('[data-testid="parsed-image"]').textContent()) ?? '';
    assert.match(parsed, /1\.1\.0/);
    assert.match(parsed, /SHA256/i);
    assert.match(parsed, /ED25519/i);
    await page.click('#upload-submit');
    await page.locator('[data-testid="verdict"]').waitFor();
    assert.match((await page.locator('[data-testid="verdict"]').textContent()) ?? '', /signature verified/);
    await shot(page, 'releases');

    await page.goto(`${base}/#/audit`);
    await page.locator('[data-testid="audit-table"] tbody tr').first().waitFor();
    assert.match((await page.locator('[data-testid="audit-table"]').textContent()) ?? '', /rollout\.paused/);
    await shot(page, 'audit');
    assert.deepEqual(pageErrors, []);

    // Ctrl-C leaves the data directory consistent; the next start resets it and runs.
    assert.equal(await stopDemo(demo), 0, demo.output());
    assert.match(demo.output(), /stopped cleanly/);
    demo = await startDemo(dataDir);
    assert.match(demo.output(), /previous demo data reset/);
    assert.equal(await stopDemo(demo), 0, demo.output());
    demo = null;
  } finally {
    await ctx?.close();
    if (demo !== null) demo.child.kill('SIGKILL');
    rmSync(profile, { recursive: true, force: true });
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
  }
});
