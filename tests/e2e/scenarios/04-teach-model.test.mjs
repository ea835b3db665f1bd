// Teaching from the station: collect good parts from the running demo line,
// train a new model with a progress bar, activate it (the running station
// switches to it), then roll back to the shipped model. A screenshot per step.
import path from "node:path";
import { after, test } from "node:test";
import { By } from "selenium-webdriver";
import { launch, outputDir, retryStale, stopTauriDriver } from "../harness.mjs";

const out = outputDir("04-teach-model");
const dataDir = path.join(out, "data");
const admin = { username: "admin", name: "김관리", password: "Line-sight-2026" };

after(stopTauriDriver);

test("teach from the station: collect, train, activate, roll back", async () => {
  const app = await launch(dataDir, out);
  try {
    await app.setUpAdmin(admin);
    await app.click("menu-group-vision");
    await app.click("menu-inspectionMonitor");
    await app.click("monitor-start");
    await app.find("monitor-preview");

    await app.click("menu-models");
    await app.find("models-table");
    await app.waitForText("models-good-count", "0");
    await app.type("models-collect-count", "10");
    await app.click("models-collect");
    // Counters re-render as parts arrive: a stale element is a "not yet".
    await app.driver.wait(
      retryStale(async () => (await app.text("models-good-count")) === "10" && (await app.text("models-collecting")) === "0"),
      90_000,
      "ten good parts collected from the live line",
    );
    await app.screenshot("collected");

    await app.click("models-train");
    const taught = await app.driver.wait(
      async () => {
        const rows = await app.driver.findElements(By.css('[data-testid^="models-activate-station"]'));
        return rows[0] ?? null;
      },
      120_000,
      "the new model listed",
    );
    await app.screenshot("taught");
    const name = (await taught.getAttribute("data-testid")).replace("models-activate-", "");
    await taught.click();
    const table = await app.find("models-table");
    await app.driver.wait(
      retryStale(async () => (await table.findElements(By.xpath(`.//tr[td[contains(.,'${name}')]]//span[normalize-space()='사용 중']`))).length === 1),
      30_000,
      "the new model in use",
    );
    await app.screenshot("activated");

    // The running station now judges with the new model.
    await app.click("menu-inspectionMonitor");
    await app.driver.wait(
      retryStale(async () => (await app.driver.findElements(By.xpath("//*[contains(text(),'카메라 정상')]"))).length > 0),
      30_000,
      "the station runs again",
    );

    await app.click("menu-models");
    await app.click("models-roll-back");
    await app.driver.wait(
      retryStale(async () => {
        const [ok] = await app.driver.findElements(By.css(".ant-popconfirm .ant-btn-primary"));
        if (ok === undefined || !(await ok.isDisplayed())) return false;
        await ok.click();
        return true;
      }),
      10_000,
      "the roll-back confirmation",
    );
    await app.driver.wait(
      retryStale(
        async () =>
          (await table.findElements(By.xpath(".//tr[td[contains(.,'demo-washer')]]//span[normalize-space()='사용 중']"))).length === 1,
      ),
      30_000,
      "back on the shipped model",
    );
    await app.screenshot("rolled-back");

    await app.click("menu-inspectionMonitor");
    await app.click("monitor-stop");
    await app.find("monitor-start");
  } finally {
    await app.quit();
  }
});
