// The console as a person uses it, in Debian's Chromium driven by
// playwright-core: the real `village serve` on a throw-away SQLite database
// with the seed and sample directory, a staff key and an admin key.
// Run by `make test-browser` (which builds bin/village and passes it as
// VILLAGE_BIN). Screenshots go to console/screenshots/ (not committed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BIN = resolve(process.env.VILLAGE_BIN ?? '../bin/village');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = resolve(process.env.SCREENSHOTS ?? 'screenshots');
const BUDGET = 300 * 1024;

// The caller of the whole call. Her ZIP, age and income must never appear
// in a URL the browser asks for.
const FAMILY = { zip: '02121', ageMonths: '3', income: '41234', household: '3' };

let dir, server, base, staffKey, adminKey, context, serverLog = '';

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

function village(...args) {
  return execFileSync(BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function key(role) {
  const out = village('keys', 'create', '--role', role, '--name', `browser test ${role}`, '--db', join(dir, 'v.db'));
  const m = out.match(/vlg_[a-z0-9]+/);
  assert.ok(m, `no secret in: ${out}`);
  return m[0];
}

async function gql(k, query, variables) {
  const r = await fetch(base + '/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + k },
    body: JSON.stringify({ query, variables }),
  });
  const body = await r.json();
  assert.ok(!body.errors, JSON.stringify(body.errors));
  return body.data;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'village-browser-'));
  mkdirSync(SHOTS, { recursive: true });
  village('seed', '--db', join(dir, 'v.db'), '--samples');
  staffKey = key('staff');
  adminKey = key('admin');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(BIN, ['serve', '--db', join(dir, 'v.db'), '--addr', `127.0.0.1:${port}`, '--rate-limit', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.on('data', (d) => (serverLog += d));
  server.stderr.on('data', (d) => (serverLog += d));
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(base + '/readyz')).ok) break;
    } catch {}
    if (i > 100) throw new Error('village serve did not become ready:\n' + serverLog);
    await new Promise((r) => setTimeout(r, 100));
  }
  // One match first, as a server in use has had: the figure below is a
  // match drawn, not the match index's one-time build at start-up.
  await gql(staffKey, '{ match(family: {zip: "02121"}, first: 1) { totalCount } }');
  // A fresh profile every run; the flags keep Chromium off the network.
  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
  });
});

