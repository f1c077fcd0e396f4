// Browser tests of the web UI in headless Chromium (Debian's `chromium`, driven by playwright-core
// through executablePath; no browser download). The server's WebUiBrowserTest starts a real
// server on free ports and runs this file with node's test runner; by hand:
//
//   EVIDENTSOURCE_URL=http://127.0.0.1:8080 COUNTER_WASM=counter.wasm DECIDE_WASM=echo-decide.wasm \
//     node --test e2e/ui.e2e.mjs
//
// The scenarios run in order against one fresh server and share its data: upload the GitHub
// sample through the upload screen, filter, open an event, travel in time, follow the live tail,
// compose a guarded transaction, publish and read a state view, dry-run and execute a command.
// Every screen is checked with axe-core (WCAG 2 A/AA) in light and dark, for horizontal overflow
// at a laptop size, and for console errors; screenshots go to $SCREENSHOTS (docs/ui/ for the docs).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const here = dirname(new URL(import.meta.url).pathname);
const BASE = (process.env.EVIDENTSOURCE_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");
const SAMPLE = resolve(process.env.SAMPLE_NDJSON ?? join(here, "..", "..", "samples", "github-webhooks.ndjson"));
const COUNTER_WASM = process.env.COUNTER_WASM;
const DECIDE_WASM = process.env.DECIDE_WASM;
const SHOTS = resolve(process.env.SCREENSHOTS ?? join(here, "..", "target", "screenshots"));
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const DB = "github";
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const events = readFileSync(SAMPLE, "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l, i) => ({ ...JSON.parse(l), revision: i + 1 }));

/** Revisions of the sample's events that match, newest first (the UI's default order). */
const matching = (pred) => events.filter(pred).map((e) => e.revision).reverse();

let browser;
let context;
let page;
/** Console errors and page errors, with the URL they came from. */
const problems = [];
/** Responses a scenario provokes on purpose (e.g. a 400 for a q syntax error). */
const expectedFailures = [];

function expectFailure(status, urlPart) {
  expectedFailures.push({ status, urlPart });
}

function unexpected(problem) {
  const m = /status of (\d{3})/.exec(problem.text);
  if (problem.type === "console" && m) {
    const i = expectedFailures.findIndex((f) => String(f.status) === m[1] && problem.url.includes(f.urlPart));
    if (i >= 0) {
      expectedFailures.splice(i, 1);
      return false;
    }
  }
  return true;
}

async function api(method, path, body, headers = {}) {
  const res = await fetch(BASE + "/api/v1" + path, {
    method,
    headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const head = async () => (await api("GET", `/databases/${DB}`)).body.revision;

/** Loads a screen (a full page load) and waits for its heading. */
async function open(path) {
  await page.goto(BASE + "/ui" + path);
  await page.locator("main h1").waitFor();
}

/** Waits until the element with this test id shows a text matching `pattern`. */
async function until(testId, pattern) {
  await page.getByTestId(testId).filter({ hasText: pattern }).waitFor();
}

async function shot(name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** axe-core's WCAG 2 A/AA rules on the current screen; any violation fails the scenario. */
async function accessible(what) {
  if (!(await page.evaluate(() => "axe" in window))) {
    // evaluated through the DevTools protocol: the page's Content-Security-Policy (this origin's
    // scripts only) stays in force for everything else
    await page.evaluate(AXE);
  }
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] } });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
    }));
  });
  assert.deepEqual(violations, [], `accessibility violations on ${what}:\n${JSON.stringify(violations, null, 2)}`);
}

/** Nothing wider than the window, or than the content area, at a laptop size. */
async function fitsWidth(what) {
  const widths = await page.evaluate(() => {
    const main = document.querySelector("main");
    return [document.documentElement.scrollWidth, document.documentElement.clientWidth, main.scrollWidth, main.clientWidth];
  });
  assert.ok(widths[0] <= widths[1], `${what} is ${widths[0]}px wide in a ${widths[1]}px window`);
  assert.ok(widths[2] <= widths[3], `${what}'s content is ${widths[2]}px wide in a ${widths[3]}px area`);
}

async function checkScreen(name) {
  await fitsWidth(name);
  await accessible(name);
  await shot(name);
}

