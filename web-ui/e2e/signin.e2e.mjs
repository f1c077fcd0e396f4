// The web UI's sign-in in headless Chromium, against a server with security on
// (WebUiSignInBrowserTest starts it with one admin key, given here as EVIDENTSOURCE_KEY):
//
//   EVIDENTSOURCE_URL=http://127.0.0.1:8080 EVIDENTSOURCE_KEY=... node --test e2e/signin.e2e.mjs
//
// The first API call answers 401, the UI asks for a key, a wrong key is refused in the form, the
// right one opens a session whose cookie scripts cannot read and other sites' requests do not
// carry (HttpOnly, SameSite=Strict), and signing out ends it.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";

const BASE = (process.env.EVIDENTSOURCE_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");
const KEY = process.env.EVIDENTSOURCE_KEY;
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

let browser;
let context;
let page;

// `npm run e2e` against a server without keys has nothing to sign in to; WebUiSignInBrowserTest
// always sets the key
const SKIP = KEY ? false : "EVIDENTSOURCE_KEY is not set: this needs a server with security on";

before(async () => {
  if (SKIP) return;
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; .ci/run does)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
  page = await context.newPage();
  page.setDefaultTimeout(30000);
  const created = await fetch(BASE + "/api/v1/databases", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: "Bearer " + KEY },
    body: JSON.stringify({ name: "signin-db" }),
  });
  assert.equal(created.status, 201, await created.text());
});

after(async () => {
  await browser?.close();
});

describe("sign-in", { skip: SKIP }, () => {
  test("the UI asks for a key, refuses a wrong one and shows the databases with the right one", async () => {
    await page.goto(BASE + "/ui/");
    const dialog = page.getByRole("dialog", { name: "Sign in" });
    await dialog.waitFor({ state: "visible" });
    await dialog.getByLabel("API key").fill("not-the-key");
    await dialog.getByRole("button", { name: "Sign in" }).click();
    await dialog.getByText("the API key is not known to this server").waitFor();
    await dialog.getByLabel("API key").fill(KEY);
    await dialog.getByRole("button", { name: "Sign in" }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.getByText("signin-db").first().waitFor();
    await page.getByText("Signed in as").waitFor();
  });

  test("the session cookie is HttpOnly and SameSite=Strict, and the key is nowhere in the page", async () => {
    const cookies = await context.cookies(BASE);
    const session = cookies.find((c) => c.name === "EVIDENTSOURCE_SESSION");
    assert.ok(session, "no session cookie: " + JSON.stringify(cookies));
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, "Strict");
    assert.ok(!session.value.includes(KEY));
    const visible = await page.evaluate(() => document.cookie + JSON.stringify(localStorage) + JSON.stringify(sessionStorage));
    assert.ok(!visible.includes("EVIDENTSOURCE_SESSION"), visible);
    assert.ok(!visible.includes(KEY), "the key is readable by scripts");
    assert.ok(!(await page.content()).includes(KEY), "the key is in the page");
  });

  test("signing out ends the session: the UI asks for a key again", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("dialog", { name: "Sign in" }).waitFor({ state: "visible" });
    const cookies = await context.cookies(BASE);
    const session = cookies.find((c) => c.name === "EVIDENTSOURCE_SESSION");
    if (session) {
      const answer = await page.evaluate(async () => (await fetch("/api/v1/session")).status);
      assert.equal(answer, 401);
    }
  });
});
