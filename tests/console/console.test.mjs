// The operator console in a real browser: Debian's chromium driven by playwright-core against
// the real binary serving the example processes (docs/console.md). Run by ctest (label
// `tools`) with FERRY_BINARY, FERRY_EXAMPLES_DIR and FERRY_SCREENSHOTS (where each page's
// screenshot is saved, for people to look at) set; playwright-core is what
// tools/dev/install-npm-tools installs (never `playwright install`: the browser is Debian's).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { freePort } from '../support/free_port.mjs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const ferry = process.env.FERRY_BINARY;
const examples = process.env.FERRY_EXAMPLES_DIR;
const screenshots = process.env.FERRY_SCREENSHOTS || path.join(tmpdir(), 'ferry-console-screenshots');
const children = [];
let data;
let base;
let browser;
let page;
let stopping = false;

async function eventually(check, ms = 30000) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error('timed out waiting' + (last ? ': ' + last.message : ''));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Debian's chromium, headless. --disable-dev-shm-usage: a busy machine's small /dev/shm
// must not crash it. A launch that fails is tried again once, with its reason printed.
async function launchChromium() {
  const options = {
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  };
  try {
    return await chromium.launch(options);
  } catch (e) {
    console.error(`chromium did not start, trying again: ${e.message}`);
    return chromium.launch(options);
  }
}

const post = (route, body, type = 'application/json') =>
  fetch(base + route, { method: 'POST', headers: { 'Content-Type': type }, body });
const getJson = async (route) => (await fetch(base + route)).json();

async function shot(name) {
  await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
}

// Every browser-side failure is a test failure: a blocked script, a CSP violation, an error.
const pageProblems = [];
function noPageProblems() {
  const seen = pageProblems.splice(0);
  assert.deepEqual(seen, []);
}

before(async () => {
  assert.ok(ferry && examples, 'FERRY_BINARY and FERRY_EXAMPLES_DIR must be set');
  mkdirSync(screenshots, { recursive: true });
  data = mkdtempSync(path.join(tmpdir(), 'ferry-console-'));
  const server = spawn(ferry, ['serve', '--port', '0', '--processes', examples, '--data', data,
    '--redelivery', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(server);
  let output = '';
  server.stdout.on('data', (chunk) => { output += chunk; });
  server.stderr.on('data', (chunk) => { output += chunk; });
  server.on('exit', (code, signal) => {
    if (!stopping) console.error(`ferry exited early (${code ?? signal}):\n${output}`);
  });
  const port = await eventually(() => {
    const m = /ferry listening on [^:\s]+:(\d+)/.exec(output);
    return m && Number(m[1]);
  });
  base = `http://127.0.0.1:${port}`;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => pageProblems.push('page error: ' + e.message));
  // A refused request shows as "Failed to load resource"; the tests check those statuses.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      pageProblems.push('console: ' + m.text());
    }
  });
  page.on('dialog', (dialog) => dialog.accept());  // the confirmations
});

after(async () => {
  stopping = true;
  if (browser) await browser.close();
  for (const child of children) child.kill('SIGTERM');
  if (data) rmSync(data, { recursive: true, force: true });
});

test('every page answers with the navigation and a strict Content-Security-Policy', async () => {
  for (const [route, title] of [['/_console/', 'Overview'], ['/_console/processes', 'Processes'],
    ['/_console/listeners', 'Listeners'], ['/_console/executions', 'Executions'],
    ['/_console/replays', 'Replays'], ['/_console/queues', 'Queues and dead letters'],
    ['/_console/apis', 'APIs'], ['/_console/runtimes', 'Runtimes']]) {
    const response = await page.goto(base + route);
    assert.equal(response.status(), 200, route);
    assert.match(response.headers()['content-security-policy'], /default-src 'self'/);
    assert.equal(await page.textContent('h1'), title);
    const nav = await page.$$eval('header nav a', (links) => links.map((a) => a.textContent));
    assert.deepEqual(nav, ['Overview', 'Processes', 'Listeners', 'Executions', 'Replays',
      'Queues', 'APIs', 'Runtimes']);
  }
  noPageProblems();
});

