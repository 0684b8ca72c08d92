// Firefox smoke run: the built site in a second browser engine (Debian's firefox-esr, driven over
// WebDriver BiDi by puppeteer-core; no browser is downloaded).
//
//   node tests/firefox/smoke.mjs BASE_URL [REPORT.json] [--third-party-storage=partitioned|blocked]
//
// BASE_URL is a served build on 127.0.0.1 (e.g. http://127.0.0.1:8123/). Checks, each a failure:
// - every page (the six lessons, the glossary, the landing page) loads with no page error and no
//   request to another host, and each lesson reaches html[data-status=ready];
// - one real interaction per page (keys, clicks) changes what the page shows;
// - lessons framed by another site (a host page on http://localhost:PORT/, served here) reach
//   ready and post {"backprop-lab": "ready"} to the host: one lesson with the frame's storage
//   partitioned (Firefox's default: storage works there as on the site itself, so the lessons'
//   own code takes the path it takes in the full pages above) or, with
//   --third-party-storage=blocked, every lesson with its storage blocked (only this check then).
// The numbers shown after each interaction are written to REPORT.json; the pytest wrapper
// (tests/e2e/test_firefox.py) compares them with the engine run in CPython.
// Exit status 0 when every check passed, 1 otherwise; progress goes to stdout.
import { createServer } from "node:http";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

const FIREFOX = process.env.BACKPROP_LAB_FIREFOX || "/usr/bin/firefox-esr";
const READY = "html[data-status='ready'], html[data-status='error']";
const READY_TIMEOUT_MS = 60_000;
// The whole run stops after this long, so a lesson that hangs cannot hold up the test suite: each
// check not started by then is a failure of its own.
const RUN_BUDGET_MS = 150_000;
const LESSONS = ["chain-rule", "step-through", "gradients", "playground", "matrix-form", "write-it"];
// Framed with partitioned storage: the chain-rule lesson, whose completed mark the run makes first.
const PARTITIONED_EMBEDS = ["chain-rule"];
// The learner's code runs in a worker with a Pyodide of its own, which starts after the page.
const RUN_TIMEOUT_MS = 60_000;

// How Firefox treats a cross-site frame's storage (the pref network.cookie.cookieBehavior):
// "partitioned" is Firefox's default for its users (5: the frame gets storage of its own, keyed by
// the site that frames it); "blocked" is "block all third-party cookies" (1: localStorage,
// IndexedDB and BroadcastChannel throw SecurityError in the frame). Set explicitly, because
// puppeteer's profile turns partitioning off. With "blocked" only the framed lessons are checked.
const COOKIE_BEHAVIOR = { partitioned: 5, blocked: 1 };
// Screenshots of every page after its interaction, and of each host page with its frame, go to
// $BACKPROP_LAB_SCREENSHOTS (the pytest wrapper sets it to screenshots/) when it is set.
const SCREENSHOTS = process.env.BACKPROP_LAB_SCREENSHOTS || "";
const options = process.argv.slice(2).filter((arg) => arg.startsWith("--"));
const [baseArg, reportPath] = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
const storageOption = options.find((arg) => arg.startsWith("--third-party-storage="));
const thirdPartyStorage = storageOption ? storageOption.split("=")[1] : "partitioned";
if (!baseArg || !(thirdPartyStorage in COOKIE_BEHAVIOR) || options.length > (storageOption ? 1 : 0)) {
  console.error("usage: node tests/firefox/smoke.mjs BASE_URL [REPORT.json] [--third-party-storage=partitioned|blocked]");
  process.exit(2);
}
const base = new URL(baseArg);
const failures = [];
const report = { browser: null, thirdPartyStorage, pages: {}, embeds: {} };
const started = Date.now();

