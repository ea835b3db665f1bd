// The demo line's station: start it, watch the live view and the counters
// rise, open an NG part from the gallery with its heatmap, then find every
// verdict in the history and review an NG as a false alarm. A screenshot per step.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { By } from "selenium-webdriver";
import { launch, outputDir, retryStale, stopTauriDriver } from "../harness.mjs";

const out = outputDir("02-inspection-station");
const dataDir = path.join(out, "data");
const admin = { username: "admin", name: "김관리", password: "Line-sight-2026" };

after(stopTauriDriver);

test("inspection station: start the demo line, see parts judged, open an NG part", async () => {
  const app = await launch(dataDir, out);
  try {
    await app.setUpAdmin(admin);

    // A new install has the demo line; open its monitor and start it.
    await app.click("menu-group-vision");
    await app.click("menu-inspectionMonitor");
    await app.find("monitor-start");
    assert.equal(await app.number("monitor-total"), 0);
    await app.screenshot("monitor-stopped");
    await app.click("monitor-start");

    // The live view runs and parts are judged one by one.
    await app.find("monitor-preview");
    await app.waitForText("monitor-camera", "카메라 정상");
    await app.driver.wait(async () => (await app.number("monitor-total")) >= 3, 60_000, "three parts judged");
    await app.find("monitor-last-verdict");
    await app.screenshot("monitor-running");

    // One in six demo parts is defective: wait for an NG, then open it.
    // An NG part's heatmap lies over the live view until the next part is judged.
    await app.driver.wait(
      async () => (await app.driver.findElements(app.byTestId("monitor-heatmap"))).length > 0,
      120_000,
      "an NG part's heatmap on the live view",
    );
    await app.screenshot("monitor-ng");
    assert.ok((await app.number("monitor-ng")) >= 1);
    const gallery = await app.find("monitor-gallery");
    await (await gallery.findElement(By.css("button"))).click();
    await app.find("evidence-heatmap");
    await app.screenshot("ng-detail");
    await app.driver.findElement(By.css(".ant-modal-close")).click();
    await app.dialogsClosed();

    await app.click("monitor-stop");
    await app.find("monitor-start");
    const total = await app.number("monitor-total");
    assert.ok(total >= 4, `${total} parts judged`);

    // The history lists every stored verdict; an NG is reviewed as a false alarm.
    await app.click("menu-defectLog");
    const table = await app.find("history-table");
    await app.driver.wait(
      retryStale(async () => (await table.findElements(By.css("tbody tr.ant-table-row"))).length === total),
      15_000,
      "one history row per judged part",
    );
    const review = await table.findElement(By.xpath(".//button[normalize-space()='오검출']"));
    await review.click();
    await app.driver.wait(
      async () => (await table.findElements(By.xpath(".//span[contains(@class,'ant-tag') and normalize-space()='오검출']"))).length === 1,
      10_000,
      "the review shows on its row",
    );
    assert.ok((await table.findElements(app.byTestId("history-thumbnail"))).length >= 1, "thumbnails of kept images");
    await app.screenshot("history-reviewed");

    // The whole list goes to an Excel file (a test's data dir keeps its exports).
    await app.click("history-export");
    await app.driver.wait(
      async () => (await app.driver.findElements(By.xpath("//*[contains(text(),'저장했습니다')]"))).length > 0,
      20_000,
      "the export is saved",
    );
    const exports = path.join(dataDir, "exports");
    const [file] = readdirSync(exports);
    assert.match(file, /^검사이력_\d{8}_\d{6}\.xlsx$/);
    assert.equal(readFileSync(path.join(exports, file)).subarray(0, 2).toString(), "PK");
  } finally {
    await app.quit();
  }
});