test('failed executions are found by filter, and their step documents are shown', async () => {
  // dispatchOrder queues each order to pickOrder; one without lines fails there (and, with
  // --redelivery 0, is a dead letter at once).
  const good = await post('/ws/simple/executeDispatch',
    JSON.stringify([{ orderId: 'SO-1', customerId: 'C-1', lines: [{ sku: 'KB-1', quantity: 2 }] }]));
  assert.equal(good.status, 202);
  const bad = await post('/ws/simple/executeDispatch',
    JSON.stringify([{ orderId: 'SO-BAD', customerId: 'C-2', lines: [] }]));
  assert.equal(bad.status, 202);
  const failed = await eventually(async () => {
    const list = await getJson('/_admin/executions?process=pickOrder&state=failed');
    return list.executions.length === 1 && list.executions[0];
  });

  await page.goto(base + '/_console/executions');
  await page.selectOption('select[name=process]', 'pickOrder');
  await page.selectOption('select[name=state]', 'failed');
  await page.click('form.filters button[type=submit]');
  await page.waitForURL(/state=failed/);
  const ids = await page.$$eval('#executions tbody td.id a', (links) => links.map((a) => a.textContent));
  assert.ok(ids.includes(failed.id), `${failed.id} in ${ids}`);
  assert.match(await page.textContent('#executions tbody'), /has no lines to pick/);
  await shot('executions');

  await page.click(`text=${failed.id}`);
  await page.waitForURL(new RegExp(`/_console/executions/${failed.id}$`));
  assert.match(await page.textContent('ol.trace'), /refuse/);
  assert.match(await page.textContent('.trace li.failed'), /order SO-BAD has no lines to pick/);
  // The request document is shown as stored: the exact text.
  const request = await page.textContent('section:has(h2:text("Request documents")) pre.payload');
  assert.match(request, /"orderId":"SO-BAD"/);
  // Pretty view indents the JSON; raw gives the stored text back.
  await page.click('section:has(h2:text("Request documents")) button[data-view=pretty]');
  assert.match(await page.textContent('section:has(h2:text("Request documents")) pre.payload'),
    /\n {2}"orderId": "SO-BAD"/);
  await page.click('section:has(h2:text("Request documents")) button[data-view=raw]');
  assert.equal(await page.textContent('section:has(h2:text("Request documents")) pre.payload'),
    request);
  await shot('execution-detail');
  noPageProblems();
});

test('a payload with <script> shows as text and runs nothing', async () => {
  const hostile = '<script>window.__pwned = 1; alert(1)</script><img src=x onerror="window.__pwned=2">';
  const res = await post('/ws/simple/createOrder', JSON.stringify([{ orderId: hostile, lines: [] }]));
  assert.equal(res.status, 202);
  const { execution_id: id } = await res.json();
  await eventually(async () => (await getJson(`/_admin/executions/${id}`)).state === 'succeeded');
  let dialogs = 0;
  const countDialog = () => { dialogs += 1; };
  page.on('dialog', countDialog);
  await page.goto(`${base}/_console/executions/${id}`);
  const shown = await page.textContent('section:has(h2:text("Request documents")) pre.payload');
  // The stored text exactly (JSON escapes its quotes), shown as text.
  assert.ok(shown.includes(JSON.stringify(hostile)), shown);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator('main script, main img').count(), 0);
  page.off('dialog', countDialog);
  assert.equal(dialogs, 0);
  noPageProblems();
});

