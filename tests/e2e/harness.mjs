// Drives the real Linesight binary through tauri-driver and WebKitWebDriver,
// as a user would. Needs a display (the test command runs it under Xvfb).
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { inflateRawSync } from "node:zlib";
import { setTimeout as sleep } from "node:timers/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Builder, By, Key, error as wdError, until } from "selenium-webdriver";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, "../..");
/** The app built with the embedded front end (`cargo build --features custom-protocol`). */
export const appBinary = process.env.LINESIGHT_APP ?? path.join(repoRoot, "target/debug/linesight-app");
// On PATH (scripts/test.sh puts cargo's bin folder there), or as given.
const tauriDriver = process.env.TAURI_DRIVER ?? "tauri-driver";
const TIMEOUT = 15_000;

/** A fresh output folder per scenario: screenshots and the app's data dir. */
export function outputDir(scenario) {
  const dir = path.join(here, "output", scenario);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A wait condition that treats an element re-rendered under it as "not yet". */
export function retryStale(condition) {
  return async () => {
    try {
      return await condition();
    } catch (e) {
      if (e instanceof wdError.StaleElementReferenceError) return false;
      throw e;
    }
  };
}

/** Screenshots are numbered per folder, across relaunches of the app. */
const shotCounts = new Map();

let driverProcess = null;
let driverPort = 4444;

async function startTauriDriver() {
  if (driverProcess) return;
  driverPort = 4444 + Math.floor(Math.random() * 500);
  driverProcess = spawn(tauriDriver, ["--port", String(driverPort), "--native-port", String(driverPort + 1000)], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  driverProcess.on("exit", () => {
    driverProcess = null;
  });
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${driverPort}/status`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`tauri-driver did not start (${tauriDriver})`);
}

export function stopTauriDriver() {
  driverProcess?.kill();
  driverProcess = null;
}

/** Starts the app on `dataDir` and returns a session with helpers. */
export async function launch(dataDir, shotsDir) {
  await startTauriDriver();
  const driver = await new Builder()
    .usingServer(`http://127.0.0.1:${driverPort}/`)
    .withCapabilities({
      browserName: "wry",
      "tauri:options": { application: appBinary, args: ["--data-dir", dataDir] },
    })
    .build();
  const byTestId = (id) => By.css(`[data-testid="${id}"]`);
  const app = {
    driver,
    byTestId,
    /** Waits until the element is there and visible. */
    async find(id) {
      const el = await driver.wait(until.elementLocated(byTestId(id)), TIMEOUT, `no [data-testid=${id}]`);
      await driver.wait(until.elementIsVisible(el), TIMEOUT, `[data-testid=${id}] stays hidden`);
      return el;
    },
    /** Clicks once the element takes clicks (a toast or a closing overlay may cover it a moment). */
    async click(id) {
      await driver.wait(
        async () => {
          try {
            await (await app.find(id)).click();
            return true;
          } catch (e) {
            if (
              e instanceof wdError.ElementClickInterceptedError ||
              e instanceof wdError.ElementNotInteractableError ||
              e instanceof wdError.StaleElementReferenceError
            )
              return false;
            throw e;
          }
        },
        TIMEOUT,
        `[data-testid=${id}] never took a click`,
      );
    },
    /** Types into the input with this test id, or the one inside it (antd wraps some). */
    async type(id, text) {
      let el = await app.find(id);
      if (!["input", "textarea"].includes(await el.getTagName())) el = await el.findElement(By.css("input, textarea"));
      await el.sendKeys(Key.chord(Key.CONTROL, "a"), Key.BACK_SPACE);
      await el.sendKeys(text);
    },
    async text(id) {
      return (await app.find(id)).getText();
    },
    /** The number a Statistic shows (its last line). */
    async number(id) {
      const text = await app.text(id);
      return Number(text.split("\n").pop().replace(/[^0-9.]/g, ""));
    },
    /** Waits until the element's text contains `expected`. */
    async waitForText(id, expected) {
      await driver.wait(
        retryStale(async () => {
          const [el] = await driver.findElements(byTestId(id));
          return el !== undefined && (await el.getText()).includes(expected);
        }),
        TIMEOUT,
        `[data-testid=${id}] never showed "${expected}"`,
      );
    },
    /** Waits until every language switch on screen shows `label` as selected. */
    async languageSelected(label) {
      const css = '[data-testid="language-switch"] .ant-segmented-item-selected';
      await driver.wait(
        retryStale(async () => {
          const selected = await driver.findElements(By.css(css));
          const texts = await Promise.all(selected.map((el) => el.getText()));
          return texts.length > 0 && texts.every((t) => t === label);
        }),
        TIMEOUT,
        `the language switch never showed ${label}`,
      );
      await sleep(300); // let the switch's slide animation finish before a screenshot
    },
    /** Waits (up to 2 s) until no dialog, menu or list is still zooming, sliding or fading. */
    async settled() {
      const moving = By.css('[class*="-appear-active"], [class*="-enter-active"], [class*="-leave-active"]');
      await driver.wait(async () => (await driver.findElements(moving)).length === 0, 2_000).catch(() => undefined);
    },
    /** Saves a numbered screenshot of the window into the scenario's folder. */
    async screenshot(name) {
      // A dialog or menu still zooming or fading in would be caught half drawn.
      await app.settled();
      const shot = (shotCounts.get(shotsDir) ?? 0) + 1;
      shotCounts.set(shotsDir, shot);
      const file = path.join(shotsDir, `${String(shot).padStart(2, "0")}-${name}.png`);
      writeFileSync(file, await driver.takeScreenshot(), "base64");
      return file;
    },
    /**
     * Opens the screen `key` from the menu (its group already open): a menu
     * still sliding open can take a click elsewhere, and a toast or a closing
     * dialog may cover the tab a moment, so click until its tab is there.
     */
    async openScreen(key) {
      await driver.wait(
        retryStale(async () => {
          const [tab] = await driver.findElements(byTestId(`tab-${key}`));
          if (tab !== undefined && (await tab.isDisplayed())) return tab.click().then(() => true, () => false);
          const [item] = await driver.findElements(byTestId(`menu-${key}`));
          if (item !== undefined) await item.click().catch(() => undefined);
          await sleep(400);
          return false;
        }),
        TIMEOUT,
        `the ${key} screen does not open`,
      );
    },
    /** Creates the first administrator on a new install (an empty plant, or the demo plant) and signs in. */
    async setUpAdmin(admin, { demoPlant = false } = {}) {
      await app.type("setup-username", admin.username);
      await app.type("setup-display-name", admin.name);
      await app.type("setup-password", admin.password);
      await app.type("setup-confirm", admin.password);
      if (demoPlant) await app.click("setup-plant-demo");
      await app.click("setup-submit");
      await app.waitForText("auth-title", "로그인");
      await app.type("login-username", admin.username);
      await app.type("login-password", admin.password);
      await app.click("login-submit");
      await app.waitForText("header-user", admin.name);
    },
    /** Picks the option labelled `label` in the antd Select with this test id (closed lists stay in the page, hidden). */
    async choose(id, label) {
      await app.settled(); // a dialog still zooming in moves its fields under the click
      await app.click(id);
      await app.settled();
      const xpath = `//div[contains(@class,'ant-select-item-option') and normalize-space()='${label}']`;
      // A list still sliding in refuses clicks: try until one lands.
      await driver.wait(
        retryStale(async () => {
          for (const el of await driver.findElements(By.xpath(xpath))) {
            if (!(await el.isDisplayed())) continue;
            try {
              await el.click();
              return true;
            } catch (e) {
              if (e instanceof wdError.ElementNotInteractableError || e instanceof wdError.ElementClickInterceptedError) continue;
              throw e;
            }
          }
          return false;
        }),
        TIMEOUT,
        `no option "${label}" in ${id}`,
      );
      // …and the list closes before anything else is clicked.
      await driver.wait(
        retryStale(async () => {
          for (const el of await driver.findElements(By.css(".ant-select-dropdown"))) {
            if (await el.isDisplayed()) return false;
          }
          return true;
        }),
        TIMEOUT,
        `the list of ${id} stays open`,
      );
    },
    /** Waits until no dialog is open. */
    async dialogsClosed() {
      await driver.wait(
        retryStale(async () => {
          for (const el of await driver.findElements(By.css(".ant-modal-wrap"))) {
            if (await el.isDisplayed()) return false;
          }
          return true;
        }),
        TIMEOUT,
        "a dialog stays open",
      );
    },
    async quit() {
      await driver.quit();
    },
  };
  return app;
}

/** The text of every file inside a zip (an .xlsx), read through its central directory. */
export function zipText(file) {
  const buf = readFileSync(file);
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error(`${file} is not a zip`);
  const entries = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const texts = [];
  for (let i = 0; i < entries; i++) {
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 20);
    const local = buf.readUInt32LE(at + 42);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    texts.push((method === 8 ? inflateRawSync(data) : data).toString("utf8"));
    at += 46 + buf.readUInt16LE(at + 28) + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
  return texts.join("\n");
}