function log(line) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`);
}

function fail(where, message) {
  failures.push(`${where}: ${message}`);
  log(`FAIL ${where}: ${message}`);
}

// Runs one check; a thrown error is that check's failure, and the run goes on with the next page.
async function check(where, body) {
  if (Date.now() - started > RUN_BUDGET_MS) {
    fail(where, `not checked: the run's ${RUN_BUDGET_MS / 1000} s were spent`);
    return;
  }
  try {
    await body();
  } catch (error) {
    fail(where, error && error.message ? error.message.split("\n")[0] : String(error));
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

// A tab that records uncaught errors and requests to any host but the site's.
async function openTab(browser, allowedHosts) {
  const tab = await browser.newPage();
  await tab.setViewport({ width: 1280, height: 900 });
  tab.errors = [];
  tab.on("pageerror", (error) => tab.errors.push(String(error && error.message ? error.message : error)));
  tab.on("request", (request) => {
    const url = new URL(request.url());
    if (/^https?:$/.test(url.protocol) && !allowedHosts.includes(url.hostname)) {
      tab.errors.push(`request to another host: ${request.url()}`);
    }
  });
  return tab;
}

// Waits for the loader's verdict in a page or frame; throws with the loader's text on an error.
async function waitUntilReady(frame) {
  const left = Math.max(RUN_BUDGET_MS - (Date.now() - started), 1_000);
  await frame.waitForSelector(READY, { timeout: Math.min(READY_TIMEOUT_MS, left) }).catch(() => {
    throw new Error(`no data-status of ready or error within ${Math.round(Math.min(READY_TIMEOUT_MS, left) / 1000)} s`);
  });
  const status = await frame.evaluate(() => document.documentElement.dataset.status);
  if (status !== "ready") {
    const text = await frame.evaluate(() => (document.getElementById("loader") || document.body).innerText);
    throw new Error(`data-status is ${status}: ${text.slice(0, 400)}`);
  }
}

async function textOf(tab, selector) {
  return (await tab.$eval(selector, (element) => element.textContent)).trim();
}

// Waits until the element's text differs from `before` (Python redraws on the input event).
async function changedText(tab, selector, before, what) {
  try {
    await tab.waitForFunction((s, old) => {
      const element = document.querySelector(s);
      return element && element.textContent.trim() !== old;
    }, { timeout: 10_000 }, selector, before);
  } catch (error) {
    throw new Error(`${what}: ${selector} still shows ${JSON.stringify(before)}`);
  }
  return textOf(tab, selector);
}

async function saveScreenshot(tab, name) {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await tab.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

async function pressKey(tab, key, times = 1) {
  for (let i = 0; i < times; i++) await tab.keyboard.press(key);
}

// ------------------------------------------------------------------ one interaction per page

const interactions = {
  // Panel 2's x slider, five keyboard steps of 0.1 down from 2: u = g(x), y = f(u) and dy/dx follow.
  // Then "Mark this page completed", which the glossary and the landing page show.
  async "chain-rule"(tab) {
    const names = ["p2-x-value", "p2-u", "p2-y", "p2-du", "p2-dy", "p2-dydx"];
    const before = await textOf(tab, "#p2-dydx");
    await tab.focus("#p2-x");
    await pressKey(tab, "ArrowLeft", 5);
    await changedText(tab, "#p2-dydx", before, "moving panel 2's x slider");
    const shown = {};
    for (const name of names) shown[name] = await textOf(tab, `#${name}`);
    expect(shown["p2-x-value"] === "1.5", `panel 2's x shows ${shown["p2-x-value"]} after five steps down from 2`);

    const mark = await tab.waitForSelector("#site-footer .pager button");
    await mark.click();
    expect((await mark.evaluate((b) => b.getAttribute("aria-pressed"))) === "true", "the completed mark did not stick");
    const navText = await textOf(tab, "#site-header nav");
    expect(navText.includes("Chain rule ✓"), `the header does not mark the page completed: ${navText}`);
    await tab.$eval("#panel-2", (panel) => panel.scrollIntoView());   // for the screenshot
    return shown;
  },

  // The keyboard steps through the 2-2-1 network: → shows step 2 and its number. A first pass
  // through the lesson (this profile has no mark for it) has predict mode on: End goes to the
  // update, which asks which way w₃₁ moves; its first answer, by the keyboard, gets a verdict.
  async "step-through"(tab) {
    const before = { counter: await textOf(tab, "#step-counter"), result: await textOf(tab, "#step-result") };
    expect(before.counter.startsWith("Step 1 /"), `the page opened at ${before.counter}`);
    await tab.click("h1");              // the page, not a control, has the keyboard
    await tab.keyboard.press("ArrowRight");
    const counter = await changedText(tab, "#step-counter", before.counter, "pressing → on the step-through page");
    const result = await textOf(tab, "#step-result");
    expect(result !== before.result, `the step result did not change: ${result}`);
    const predictOn = await tab.$eval("#predict-toggle", (toggle) => toggle.checked);
    await tab.keyboard.press("End");
    await tab.waitForSelector("#predict-choices button", { timeout: 10_000 }).catch(() => {
      throw new Error("End on a first pass: no question at the update step");
    });
    const prompt = await textOf(tab, "#predict-prompt");
    const answer = await tab.$eval("#predict-choices button", (button) => button.dataset.answer);
    await tab.focus("#predict-choices button");
    await tab.keyboard.press("Enter");
    const verdict = await changedText(tab, "#predict-verdict", "", "answering the update's question by the keyboard");
    const focused = await tab.evaluate(() => document.activeElement.id);
    return { "step-counter": counter, "step-result": result, "predict-on": predictOn, "prompt": prompt,
             "answer": answer, "verdict": verdict, "focused": focused };
  },

  // One more hidden layer (depth slider, one key): the bars are recomputed for six layers.
  async gradients(tab) {
    const titles = () => tab.$$eval("#side-0-chart .bar-row title", (all) => all.map((t) => t.textContent));
    const before = await titles();
    await tab.focus("#depth");
    await tab.keyboard.press("ArrowRight");
    const depth = await changedText(tab, "#depth-value", "5", "moving the depth slider");
    await tab.waitForFunction((n) => document.querySelectorAll("#side-0-chart .bar-row").length === n,
      { timeout: 10_000 }, before.length + 1);
    return { "depth-value": depth, "bar-titles": await titles() };
  },

  // Step trains one epoch: the epoch counter and the training loss move.
  async playground(tab) {
    const before = { epoch: await textOf(tab, "#epoch"), loss: await textOf(tab, "#train-loss") };
    await tab.click("#step");
    const epoch = await changedText(tab, "#epoch", before.epoch, "clicking Step");
    const loss = await textOf(tab, "#train-loss");
    expect(loss !== before.loss, `the training loss did not change after a step: ${loss}`);
    return { "epoch-before": before.epoch, "train-loss-before": before.loss, epoch, "train-loss": loss };
  },

  // The keyboard steps to Z1 = X W1 + b1: the result matrix appears with its numbers.
  async "matrix-form"(tab) {
    const before = await textOf(tab, "#step-counter");
    await tab.click("h1");
    await tab.keyboard.press("ArrowRight");
    const counter = await changedText(tab, "#step-counter", before, "pressing → on the matrix-form page");
    const z1 = await tab.$$eval('#step-matrices td[data-matrix="Z1"]', (cells) => cells.map((c) => c.textContent));
    expect(z1.length === 8, `the Z1 matrix has ${z1.length} cells, not 8`);
    return { "step-counter": counter, z1 };
  },

  // Run the first exercise's starter code as it stands: the worker grades it and the page lists
  // every check's verdict (the starter returns zeros, so most checks fail, each saying why).
  async "write-it"(tab) {
    await tab.click("#run");
    await tab.waitForSelector("#verdicts .verdict-summary", { timeout: RUN_TIMEOUT_MS }).catch(() => {
      throw new Error(`no verdict within ${RUN_TIMEOUT_MS / 1000} s of clicking Run`);
    });
    return {
      exercise: await tab.$eval("#exercise-list a[aria-current=step]", (link) => link.dataset.exercise),
      summary: await textOf(tab, "#verdicts .verdict-summary"),
      verdicts: await tab.$$eval("#verdicts li", (items) => items.map((item) => item.textContent.trim())),
    };
  },

  // The header shows the mark made on the chain-rule page; the skip link moves focus to the terms.
  async glossary(tab) {
    const navText = await textOf(tab, "#site-header nav");
    expect(navText.includes("Chain rule ✓"), `the header does not show the chain rule as completed: ${navText}`);
    await tab.keyboard.press("Tab");
    const focused = await tab.evaluate(() => document.activeElement.textContent.trim());
    expect(focused === "Skip to the glossary", `Tab focused ${JSON.stringify(focused)}, not the skip link`);
    await tab.keyboard.press("Enter");
    await tab.waitForFunction(() => location.hash === "#main", { timeout: 5_000 });
    return { nav: navText };
  },

  // The lesson card shows the chain rule completed; "Reset my progress" clears the mark.
  async index(tab) {
    const card = "#lesson-cards [data-page='pages/chain-rule.html'] .status";
    const before = await textOf(tab, card);
    expect(before === "✓ completed", `the chain rule's card shows ${JSON.stringify(before)}`);
    await Promise.all([tab.waitForNavigation({ timeout: 10_000 }), tab.click("#reset-progress")]);
    const after = await textOf(tab, card);
    expect(after === "", `after the reset the chain rule's card still shows ${JSON.stringify(after)}`);
    return { "card-before": before, "card-after": after };
  },
};

// In this order: the chain-rule page marks itself completed, the glossary shows the mark, and the
// landing page (last, after the framed lessons have looked for the mark) resets it.
const PAGES = [
  ...LESSONS.map((name) => ({ name, path: `pages/${name}.html`, python: true })),
  { name: "glossary", path: "pages/glossary.html", python: false },
];
const LANDING_PAGE = { name: "index", path: "index.html", python: false };

async function smokePage(browser, { name, path, python }) {
  const tab = await openTab(browser, [base.hostname]);
  const t0 = Date.now();
  try {
    await check(name, async () => {
      await tab.goto(new URL(path, base).href, { waitUntil: "load" });
      if (python) await waitUntilReady(tab);
      else expect(await tab.$("#site-header nav"), "nav.js did not build the header");
      const ready = Date.now() - t0;
      report.pages[name] = { shown: await interactions[name](tab), readyMs: ready };
      await saveScreenshot(tab, `firefox-${name}`);
      log(`${name}: ${python ? "ready" : "loaded"} in ${(ready / 1000).toFixed(1)} s, interaction checked`);
    });
    for (const error of tab.errors) fail(name, error);
  } finally {
    await tab.close();
  }
}

// ------------------------------------------------------------------ framed by another site

// The host is another site: "localhost" is not the same site as "127.0.0.1", though both name this
// machine. Its page collects what the frame posts, with the sender's origin.
function startHost() {
  const server = createServer((request, response) => {
    const src = new URL(request.url, "http://localhost").searchParams.get("src") || "about:blank";
    const body = `<!doctype html><meta charset="utf-8"><title>Course page</title>
<h1>A course on another site</h1>
<script>
  window.messages = [];
  addEventListener("message", (event) => window.messages.push({ origin: event.origin, data: event.data }));
</script>
<iframe src="${src.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`)}" width="800" height="600" title="lesson"></iframe>`;
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
    response.end(body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function smokeEmbed(browser, hostPort, name) {
  const lesson = new URL(`pages/${name}.html?embed=1`, base).href;
  const hostUrl = `http://localhost:${hostPort}/course.html?src=${encodeURIComponent(lesson)}`;
  const tab = await openTab(browser, [base.hostname, "localhost"]);
  const t0 = Date.now();
  const where = `${name} framed by another site`;
  try {
    await check(where, async () => {
      await tab.goto(hostUrl, { waitUntil: "domcontentloaded" });
      const frameHandle = await tab.waitForSelector("iframe");
      const frame = await frameHandle.contentFrame();
      expect(frame, "the lesson frame is missing");
      await waitUntilReady(frame);
      await tab.waitForFunction(() => window.messages.some((m) => m.data["backprop-lab"] === "ready"), { timeout: 10_000 })
        .catch(() => { throw new Error("the frame is ready but posted no ready to the host within 10 s"); });
      // Loading stages in order, then one ready, all from the lesson's origin (README, "For instructors").
      const messages = await tab.evaluate(() => window.messages);
      const statuses = messages.map((m) => m.data["backprop-lab"]);
      const steps = messages.filter((m) => m.data["backprop-lab"] === "loading").map((m) => m.data.step);
      expect(messages.every((m) => m.origin === base.origin) && statuses.at(-1) === "ready"
             && statuses.slice(0, -1).every((s) => s === "loading")
             && steps.every((step, i) => i === 0 || step > steps[i - 1]),
        `the host received ${JSON.stringify(messages)}, not loading stages then one ready from ${base.origin}`);
      // What the frame's progress marks see: "blocked", or the marks kept for this embedding site
      // (the chain rule was marked completed on the site itself before, so partitioned storage
      // does not show it). Reported, not checked here: the lesson must start either way.
      const storage = await frame.evaluate(() => {
        try { return { completed: localStorage.getItem("backprop-lab:completed") }; } catch (e) { return { blocked: e.name }; }
      });
      const ready = Date.now() - t0;
      report.embeds[name] = { messages, storage, readyMs: ready };
      await saveScreenshot(tab, `firefox-embed-${thirdPartyStorage}-${name}`);
      log(`${where}: ready in ${(ready / 1000).toFixed(1)} s, posted ready; localStorage ${JSON.stringify(storage)}`);
    });
    for (const error of tab.errors) fail(where, error);
  } finally {
    await tab.close();
  }
}

// ------------------------------------------------------------------ the run

let browser = null;
let host = null;
try {
  browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: FIREFOX,
    headless: true,
    protocol: "webDriverBiDi",
    extraPrefsFirefox: {
      "network.cookie.cookieBehavior": COOKIE_BEHAVIOR[thirdPartyStorage],
      // Nothing but the site: no captive-portal or connectivity probes.
      "network.captive-portal-service.enabled": false,
      "network.connectivity-service.enabled": false,
    },
  });
  report.browser = await browser.version();
  log(`${report.browser} from ${FIREFOX}, third-party storage ${thirdPartyStorage}`);
  const allPages = thirdPartyStorage === "partitioned";
  if (allPages) for (const entry of PAGES) await smokePage(browser, entry);
  host = await startHost();
  for (const name of allPages ? PARTITIONED_EMBEDS : LESSONS) await smokeEmbed(browser, host.address().port, name);
  if (allPages) await smokePage(browser, LANDING_PAGE);
} catch (error) {
  fail("firefox", error && error.stack ? error.stack : String(error));
} finally {
  if (browser) await browser.close().catch(() => {});
  if (host) host.close();
}

if (reportPath) writeFileSync(reportPath, JSON.stringify(report, null, 2));
log(failures.length ? `${failures.length} check(s) failed:\n  ${failures.join("\n  ")}` : "every check passed");
process.exit(failures.length ? 1 : 0);