test('deploying an upload with an error shows its line; a good one is served', async () => {
  await page.goto(base + '/_console/processes');
  const broken = 'name: pickOrder\nversion: 2\nlisten:\n  queue: warehouse\n  input: single_json\nsteps:\n  - id: x\n    no_such_step: {}\n';
  await page.setInputFiles('form[data-deploy] input[type=file]',
    { name: 'pickOrder-v2.yaml', mimeType: 'application/yaml', buffer: Buffer.from(broken) });
  await page.click('form[data-deploy] button[type=submit]');
  const problem = await eventually(async () => {
    const text = await page.textContent('.deploy-result');
    return text && text;
  });
  assert.match(problem, /invalid_definition: pickOrder-v2\.yaml:8:\d+: /);
  await shot('processes-deploy-error');

  // Version 2 picks every order, lines or not.
  const fixed = 'name: pickOrder\nversion: 2\nmode: general\nlisten:\n  queue: warehouse\n  input: single_json\nsteps:\n  - id: pick-line\n    message:\n      template: "picked {1}"\n      variables: [{element: orderId}]\n';
  await page.setInputFiles('form[data-deploy] input[type=file]',
    { name: 'pickOrder-v2.yaml', mimeType: 'application/yaml', buffer: Buffer.from(fixed) });
  await page.click('form[data-deploy] button[type=submit]');
  await eventually(async () => {
    const list = await getJson('/_admin/processes');
    return list.processes.some((p) => p.process === 'pickOrder' && p.version === 2 && p.active);
  });
  await page.goto(base + '/_console/processes');
  await page.click('section:has(h2:text("pickOrder")) a:text("Diff with active")');
  await page.waitForURL(/\/diff\?from=1&to=2/);
  assert.ok(await page.locator('table.diff tr.add').count() > 0);
  assert.ok(await page.locator('table.diff tr.del').count() > 0);
  await shot('process-diff');
  noPageProblems();
});

test('a dry-run replay shows what differs, then replays those for real with replay_of', async () => {
  const failed = (await getJson('/_admin/executions?process=pickOrder&state=failed')).executions;
  assert.ok(failed.length >= 1);
  await page.goto(base + '/_console/executions?process=pickOrder&state=failed');
  for (const e of failed) await page.check(`#executions input.select[value="${e.id}"]`);
  await page.click('button:text("Dry-run replay of the selected")');
  await page.waitForURL(/\/_console\/replays\/[^/]+$/);
  await eventually(async () => {
    await page.reload();
    return /finished/.test(await page.textContent('dl.facts'));
  });
  // Version 2 (serving now) succeeds where version 1 failed; side by side, what each run
  // ended with.
  assert.match(await page.textContent('main'), /failed -> succeeded/);
  const sides = await page.$$eval('.diff-side > div', (columns) => columns.map((c) => c.textContent));
  assert.equal(sides.length, 2 * failed.length);
  assert.match(sides[0], /Stored \(version 1, ended at step 'refuse', 0 out\)order SO-BAD has no lines to pick/);
  assert.match(sides[1], /Dry run \(ended at step 'pick-line', 1 out\)picked SO-BAD/);
  await shot('replay-dry-run');
  const dryRun = page.url();
  await page.click('button:text-matches("Replay these \\\\d+ for real")');
  await page.waitForURL((url) => url.href !== dryRun && url.pathname.startsWith('/_console/replays/'));
  assert.match(await page.textContent('dl.facts'), /Kind\s*replay/);
  for (const e of failed) {
    await eventually(async () => {
      const replays = await getJson(`/_admin/executions?replay_of=${e.id}`);
      return replays.executions.length === 1 && replays.executions[0].state === 'succeeded';
    });
  }
  await page.goto(`${base}/_console/executions?replay_of=${failed[0].id}`);
  assert.equal(await page.locator('#executions tbody tr').count(), 1);
  assert.match(await page.textContent('#executions tbody'), new RegExp(failed[0].id));
  noPageProblems();
});