/** Replaces a CodeMirror editor's text as a user would: select all, type. */
async function setEditor(locator, text) {
  await locator.locator(".cm-content").click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(text);
}

async function status(testId) {
  return (await page.getByTestId(testId).textContent()).trim();
}

async function renderedRevisions() {
  return page.locator("tr.event-row").evaluateAll((rows) => rows.map((r) => Number(r.dataset.revision)));
}

/** Scrolls the events table to its end until every page is loaded. */
async function loadAll() {
  for (let i = 0; i < 50; i++) {
    if ((await status("events-status")).includes("all loaded")) return;
    await page.getByTestId("events-scroller").evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.waitForTimeout(100);
  }
  assert.fail("the events table never loaded every page: " + (await status("events-status")));
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; .ci/run does)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    colorScheme: "light",
    timezoneId: "UTC",
    locale: "en-US",
  });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE });
  page = await context.newPage();
  page.setDefaultTimeout(30000);
  page.on("console", (m) => {
    if (m.type() === "error") problems.push({ type: "console", text: m.text(), url: m.location().url ?? "" });
  });
  page.on("pageerror", (e) => problems.push({ type: "pageerror", text: String(e.stack ?? e), url: page.url() }));
});

after(async () => {
  await browser?.close();
});

describe("web UI", () => {
  test("/ redirects to the UI, which creates a database and deletes one after a typed confirmation", async () => {
    await page.goto(BASE + "/");
    assert.equal(new URL(page.url()).pathname, "/ui/");
    await page.getByRole("heading", { name: "Databases", exact: true }).waitFor();

    await page.getByLabel("Name", { exact: true }).fill("scratch");
    await page.getByRole("button", { name: "Create" }).click();
    await page.getByRole("heading", { name: /Overview of/ }).waitFor();
    assert.equal(new URL(page.url()).pathname, "/ui/databases/scratch");

    await open("/");
    await page.getByRole("button", { name: "Delete scratch" }).click();
    const dialog = page.getByRole("dialog");
    const confirm = dialog.getByRole("button", { name: "Delete database" });
    assert.equal(await confirm.isDisabled(), true, "deleting needs the typed name");
    await dialog.getByLabel(/Type scratch to confirm/).fill("scratc");
    assert.equal(await confirm.isDisabled(), true);
    await dialog.getByLabel(/Type scratch to confirm/).fill("scratch");
    await confirm.click();
    await page.getByText("Database scratch deleted.").waitFor();
    assert.equal((await api("GET", "/databases/scratch")).status, 404);

    await page.getByLabel("Name", { exact: true }).fill(DB);
    await page.getByRole("button", { name: "Create" }).click();
    await page.getByRole("heading", { name: /Overview of/ }).waitFor();
  });

  test("the upload screen bulk-loads samples/github-webhooks.ndjson and its progress reaches 329", async () => {
    await open(`/databases/${DB}/append`);
    await page.getByLabel("NDJSON file", { exact: true }).setInputFiles(SAMPLE);
    await page.getByText(`${events.length} events in`).waitFor();
    await page.getByRole("button", { name: "Load events" }).click();
    await page.getByTestId("upload-result").waitFor();
    const progress = page.getByTestId("upload-progress");
    assert.equal(await progress.getAttribute("value"), "329");
    assert.equal(await progress.getAttribute("max"), "329");
    assert.equal(await status("upload-status"), "329 of 329 events stored");
    assert.match(await status("upload-result"), /Stored 329 events, revisions 1–329/);
    assert.equal(await head(), 329);
    await checkScreen("append");
  });

  test("the databases screen lists the database with its event count and head revision", async () => {
    await open("/");
    const row = page.getByRole("row", { name: new RegExp(`^${DB} `) });
    await row.waitFor(); // the heading shows before the list has loaded
    const cells = await row.getByRole("cell").allTextContents();
    assert.equal(cells[0], DB);
    assert.equal(cells[1], "329");
    assert.equal(cells[2], "329");
    await checkScreen("databases");
  });

  test("filters by type and by subject prefix show exactly the sample's matching events, as deep links", async () => {
    const type = "com.github.deployment_status.created";
    const prefix = "deployments/";
    await open(`/databases/${DB}/events`);
    await until("events-status", /^100 events loaded, more below/);
    assert.deepEqual((await renderedRevisions()).slice(0, 5), [329, 328, 327, 326, 325]);
    await loadAll();
    assert.match(await status("events-status"), /^329 events, all loaded/);

    // by type
    await page.getByLabel("Type", { exact: true }).fill(type);
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL((u) => u.searchParams.get("type") === type);
    const byType = matching((e) => e.type === type);
    await until("events-status", new RegExp(`^${byType.length} events?, all loaded`));
    assert.deepEqual(await renderedRevisions(), byType);

    // and by subject prefix
    await page.getByLabel("Subject", { exact: true }).fill(prefix);
    await page.getByLabel("Subject match").selectOption("prefix");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL((u) => u.searchParams.get("subject_prefix") === prefix);
    const both = matching((e) => e.type === type && (e.subject ?? "").startsWith(prefix));
    assert.ok(both.length > 0 && both.length < byType.length, "the sample has some, not all, of them under deployments/");
    await until("events-status", new RegExp(`^${both.length} events?, all loaded`));
    assert.deepEqual(await renderedRevisions(), both);
    for (const cell of await page.locator("tr.event-row td:nth-child(4)").allTextContents()) {
      assert.ok(cell.startsWith(prefix), cell);
    }

    // the URL is the state: a reload shows the same rows
    const link = page.url();
    await page.goto(link);
    await until("events-status", new RegExp(`^${both.length} events?, all loaded`));
    assert.deepEqual(await renderedRevisions(), both);
    assert.equal(await page.getByLabel("Subject", { exact: true }).inputValue(), prefix);
    await checkScreen("events");

    // a subject prefix alone, oldest first: enough rows to be virtualised
    const many = "pulls/";
    const byPrefix = matching((e) => (e.subject ?? "").startsWith(many)).reverse();
    await open(`/databases/${DB}/events?subject_prefix=${encodeURIComponent(many)}&direction=forward`);
    await until("events-status", new RegExp(`^${byPrefix.length} events, all loaded`));
    const rendered = await renderedRevisions();
    assert.deepEqual(rendered.slice(0, 3), byPrefix.slice(0, 3));
    assert.ok(rendered.length < byPrefix.length, `only the rows in view are in the page (${rendered.length})`);
    await page.getByTestId("events-scroller").evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.waitForFunction((last) => document.querySelector(`tr.event-row[data-revision="${last}"]`), byPrefix.at(-1));
  });

  test("a q syntax error is shown at its column and a valid q filters", async () => {
    await open(`/databases/${DB}/events`);
    expectFailure(400, "/events?");
    await setEditor(page.getByTestId("editor-q"), "type = 'x' AND");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.getByTestId("q-error").waitFor();
    assert.match(await status("q-error"), /Column 15: expected .* but found end of input/);
    const marks = page.locator(".cm-lintRange-error, .cm-lintPoint-error");
    await marks.first().waitFor({ state: "attached" }); // marked in an effect after the message renders
    assert.equal(await marks.count(), 1, "the error is marked in the editor");
    await checkScreen("events-q-error");

    await setEditor(page.getByTestId("editor-q"), "subject LIKE 'pulls/%' AND type LIKE 'com.github.pull_request.%'");
    await page.keyboard.press("Enter");
    await page.waitForURL((u) => u.searchParams.has("q"));
    const expected = matching((e) => (e.subject ?? "").startsWith("pulls/") && e.type.startsWith("com.github.pull_request."));
    await until("events-status", new RegExp(`^${expected.length} events?, all loaded`));
    assert.equal(await page.getByTestId("q-error").count(), 0);
  });

  test("an event opens with its attributes, data, copy buttons and same-subject link", async () => {
    const e = events.find((x) => x.subject && x.type === "com.github.issues.opened");
    await open(`/databases/${DB}/events?type=${encodeURIComponent(e.type)}`);
    await page.getByRole("link", { name: `Event at revision ${e.revision}` }).click();
    await page.getByRole("heading", { name: `Event at revision ${e.revision}` }).waitFor();
    const attributes = page.getByRole("region", { name: "CloudEvents attributes" });
    for (const value of [e.id, e.source, e.type, e.subject]) {
      await attributes.getByText(value, { exact: true }).first().waitFor();
    }
    await page.getByRole("region", { name: "Event data" }).getByText(`"${e.data.action}"`).first().waitFor();
    await page.getByRole("button", { name: "Copy id" }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), e.id);
    await checkScreen("event-detail");

    await page.getByRole("link", { name: "Same subject" }).click();
    await page.waitForURL((u) => u.searchParams.get("subject") === e.subject);
    const sameSubject = matching((x) => x.subject === e.subject);
    await until("events-status", new RegExp(`^${sameSubject.length} events?, all loaded`));
    const rendered = await renderedRevisions();
    assert.deepEqual(rendered, sameSubject.slice(0, rendered.length));
  });

  test("time travel re-runs the query as known at revision 100 and as in effect at a time", async () => {
    await open(`/databases/${DB}/events`);
    await until("travel-status", `Latest: revision ${events.length}`);
    await page.getByLabel("Revision", { exact: true }).fill("100");
    await page.waitForURL((u) => u.searchParams.get("revision") === "100");
    await until("events-status", /read at revision 100/);
    assert.equal(await status("travel-status"), "As known at revision 100 of 329");
    assert.deepEqual((await renderedRevisions()).slice(0, 3), [100, 99, 98]);
    await loadAll();
    assert.match(await status("events-status"), /^100 events, all loaded/);
    await checkScreen("time-travel");

    await page.getByRole("button", { name: "Latest" }).click();
    await page.waitForURL((u) => !u.searchParams.has("revision"));
    const at = "2019-05-15T15:20:30";
    await page.getByLabel(/As in effect at/).fill(at);
    await page.getByRole("button", { name: "Apply", exact: true }).click();
    await page.waitForURL((u) => u.searchParams.get("as_of_effective_time") === at + ".000Z");
    const inEffect = matching((e) => Date.parse(e.time) <= Date.parse(at + "Z"));
    assert.ok(inEffect.length > 0 && inEffect.length < 100, "one page of the sample's events was in effect then");
    await until("events-status", new RegExp(`^${inEffect.length} events?, all loaded`));
    assert.deepEqual(await renderedRevisions(), inEffect.slice(0, (await renderedRevisions()).length));
  });

  test("the live tail shows an append, counts what arrives while paused and shows it on resume", async () => {
    const type = "ui.test.LiveTail";
    await open(`/databases/${DB}/live?type=${type}`);
    await page.getByTestId("live-status").getByText("Live").waitFor();
    const append = (id) =>
      api("POST", `/databases/${DB}/transactions`, {
        events: [{ specversion: "1.0", id, source: "https://ui.test/live", type, subject: "live-1" }],
      });
    const first = await append("live-a");
    assert.equal(first.status, 201);
    await page.getByTestId("live-count").getByText("1 event shown").waitFor();

    await page.getByRole("button", { name: "Pause" }).click();
    const second = await append("live-b");
    await page.getByTestId("missed").getByText("1 missed while paused").waitFor();
    assert.equal(await status("live-count"), "1 event shown, newest first");
    assert.deepEqual(await renderedRevisions(), [first.body.revision]);
    await checkScreen("live-tail");

    await page.getByRole("button", { name: "Resume" }).click();
    await page.getByTestId("live-count").getByText("2 events shown").waitFor();
    assert.deepEqual(await renderedRevisions(), [second.body.revision, first.body.revision]);
    assert.equal(await status("missed"), "");
  });

  test("a composed transaction is checked against its condition, appended, and refused the second time", async () => {
    await open(`/databases/${DB}/append`);
    const event = (id) =>
      JSON.stringify([{ specversion: "1.0", id, source: "https://shop.example/orders", type: "OrderPlaced", subject: "order-1", data: { total: 42 } }]);
    await setEditor(page.getByTestId("editor-events-json"), event("o-1"));
    await page.getByRole("button", { name: "Would the conditions pass now?" }).click();
    const report = page.getByTestId("condition-report");
    await report.getByText("every condition holds now").waitFor();
    assert.deepEqual(await report.locator("tbody td").allTextContents().then((c) => c.slice(1)), ["0", "✓ holds"]);

    await page.getByRole("button", { name: "Append transaction" }).click();
    await page.getByTestId("transaction-result").waitFor();
    const appended = await head();
    assert.match(await status("transaction-result"), new RegExp(`Appended 1 event, revisions ${appended}–${appended}`));

    await page.getByRole("button", { name: "Would the conditions pass now?" }).click();
    await report.getByText("some conditions would fail now").waitFor();
    assert.deepEqual(await report.locator("tbody td").allTextContents().then((c) => c.slice(1)), [String(appended), "✗ fails"]);
    await checkScreen("append-compose");

    expectFailure(409, "/transactions");
    await setEditor(page.getByTestId("editor-events-json"), event("o-1b"));
    await page.getByRole("button", { name: "Append transaction" }).click();
    const error = page.getByRole("alert").filter({ hasText: "condition_failed" });
    await error.waitFor();
    assert.equal(await error.getByRole("table", { name: "Failed conditions" }).locator("tbody td").nth(1).textContent(), String(appended));
    assert.equal(await head(), appended, "nothing was appended");
  });

  test("event data is shown by content type: text as text, binary as hex and base64", async () => {
    const appended = await api("POST", `/databases/${DB}/transactions`, {
      events: [
        { specversion: "1.0", id: "note-1", source: "https://ui.test/data", type: "NoteTaken", datacontenttype: "text/plain", data: "hello, world" },
        { specversion: "1.0", id: "blob-1", source: "https://ui.test/data", type: "BlobStored", datacontenttype: "application/octet-stream", data_base64: "AAECQUJD" },
      ],
    });
    assert.equal(appended.status, 201);
    const first = appended.body.first_revision;
    await open(`/databases/${DB}/events/${first}`);
    const data = page.getByRole("region", { name: "Data", exact: true });
    await data.getByText("Text (text/plain)").waitFor();
    await data.getByText("hello, world", { exact: true }).waitFor();
    await open(`/databases/${DB}/events/${first + 1}`);
    await data.getByText("Binary, 6 bytes (application/octet-stream)").waitFor();
    assert.match(await page.getByLabel("Data in hex").textContent(), /^00000000 {2}00 01 02 41 42 43 +\.\.\.ABC$/);
    await data.getByText("AAECQUJD", { exact: true }).waitFor();
    await accessible("binary event detail");
  });

  test("a WAT state view is published, read at two revisions and stepped through", async (t) => {
    if (!COUNTER_WASM) return t.skip("COUNTER_WASM not given");
    await open(`/databases/${DB}/components`);
    await page.getByRole("button", { name: "State view", exact: true }).click();
    await page.getByLabel("State view name").fill("event-count");
    await page.getByLabel("Description (optional)").fill("counts the events folded (guests/wat/counter.wat)");
    await page.getByLabel("Module (.wasm)").setInputFiles(COUNTER_WASM);
    await page.getByRole("button", { name: "Publish state view" }).click();
    await page.getByTestId("publish-result").getByText("Published event-count version 1").waitFor();
    await page.getByRole("link", { name: "event-count" }).waitFor();
    await checkScreen("state-views");

    await page.getByRole("link", { name: "event-count" }).click();
    await page.getByTestId("view-revision").waitFor();
    const now = await head();
    assert.equal(await status("view-revision"), String(now));
    assert.equal(await status("view-state"), String(now));

    await page.getByLabel("Revision", { exact: true }).fill("100");
    await page.waitForURL((u) => u.searchParams.get("revision") === "100");
    await page.getByTestId("view-revision").getByText("100", { exact: true }).waitFor();
    assert.equal(await status("view-state"), "100");

    await page.getByLabel("From revision").fill("1");
    await page.getByLabel("To revision").fill("5");
    await page.getByRole("button", { name: "Load steps" }).click();
    await page.getByTestId("fold-step").getByText("Step 1 of 5: revision 1").waitFor();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByTestId("fold-step").getByText("Step 3 of 5: revision 3").waitFor();
    await page.getByTestId("fold-after").getByText("3", { exact: true }).waitFor();
    await page.getByTestId("fold-before").getByText("2", { exact: true }).waitFor();
    await checkScreen("state-view");
  });

  test("a state change's command is dry-run (nothing appended) and then executed", async (t) => {
    if (!DECIDE_WASM) return t.skip("DECIDE_WASM not given");
    await open(`/databases/${DB}/components`);
    await page.getByRole("button", { name: "State change", exact: true }).click();
    await page.getByLabel("State change name").fill("echo");
    await page.getByLabel("Description (optional)").fill("decides what the command says (guests/wat/echo-decide.wat)");
    await page.getByLabel("Module (.wasm)").setInputFiles(DECIDE_WASM);
    await page.getByRole("button", { name: "Publish state change" }).click();
    await page.getByTestId("publish-result").getByText("Published echo version 1").waitFor();
    await page.getByRole("link", { name: "echo", exact: true }).click();
    await page.getByRole("heading", { name: "State change echo" }).waitFor();

    const decision = {
      events: [{ specversion: "1.0", id: randomUUID(), source: "https://ui.test/commands", type: "ShipmentBooked", subject: "shipment-1" }],
      conditions: [{ type: "max", revision: 0, selector: { type: "equals", attr: { subject: "shipment-1" } } }],
    };
    await setEditor(page.getByTestId("editor-command-body"), JSON.stringify(decision, null, 2));
    const before = await head();
    await page.getByRole("button", { name: "Dry run" }).click();
    const dry = page.getByTestId("dry-run-result");
    await dry.waitFor();
    assert.match(await dry.getByRole("status").textContent(), new RegExp(`basis revision ${before}: it would append 1 event, and every condition holds now`));
    assert.deepEqual(await dry.locator("tbody td").allTextContents().then((c) => c.slice(1)), ["0", "✓ holds"]);
    await dry.getByText('"ShipmentBooked"').waitFor();
    assert.equal(await head(), before, "a dry run appends nothing");
    await checkScreen("state-change-dry-run");

    await page.getByRole("button", { name: "Execute" }).click();
    const executed = page.getByTestId("execute-result");
    await executed.waitFor();
    assert.match(await executed.getByRole("status").textContent(), new RegExp(`Appended 1 event, revisions ${before + 1}–${before + 1}`));
    assert.equal(await head(), before + 1);
    const stored = (await api("GET", `/databases/${DB}/events/${before + 1}`)).body;
    assert.equal(stored.type, "ShipmentBooked");
    assert.equal(stored.statechange, "echo");

    await page.getByRole("button", { name: "Dry run" }).click();
    await dry.getByText("a condition fails now").waitFor();
    assert.deepEqual(await dry.locator("tbody td").allTextContents().then((c) => c.slice(1)), [String(before + 1), "✗ fails"]);
    await checkScreen("state-change");
  });

  test("the overview shows counts, a chart, the latest transactions and the server", async () => {
    await open(`/databases/${DB}`);
    const now = await head();
    assert.equal(await status("event-count"), String(now));
    await page.locator(".chart canvas").first().waitFor();
    const rows = page.getByRole("table", { name: "Latest transactions" }).locator("tbody tr");
    await rows.nth(2).waitFor(); // the table comes with a request of its own
    assert.ok((await rows.count()) >= 3);
    assert.equal(await rows.first().locator("td").first().textContent(), String(now));
    assert.match(await status("server-version"), /\d+\.\d+/);
    await checkScreen("overview");
  });

  test("dark theme: every screen passes the contrast rules too", async () => {
    await open(`/databases/${DB}/events`);
    await page.getByLabel("Colour theme").selectOption("dark");
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
    await checkScreen("events-dark");
    for (const path of ["/", `/databases/${DB}`, `/databases/${DB}/events/1`, `/databases/${DB}/append`, `/databases/${DB}/components`]) {
      await open(path);
      await fitsWidth(path);
      await accessible(`${path} (dark)`);
    }
    await open(`/databases/${DB}`);
    await shot("overview-dark");
    // "system" follows the browser's colour scheme
    await page.getByLabel("Colour theme").selectOption("system");
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "light");
    await page.emulateMedia({ colorScheme: "dark" });
    await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    await page.emulateMedia({ colorScheme: "light" });
  });

  test("the keyboard reaches the content first through the skip link", async () => {
    await open(`/databases/${DB}/events`);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
    await page.keyboard.press("Enter");
    assert.equal(new URL(page.url()).hash, "#main");
  });

  test("no console errors", () => {
    const left = problems.filter(unexpected);
    assert.deepEqual(left, [], "console errors:\n" + JSON.stringify(left, null, 2));
    assert.deepEqual(expectedFailures, [], "every provoked error was seen");
  });
});
