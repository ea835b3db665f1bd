// Setting a station up in the app: a second station on the demo conveyor,
// a region outside the frame refused with a message in Korean, then saved
// to stop the line at the first NG; on the monitor that NG raises the
// stop-the-line alarm, which the operator acknowledges. A screenshot per step.
import assert from "node:assert/strict";
import path from "node:path";
import { after, test } from "node:test";
import { By } from "selenium-webdriver";
import { launch, outputDir, stopTauriDriver } from "../harness.mjs";

const out = outputDir("03-station-settings");
const dataDir = path.join(out, "data");
const admin = { username: "admin", name: "김관리", password: "Line-sight-2026" };
const name = "검사대 2";

after(stopTauriDriver);

test("station settings: add a station, refuse a bad region, stop the line at the first NG and acknowledge", async () => {
  const app = await launch(dataDir, out);
  try {
    await app.setUpAdmin(admin);
    await app.click("menu-group-vision");
    await app.click("menu-stations");
    const table = await app.find("stations-table");
    await app.driver.wait(
      async () => (await table.findElements(By.css("tbody tr.ant-table-row"))).length === 1,
      10_000,
      "the demo line is listed",
    );
    await app.screenshot("stations");

    // A new station starts from the demo line's settings.
    await app.click("station-add");
    await app.type("station-name", name);
    await app.type("station-stop-after-ng", "1");
    // The region runs past the 640 px wide frame: the Rust side refuses it.
    await app.type("station-roi-x", "600");
    await app.click("station-save");
    await app.driver.wait(
      async () =>
        (await app.driver.findElements(By.xpath("//*[contains(text(),'검사 영역은 640 × 360 영상 안에 있어야 합니다.')]"))).length > 0,
      10_000,
      "the region error in Korean",
    );
    await app.screenshot("region-refused");
    await app.type("station-roi-x", "192");
    await app.screenshot("station-form");
    await app.click("station-save");
    await app.dialogsClosed();
    await app.driver.wait(
      async () => (await table.findElements(By.css("tbody tr.ant-table-row"))).length === 2,
      10_000,
      "two stations listed",
    );
    const row = await table.findElement(By.xpath(`.//tr[contains(@class,'ant-table-row')][td[normalize-space()='${name}']]`));
    assert.match(await row.getText(), /데모 컨베이어/);
    await app.screenshot("stations-two");

    // On the monitor, the first NG of the new station stops the line.
    await app.click("menu-inspectionMonitor");
    await app.choose("monitor-station", name);
    await app.click("monitor-start");
    await app.find("monitor-preview");
    const ack = await app.driver.wait(async () => {
      const [b] = await app.driver.findElements(app.byTestId("monitor-acknowledge"));
      return b !== undefined && (await b.isDisplayed()) ? b : null;
    }, 120_000, "the stop-the-line alarm");
    await app.screenshot("stop-the-line");
    await ack.click();
    await app.dialogsClosed();
    const ng = await app.number("monitor-ng");
    assert.ok(ng >= 1, `${ng} NG counted`);
    await app.screenshot("acknowledged");
    await app.click("monitor-stop");
    await app.find("monitor-start");
  } finally {
    await app.quit();
  }
});