after(async () => {
  await context?.close();
  server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A page that fails the test on anything leaving this server, on a CSP
// violation or a script error, and records every request.
async function newPage() {
  const page = await context.newPage();
  const seen = { requests: [], problems: [] };
  page.on('request', (r) => {
    seen.requests.push({ url: r.url(), method: r.method(), body: r.postData() });
    if (!r.url().startsWith(base) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) seen.problems.push('external request: ' + r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') seen.problems.push('console error: ' + m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400) seen.problems.push(`${r.status()} for ${r.request().method()} ${r.url()}`);
  });
  page.on('pageerror', (e) => seen.problems.push('page error: ' + e.message));
  return { page, seen };
}

async function axe(page, name) {
  // Evaluated through the DevTools protocol, which the page's CSP does not
  // govern: the page itself never runs an inline script.
  await page.evaluate(AXE);
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], `axe on ${name}`);
}

// Both layouts hold: no horizontal overflow; a screenshot of each.
async function layouts(page, name) {
  for (const [w, h] of [[1280, 800], [390, 844]]) {
    await page.setViewportSize({ width: w, height: h });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name} at ${w}×${h} overflows by ${overflow}px`);
    await page.screenshot({ path: join(SHOTS, `${name}-${w}x${h}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

// Tab (forwards) until the element selector finds has the focus: the
// keyboard is the only way anything is reached. (The element is marked for
// the check only; nothing is clicked.)
async function tabTo(page, selector, max = 200) {
  const el = page.locator(selector).first();
  await el.evaluate((e) => e.setAttribute('data-tab-target', ''));
  try {
    for (let i = 0; i < max; i++) {
      if (await page.evaluate(() => document.activeElement?.hasAttribute('data-tab-target') ?? false)) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached ${selector}`);
  } finally {
    await el.evaluate((e) => e.removeAttribute('data-tab-target'));
  }
}

test('home page links the console, GraphiQL and the docs', async () => {
  const { page, seen } = await newPage();
  await page.goto(base + '/');
  for (const href of ['/console', '/graphiql']) assert.equal(await page.locator(`a[href="${href}"]`).count(), 1);
  await axe(page, 'home');
  await layouts(page, '01-home');
  assert.deepEqual(seen.problems, []);
  await page.close();
});

test('a whole call, by keyboard alone', async () => {
  const { page, seen } = await newPage();
  const responses = [];
  page.on('response', async (r) => {
    const url = r.url();
    if (/\.(js|css)$/.test(new URL(url).pathname)) responses.push({ url, body: await r.body() });
  });
  await page.goto(base + '/console');
  await page.waitForSelector('#key');

  // Light: the first load's script and style, gzip-compressed.
  await page.waitForLoadState('networkidle');
  const firstLoad = responses.reduce((n, r) => n + gzipSync(r.body, { level: 9 }).length, 0);
  console.log(`# console first load: ${(firstLoad / 1024).toFixed(1)} KB of compressed script and style in ${responses.length} files (budget 300 KB)`);
  assert.ok(responses.length >= 2 && firstLoad <= BUDGET, `first load ${firstLoad} bytes`);

  await axe(page, 'sign-in');
  await layouts(page, '02-sign-in');

  // Sign in: the key goes to sessionStorage only.
  await tabTo(page, '#key');
  await page.keyboard.type(staffKey);
  await page.keyboard.press('Enter');
  await page.waitForSelector('form.call-form');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('village.key')), staffKey);
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  await page.waitForSelector('.need-list input[value="home-visiting"]');
  await axe(page, 'call form');
  await layouts(page, '03-call-form');

  // The family, as the caller tells it.
  await tabTo(page, 'input[name="zip"]');
  await page.keyboard.type(FAMILY.zip);
  await tabTo(page, 'input[name="child"]');
  await page.keyboard.press('ArrowRight'); // birth date
  await page.keyboard.press('ArrowRight'); // age
  await tabTo(page, 'input[name="ageMonths"]');
  await page.keyboard.type(FAMILY.ageMonths);
  await tabTo(page, 'select[name="firstTime"]');
  await page.keyboard.type('Yes');
  await tabTo(page, 'input[name="household"]');
  await page.keyboard.type(FAMILY.household);
  await tabTo(page, 'input[name="income"]');
  await page.keyboard.type(FAMILY.income);
  for (const [q, code] of [['home vis', 'home-visiting'], ['parenting sup', 'parenting-support']]) {
    await tabTo(page, '#need-filter');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(q);
    await tabTo(page, `.need-list input[value="${code}"]`);
    await page.keyboard.press('Space');
    assert.ok(await page.locator(`.need-list input[value="${code}"]`).isChecked(), code);
  }
  await tabTo(page, 'select[name="language"]');
  await page.keyboard.type('Spanish');
  assert.equal(await page.locator('select[name="language"]').inputValue(), 'es');
  await tabTo(page, 'form.call-form button[type="submit"]');
  const t0 = Date.now();
  await page.keyboard.press('Enter');
  await page.waitForSelector('#results-title, .call-form .error:not(:empty)');
  assert.equal(await page.locator('.call-form .error').innerText(), '', 'the match failed');
  const drawn = Date.now() - t0;
  const inPage = await page.locator('[data-drawn-ms]').getAttribute('data-drawn-ms');
  console.log(`# match drawn ${drawn} ms after submit (the page's own measure: ${inPage} ms; not asserted, goal 500 ms)`);

  // The results, checked against the API's own answer.
  const family = { zip: FAMILY.zip, childAgeMonths: Number(FAMILY.ageMonths), firstTimeParent: true,
    householdSize: Number(FAMILY.household), annualIncome: Number(FAMILY.income),
    needs: ['home-visiting', 'parenting-support'], language: 'es' };
  const api = (await gql(staffKey, `query($f: FamilyInput!) { match(family: $f, first: 25, includeIneligible: true) {
    edges { eligible openState { status } node { name sample } reasons { criterion message } unmet { message } } unservedPrograms { program { name } } } }`, { f: family })).match;
  const eligible = api.edges.filter((e) => e.eligible);
  assert.ok(eligible.length >= 2, 'two services to tick');
  assert.equal(await page.locator('ol.cards > li').count(), eligible.length);
  assert.match(await page.locator('#results-title').innerText(), new RegExp(`^${eligible.length} services fit`));
  const cardNames = await page.locator('ol.cards > li h4').allInnerTexts();
  eligible.forEach((e, i) => assert.ok(cardNames[i].includes(e.node.name), `rank ${i + 1}: ${cardNames[i]} vs ${e.node.name}`));
  assert.equal(await page.locator('ol.cards > li .badge.sample').count(), eligible.filter((e) => e.node.sample).length, 'a badge on every sample');
  // Open now, closed now or not known, as the server says; unknown is never "closed".
  const open = await page.locator('ol.cards > li .facts .badge:is(.open, .closed, .unknown)').allInnerTexts();
  eligible.forEach((e, i) => {
    const want = { OPEN: /^Open now(,|$)/, CLOSED: /^Closed now/, UNKNOWN: /^Open now: not known$/ }[e.openState.status];
    assert.match(open[i], want, `${e.node.name}: ${e.openState.status}`);
  });
  const asks = eligible.flatMap((e) => e.reasons.filter((r) => r.criterion === 'CONFIRM' || r.criterion === 'UNSTATED').map((r) => r.message));
  assert.ok(asks.length > 0, 'this family has something to ask');
  const askText = await page.locator('.ask-box').innerText();
  for (const m of asks) assert.ok(askText.includes(m), `Ask the caller lacks: ${m}`);
  assert.equal(await page.locator('.ask-box li li').count(), asks.length, 'every CONFIRM/UNSTATED reason once');
  const near = api.edges.filter((e) => !e.eligible);
  if (near.length) {
    assert.equal(await page.locator('details.near').getAttribute('open'), null, 'near misses start folded');
    await tabTo(page, 'details.near summary');
    await page.keyboard.press('Enter');
    const nearText = await page.locator('details.near').innerText();
    for (const e of near) for (const u of e.unmet) assert.ok(nearText.includes(u.message), `near miss reason: ${u.message}`);
  }
  await axe(page, 'results');
  await layouts(page, '04-results');

  // Tick two services and open the family's list, in Spanish.
  for (const i of [1, 2]) {
    await tabTo(page, `ol.cards > li:nth-child(${i}) .tick input`);
    await page.keyboard.press('Space');
  }
  await tabTo(page, '.send button.primary');
  assert.match(await page.locator('.send button.primary').innerText(), /\(2\)/);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#family-title');
  await tabTo(page, 'input[name="family-lang"]');
  await page.keyboard.press('ArrowRight');
  await page.waitForSelector('article.family-sheet[lang="es"]');
  const sheet = await page.locator('article.family-sheet').innerText();
  assert.match(sheet, /Servicios para su familia/);
  assert.match(sheet, /Cómo comunicarse/);
  for (const e of eligible.slice(0, 2)) assert.ok(sheet.includes(e.node.name), `the list names ${e.node.name}`);
  for (const e of eligible) for (const r of e.reasons) assert.ok(!sheet.includes(r.message), `a worker's reason in the family's list: ${r.message}`);
  const text = await page.locator('#family-text').inputValue();
  assert.ok(text.startsWith('Servicios para su familia'), 'copyable text in Spanish');
  await axe(page, 'family list');
  await layouts(page, '05-family-list-es');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.toolbar').isVisible(), false, 'print view hides the controls');
  assert.equal(await page.locator('#family-title').isVisible(), true);
  await page.screenshot({ path: join(SHOTS, '06-family-list-print.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });

  // Log the call, from the family's list: the server shows the bands it kept.
  await tabTo(page, '.logcall button');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.logcall .status:has-text("Logged anonymously")');
  const logged = await page.locator('.logcall .status').innerText();
  assert.match(logged, /county 25025/);
  assert.match(logged, /home-visiting/);
  assert.match(logged, /0–11 months/);
  assert.match(logged, /2 referred/);
  assert.ok(!logged.includes(FAMILY.zip), 'the ZIP is not kept');
  await page.screenshot({ path: join(SHOTS, '07-call-logged.png'), fullPage: true });

  // Nothing about the family in any URL; GraphQL only by POST.
  for (const r of seen.requests) {
    const u = new URL(r.url);
    for (const v of [FAMILY.zip, FAMILY.income]) assert.ok(!(u.pathname + u.search + u.hash).includes(v), `family data in a URL: ${r.url}`);
    if (r.url.includes('/graphql')) assert.equal(r.method, 'POST', r.url);
  }
  assert.ok(!page.url().includes(FAMILY.zip) && !page.url().includes(staffKey));
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  assert.deepEqual(await page.evaluate(() => Object.keys(sessionStorage)), ['village.key'], 'sessionStorage holds the key only');
  assert.ok(!serverLog.includes(FAMILY.zip) && !serverLog.includes(FAMILY.income), 'family data in the server log');
  assert.deepEqual(seen.problems, []);
  await page.close();
});

// Sign in on a fresh tab (sessionStorage is per tab) by keyboard.
async function signIn(page, k) {
  await page.goto(base + '/console');
  await page.waitForSelector('#key');
  await tabTo(page, '#key');
  await page.keyboard.type(k);
  await page.keyboard.press('Enter');
  await page.waitForSelector('header.top');
}

test('the gap map shows the call', async () => {
  const { page, seen } = await newPage();
  await signIn(page, adminKey);
  await tabTo(page, 'nav button:has-text("Gaps")');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.map svg path[data-fips="25025"]');
  const row = page.locator('.gap-table tbody tr', { hasText: 'Suffolk' }).filter({ hasText: 'Home visiting' });
  await row.first().waitFor();
  const cells = await row.first().locator('td').allInnerTexts();
  assert.ok(Number(cells[2]) >= 1, `calls in Suffolk County for home visiting: ${cells}`);
  // Shade by calls: Suffolk County is shaded, with the call counted.
  await tabTo(page, 'input[name="gap-metric"]');
  await page.keyboard.press('ArrowRight');
  const suffolk = page.locator('.map svg path[data-fips="25025"]');
  assert.ok(Number(await suffolk.getAttribute('data-value')) >= 1);
  assert.doesNotMatch(await suffolk.getAttribute('class'), /\bs0\b/);
  // Sortable, and the CSV holds the rows.
  await tabTo(page, '.gap-table th button:has-text("Calls")');
  await page.keyboard.press('Enter');
  assert.match(await page.locator('.gap-table th', { hasText: 'Calls' }).first().getAttribute('aria-sort'), /ascending|descending/);
  await tabTo(page, 'a[download]');
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  assert.match(download.suggestedFilename(), /\.csv$/);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.match(csv, /^county_fips,county,need,calls,/);
  assert.match(csv, /\n25025,Suffolk County,Home visiting,\d+,/);
  await axe(page, 'gaps (calls)');
  await layouts(page, '08-gaps-calls');
  // The directory's side: counties no service covers, with any key.
  await tabTo(page, 'input[name="gap-view"]');
  await page.keyboard.press('ArrowRight');
  await page.waitForSelector('caption:has-text("Needs no service covers")');
  await page.waitForFunction(() => document.querySelectorAll('.gap-table tbody tr').length > 0);
  await axe(page, 'gaps (uncovered)');
  await layouts(page, '09-gaps-uncovered');
  assert.deepEqual(seen.problems, []);
  await page.close();
});

test('free-text search is one box away', async () => {
  const { page, seen } = await newPage();
  await signIn(page, staffKey);
  await tabTo(page, '#search-text');
  await page.keyboard.type('home visiting');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#search-title:has-text("found")');
  assert.ok((await page.locator('.hits > li').count()) > 0, 'search finds home visiting');
  assert.ok((await page.locator('.hits mark').count()) > 0, 'the matched words are marked');
  for (const r of seen.requests) if (r.url.includes('/graphql')) assert.equal(r.method, 'POST');
  await axe(page, 'search');
  await layouts(page, '10-search');
  assert.deepEqual(seen.problems, []);
  await page.close();
});

// The figure of part 7: a match drawn after submit on the synthetic national
// directory (20,000 services over real ZIPs, counties and states), on a
// server of its own. Recorded, not asserted: shared machines are noisy.
test('a match drawn on the synthetic national directory (a figure)', { timeout: 15 * 60 * 1000 }, async () => {
  const db = join(dir, 'national.db');
  const t0 = Date.now();
  village('seed', '--db', db, '--synthetic');
  const seeded = Date.now() - t0;
  const out = village('keys', 'create', '--role', 'staff', '--name', 'browser test national', '--db', db);
  const k = out.match(/vlg_[a-z0-9]+/)[0];
  const port = await freePort();
  const nbase = `http://127.0.0.1:${port}`;
  let log = '';
  const srv = spawn(BIN, ['serve', '--db', db, '--addr', `127.0.0.1:${port}`, '--rate-limit', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  srv.stdout.on('data', (d) => (log += d));
  srv.stderr.on('data', (d) => (log += d));
  try {
    // Ready once its indexes are built (village serve builds them at start).
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(nbase + '/readyz')).ok) break;
      } catch {}
      if (i > 3000) throw new Error('village serve did not become ready:\n' + log);
      await new Promise((r) => setTimeout(r, 100));
    }
    const page = await context.newPage();
    await page.goto(nbase + '/console');
    await page.fill('#key', k);
    await page.press('#key', 'Enter');
    await page.waitForSelector('.need-list input[value="home-visiting"]');
    await page.fill('input[name="zip"]', FAMILY.zip);
    await page.check('.need-list input[value="home-visiting"]');
    const start = Date.now();
    await page.click('form.call-form button[type="submit"]');
    await page.waitForSelector('#results-title');
    const took = Date.now() - start;
    await page.waitForFunction(() => document.querySelector('[data-drawn-ms]')?.getAttribute('data-drawn-ms'));
    const drawn = await page.locator('[data-drawn-ms]').getAttribute('data-drawn-ms');
    console.log(`# synthetic national directory (seeded in ${(seeded / 1000).toFixed(0)} s): match drawn ${took} ms after submit (the page's own measure: ${drawn} ms; not asserted, goal 500 ms)`);
    await page.screenshot({ path: join(SHOTS, '90-national-match.png'), fullPage: false });
    await page.close();
  } finally {
    srv.kill('SIGTERM');
  }
});
