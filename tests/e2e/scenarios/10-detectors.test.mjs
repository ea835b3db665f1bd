// The flow and safety detectors as a plant uses them: a manager draws a
// counting line across the demo conveyor on the live view and watches the
// count rise; a watch camera set up on a recorded fire (written by
// `linesight video fire`) raises the fire alarm, which is acknowledged; then
// the entrance, defect and fire logs list what happened, with snapshots.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { By, until } from "selenium-webdriver";
import { launch, outputDir, repoRoot, retryStale, stopTauriDriver } from "../harness.mjs";

const out = outputDir("10-detectors");
const dataDir = path.join(out, "data");
const admin = { username: "admin", name: "김관리", password: "Line-sight-2026" };
const watchCamera = "도장 부스 감시";
const cli = process.env.LINESIGHT_CLI ?? path.join(repoRoot, "target/debug/linesight");

after(stopTauriDriver);

/** Rows of the displayed table with this test id. */
async function rows(app, id) {
  const table = await app.find(id);
  return table.findElements(By.css("tbody tr.ant-table-row"));
}

test("a counting line drawn on the live view counts parts, a fire raises an alarm, and the logs show both", async () => {
  mkdirSync(path.join(dataDir, "recordings"), { recursive: true });
  execFileSync(cli, ["video", "fire", "--out", path.join(dataDir, "recordings", "fire.mjpeg")]);
  const app = await launch(dataDir, out);
  try {
    await app.setUpAdmin(admin);

    // Start the demo line and draw a line across the belt: top to bottom, through the middle.
    await app.click("menu-group-vision");
    await app.click("menu-inspectionMonitor");
    await app.click("monitor-start");
    await app.find("monitor-preview");
    await app.click("monitor-draw-line");
    await app.find("monitor-draw-help");
    const overlay = await app.find("monitor-overlay");
    const { height } = await overlay.getRect();
    // Pointer offsets are from the element's centre.
    for (const dy of [-0.42 * height, 0.42 * height]) {
      await app.driver.actions().move({ origin: overlay, x: 0, y: Math.round(dy) }).click().perform();
    }
    await app.find("counting-line");
    await app.driver.wait(
      retryStale(async () => (await app.number("monitor-up")) + (await app.number("monitor-down")) >= 3),
      60_000,
      "three parts counted across the line",
    );
    await app.screenshot("counting-line");
    const counted = (await app.number("monitor-up")) + (await app.number("monitor-down"));
    await app.click("monitor-stop");
    await app.find("monitor-start");

    // A watch camera on a recorded fire: no part inspection (manual trigger), fire watch on.
    await app.openScreen("stations");
    await app.click("station-add");
    await app.type("station-name", watchCamera);
    await app.driver.findElement(By.xpath("//label[.//span[normalize-space()='녹화 파일']]")).click();
    await app.choose("station-recording", "fire.mjpeg");
    await app.driver.findElement(By.xpath("//div[@data-testid='station-trigger']//label[.//span[normalize-space()='수동']]")).click();
    // The dialog may still be sliding in: tick until the place field opens.
    const firePlace = await app.driver.findElement(By.css("[data-testid=station-firePlace]"));
    await app.driver.wait(async () => {
      if (await firePlace.isEnabled()) return true;
      const tick = By.xpath("//label[contains(@class,'ant-checkbox-wrapper')][.//span[contains(text(),'화재·연기 감지')]]");
      await (await app.driver.findElement(tick)).click().catch(() => undefined);
      return firePlace.isEnabled();
    }, 10_000, "the fire watch ticked");
    await app.type("station-firePlace", "도장 부스");
    await app.screenshot("watch-camera-form");
    await app.click("station-save");
    await app.dialogsClosed();

    await app.openScreen("inspectionMonitor");
    await app.choose("monitor-station", watchCamera);
    await app.click("monitor-start");
    await app.find("monitor-preview");
    const ack = await app.driver.wait(async () => {
      const [b] = await app.driver.findElements(app.byTestId("monitor-acknowledge"));
      return b !== undefined && (await b.isDisplayed()) ? b : null;
    }, 60_000, "the fire alarm");
    const dialog = await ack.findElement(By.xpath("./ancestor::div[@role='dialog'][1]"));
    assert.match(await dialog.getText(), /화재 알람/);
    assert.match(await dialog.getText(), /도장 부스/);
    // Whatever screen is open, a notice stays until closed or acknowledged.
    const notice = await app.driver.wait(
      until.elementLocated(By.xpath("//div[contains(@class,'ant-notification-notice')][contains(.,'화재 알람')]")),
      10_000,
      "the fire notice",
    );
    assert.match(await notice.getText(), /도장 부스/);
    await app.screenshot("fire-alarm");
    await ack.click();
    await app.dialogsClosed();
    // Acknowledged on the monitor, the notice goes too.
    await app.driver.wait(until.stalenessOf(notice), 10_000, "the fire notice closes");
    await app.click("monitor-stop");
    await app.find("monitor-start");

    // The entrance log: one row per counted part, each with its snapshot.
    await app.openScreen("entranceLog");
    await app.driver.wait(
      retryStale(async () => (await rows(app, "entrance-log-table")).length >= counted),
      15_000,
      "a row per counted part",
    );
    await app.driver.wait(
      async () => (await app.driver.findElements(By.css("[data-testid=entrance-log-table] [data-testid=event-snapshot]"))).length > 0,
      15_000,
      "snapshots in the entrance log",
    );
    await app.screenshot("entrance-log");

    // The defect log (물건 감지 로그) holds the demo line's verdicts.
    await app.openScreen("defectLog");
    await app.driver.wait(retryStale(async () => (await rows(app, "history-table")).length > 0), 15_000, "verdicts listed");
    await app.screenshot("defect-log");

    // The fire log: the fire at 도장 부스, its snapshot, and who acknowledged it.
    await app.openScreen("fireLog");
    await app.driver.wait(
      retryStale(async () => {
        for (const row of await rows(app, "fire-log-table")) {
          const text = await row.getText();
          if (text.includes("화재") && text.includes("도장 부스") && text.includes(admin.name)) return true;
        }
        return false;
      }),
      15_000,
      "the fire with its place and who acknowledged it",
    );
    await app.driver.wait(
      async () => (await app.driver.findElements(By.css("[data-testid=fire-log-table] [data-testid=event-snapshot]"))).length > 0,
      15_000,
      "the fire's snapshot",
    );
    await app.screenshot("fire-log");
  } finally {
    await app.quit();
  }
});
