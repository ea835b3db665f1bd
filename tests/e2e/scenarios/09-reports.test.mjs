// What managers open every morning, on the demo plant's year of history:
// the dashboard (its counts open their lists), quality with its Pareto,
// p-chart and a drill-down to the parts behind a bar, OEE with its losses,
// the daily production report and its PDF, plan vs actual and the four
// monthly management screens with an Excel export, and the detector logs.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { By } from "selenium-webdriver";
import { launch, outputDir, retryStale, stopTauriDriver } from "../harness.mjs";

const out = outputDir("09-reports");
const dataDir = path.join(out, "data");
const admin = { username: "admin", name: "김관리", password: "Line-sight-2026" };
const TIMEOUT = 20_000;

after(stopTauriDriver);

test("managers read the dashboard, quality, OEE and management screens on the demo plant", async () => {
  const app = await launch(dataDir, out);
  const { driver } = app;
  /** Waits until the table `id` (in the visible tab) has at least `n` rows; returns them. */
  const rows = async (id, n = 1) => {
    let found = [];
    await driver.wait(
      retryStale(async () => {
        for (const table of await driver.findElements(app.byTestId(id))) {
          if (!(await table.isDisplayed())) continue;
          found = await table.findElements(By.css("tbody tr.ant-table-row"));
          if (found.length >= n) return true;
        }
        return false;
      }),
      TIMEOUT,
      `${id} never listed ${n} rows`,
    );
    return found;
  };
  /** The `n`th file the app wrote into its exports folder whose name ends with `ending`. */
  const exported = (ending, n = 1) =>
    driver.wait(
      async () => {
        const dir = path.join(dataDir, "exports");
        const names = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(ending)) : [];
        return names.length >= n && path.join(dir, names[n - 1]);
      },
      TIMEOUT,
      `no ${n} ${ending} files in the exports folder`,
    );
  try {
    await app.setUpAdmin(admin, { demoPlant: true });

    // The dashboard: this month, the line now, the year, an order's progress.
    await app.find("dashboard-screen");
    await app.find("dash-year-chart");
    const lines = await driver.findElements(By.css('[data-testid^="dash-line-"]'));
    assert.ok(lines.length >= 1, "a card per station");
    await rows("dash-progress-table");
    const inWork = Number((await app.text("dash-inWork")).match(/\d+/)?.[0]);
    assert.ok(inWork > 0, "the demo plant has orders in work");
    await driver.sleep(800); // let the charts finish their entry animation
    await app.screenshot("dashboard");
    // A count opens its list with the same filter.
    await app.click("dash-inWork");
    await app.find("tab-salesOrderList");
    await driver.wait(
      retryStale(async () => (await app.text("so-totals")).length > 0),
      TIMEOUT,
    );
    const listed = await rows("so-table");
    for (const row of listed) assert.ok((await row.findElements(app.byTestId("so-status-in_work"))).length === 1);
    await app.screenshot("orders-in-work");

    // Quality of the last 30 days, and the parts behind the worst item.
    await app.click("menu-group-quality");
    await app.openScreen("quality");
    const items = await rows("quality-item-table");
    assert.match(await app.text("quality-rate"), /\d+\.\d%/);
    await driver.sleep(800);
    await app.screenshot("quality");
    await driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", items[0]);
    await (await items[0].findElement(By.css("td"))).click();
    await rows("quality-drill-table");
    await app.screenshot("quality-drill-down");
    await driver.findElement(By.css(".ant-drawer-close")).click();
    await app.click("quality-pareto-export");
    assert.ok(await exported(".xlsx"));

    // OEE by machine, with what each lost.
    await app.openScreen("oee");
    const machines = await rows("oee-table");
    await (await machines[0].findElement(By.css(".ant-table-row-expand-icon"))).click();
    await app.find("oee-losses");
    await driver.sleep(800);
    await app.screenshot("oee");

    // Today's production report, on screen and as PDF.
    await app.click("menu-group-management");
    await app.openScreen("dailyReport");
    await rows("daily-table");
    await app.screenshot("daily-report");
    await app.click("daily-pdf");
    const pdf = await exported(".pdf");
    const text = execFileSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" });
    assert.ok(text.includes("일일 생산 보고서") && text.includes("합계") && text.includes("WO-"), text);
    execFileSync("pdftoppm", ["-r", "60", "-png", "-singlefile", pdf, path.join(out, "daily-report-pdf")]);

    await app.openScreen("planVsActual");
    await rows("plan-vs-actual-table");
    await driver.sleep(800);
    await app.screenshot("plan-vs-actual");

    for (const kind of ["monthlyOrders", "monthlyOutsourcing", "monthlyShipments", "cumulative"]) {
      await app.openScreen(kind);
      await rows(`${kind}-table`, 12);
      await driver.sleep(800);
      await app.screenshot(kind);
    }
    await app.click("cumulative-export");
    assert.ok(await exported(".xlsx", 2));

    // The detector logs open with a week by default and export.
    await app.click("menu-group-vision");
    for (const key of ["entranceLog", "fireLog"]) {
      await app.openScreen(key);
      await app.find(key === "entranceLog" ? "entrance-log-table" : "fire-log-table");
      await app.screenshot(key);
    }
    await app.click("fire-log-export");
    assert.ok(await exported(".xlsx", 3));
  } finally {
    await app.driver.quit();
  }
});