test('a dead letter is resent from the Queues page', async () => {
  const letters = await eventually(async () => {
    const list = await getJson('/_admin/dead-letters?queue=warehouse');
    return list.dead_letters.length >= 1 && list.dead_letters;
  });
  await page.goto(base + '/_console/queues?queue=warehouse');
  await shot('queues');
  const id = letters[0].id;
  await page.click(`#dead-letters tr:has(input[value="${id}"]) button:text("Resend")`);
  await eventually(async () => {
    const resent = await getJson('/_admin/executions?process=pickOrder&state=succeeded');
    return resent.executions.some((e) => e.queue && e.queue.resent_from === id);
  });
  await eventually(async () => {
    const list = await getJson('/_admin/dead-letters?queue=warehouse');
    return !list.dead_letters.some((d) => d.id === id);
  });
  await page.goto(base + '/_console/queues?queue=warehouse');
  assert.equal(await page.locator(`#dead-letters input[value="${id}"]`).count(), 0);
  noPageProblems();
});

test('a paused listener answers 503 and takes calls again once resumed', async () => {
  await page.goto(base + '/_console/listeners');
  await page.click('tr:has(strong:text-is("createOrder")) button:text("Pause")');
  await eventually(async () => (await post('/ws/simple/createOrder', '[{"orderId": "P-1"}]')).status === 503);
  await page.waitForSelector('tr:has(strong:text-is("createOrder")) .badge:text("paused")');
  await shot('listeners-paused');
  await page.click('tr:has(strong:text-is("createOrder")) button:text("Resume")');
  await eventually(async () => (await post('/ws/simple/createOrder', '[{"orderId": "P-2"}]')).status === 202);
  noPageProblems();
});

test('the live rate rises under load; another runtime is registered', async () => {
  await page.goto(base + '/_console/');
  const stop = Date.now() + 8000;
  const load = (async () => {
    while (Date.now() < stop) {
      await Promise.all([1, 2, 3, 4].map(() => post('/ws/simple/createOrder', '[{"orderId": "L-1"}]')));
    }
  })();
  await eventually(async () => Number(await page.textContent('[data-field=requests_per_second]')) > 1, 8000);
  await eventually(async () => (await page.textContent('[data-field=p99_ms]')) !== '–', 8000);
  await shot('overview');
  await load;
  await page.goto(base + '/_console/apis');
  await shot('apis');
  // Another runtime registered from the page (this same server stands in for it).
  await page.goto(base + '/_console/runtimes');
  await page.fill('form[data-json-post] input[name=name]', 'staging');
  await page.fill('form[data-json-post] input[name=url]', base);
  await page.click('form[data-json-post] button[type=submit]');
  await page.waitForSelector('td a:text("staging")');
  assert.match(await page.textContent('tr:has(a:text("staging"))'), /listening/);
  await shot('runtimes');
  await page.click('td a:text("staging")');
  await page.waitForURL(/\/_console\/runtimes\/staging$/);
  assert.match(await page.textContent('main'), /\/ws\/simple\/createOrder/);
  noPageProblems();
});

test('another site cannot make the browser change anything', async () => {
  // A page on another origin posts a form to the admin API, as a cross-site attack would.
  const port = await freePort();
  const attacker = createHttpServer((req, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end(`<form id="f" method="post" action="${base}/_admin/listeners/createOrder/pause"></form>
      <script>document.getElementById('f').submit()</script>`);
  });
  await new Promise((resolve) => attacker.listen(port, '127.0.0.1', resolve));
  try {
    const answer = page.waitForResponse((r) => r.url().includes('/_admin/listeners/createOrder/pause'));
    await page.goto(`http://127.0.0.1:${port}/`);
    const response = await answer;
    assert.equal(response.status(), 403);
    assert.match(await response.text(), /cross_site_request/);
  } finally {
    attacker.close();
  }
  const listeners = await getJson('/_admin/listeners');
  assert.equal(listeners.listeners.find((l) => l.process === 'createOrder').state, 'listening');
});
