// The floor's day on the demo plant: the office plans a work order along an
// item's routing and releases it; an operator signs in at the terminal with
// badge and PIN, starts the first operation, pauses it with a reason,
// resumes, reports 10 good and 2 NG with a defect code and finishes; the
// other operations finish too; the office sees it all in production results
// and the order has completed by itself. Then the stop, the lot and plan vs
// actual are on their screens.
import assert from "node:assert/strict";
import path from "node:path";
import { after, test } from "node:test";
import { By, Key } from "selenium-webdriver";
import { launch, outputDir, retryStale, stopTauriDriver } from "../harness.mjs";

const out = outputDir("07-production");
const dataDir = path.join(out, "data");
const admin = { username: "admin", name: "김관리", password: "Line-sight-2026" };
const TIMEOUT = 20_000;

after(stopTauriDriver);

test("a work order runs on the terminal and completes in production results", async () => {
  const app = await launch(dataDir, out);
  const { driver } = app;
  /** Waits until an element with test id `id` exists inside the one with test id `within` (or anywhere). */
  const waitFor = (id, within = null) =>
    driver.wait(
      retryStale(async () => {
        const scopes = within === null ? [driver] : await driver.findElements(app.byTestId(within));
        for (const scope of scopes) if ((await scope.findElements(app.byTestId(id))).length > 0) return true;
        return false;
      }),
      TIMEOUT,
      `no [data-testid=${id}]${within ? ` in ${within}` : ""}`,
    );
  try {
    await app.setUpAdmin(admin, { demoPlant: true });

    // The office plans a work order for 브래킷 A and releases it.
    await app.click("menu-group-production");
    await app.click("menu-workOrders");
    await app.click("wo-add");
    await app.choose("wo-item", "BRK-1001 브래킷 A");
    await waitFor("wo-plan-date-2");
    await app.type("wo-quantity", "12");
    await app.screenshot("work-order-planned");
    await app.click("wo-save");
    await app.dialogsClosed();
    const table = "work-orders-table";
    await driver.wait(
      retryStale(async () => (await (await app.find(table)).findElements(By.css("tbody tr.ant-table-row"))).length === 1),
      TIMEOUT,
      "the saved order is not the one row listed",
    );
    const no = await app.text("wo-no");
    assert.match(no, /^WO-\d{6}-\d{3}$/);
    await waitFor("wo-status-planned", table);
    await app.click("wo-release");
    await waitFor("wo-status-in_work", table);
    await app.screenshot("work-order-released");

    // The operator gets a badge; the office signs out.
    await app.click("menu-group-master");
    await app.click("menu-users");
    await app.click("user-badge-operator1");
    await app.type("badge-number", "B-2001");
    await app.type("badge-pin", "2468");
    await app.click("badge-save");
    await app.dialogsClosed();
    await app.click("logout");

    // At the terminal: badge and PIN; the terminal is the operator's first screen.
    await app.click("login-with-badge");
    await app.type("login-badge", "B-2001");
    await app.type("login-pin", "2468");
    await app.click("login-badge-submit");
    await app.waitForText("header-user", "김작업");
    await app.find("terminal-screen");

    /** Opens the work centre whose list holds the order's operation `seq`, and selects it. */
    const openOperation = async (seq) => {
      const card = `terminal-op-${no}-${seq}`;
      await driver.wait(
        retryStale(async () => {
          for (const center of await driver.findElements(By.css('[data-testid^="terminal-center-"]'))) {
            // A button still settling after a reload refuses the click: the next round tries again.
            if (!(await center.click().then(() => true, () => false))) return false;
            await driver.sleep(300);
            if ((await driver.findElements(app.byTestId(card))).length > 0) return true;
          }
          return false;
        }),
        TIMEOUT,
        `operation ${seq} of ${no} is on no work centre`,
      );
      await app.click(card);
    };
    const panel = "terminal-panel";

    await openOperation(1);
    await app.screenshot("terminal-operation");
    await app.click("terminal-start");
    await waitFor("op-status-running", panel);
    await app.click("terminal-pause");
    await app.click("pause-reason-S-MAT");
    await waitFor("op-status-paused", panel);
    await app.screenshot("terminal-paused");
    await app.click("terminal-resume");
    await waitFor("op-status-running", panel);
    await app.click("terminal-finish");
    await app.type("qty-good", "10");
    await app.type("qty-ng", "2");
    // The defect counts must add up to NG before the report can go.
    assert.equal(await (await app.find("qty-confirm")).isEnabled(), false);
    await app.click("qty-defect-D-DNT-plus");
    await app.click("qty-defect-D-DNT-plus");
    await app.waitForText("qty-defect-sum", "2 / ");
    await app.type("qty-materials", "HEAT-E2E-0042");
    await app.screenshot("terminal-finish");
    await app.click("qty-confirm");
    await app.dialogsClosed();

    // The rest of the routing, with what the plan says.
    for (const seq of [2, 3]) {
      await openOperation(seq);
      await app.click("terminal-start");
      await waitFor("op-status-running", panel);
      await app.click("terminal-finish");
      await app.click("qty-confirm");
      await app.dialogsClosed();
    }
    await app.click("logout");

    // The office: production results show each operation and the completed order.
    await app.type("login-username", admin.username);
    await app.type("login-password", admin.password);
    await app.click("login-submit");
    await app.waitForText("header-user", admin.name);
    await app.click("menu-group-production");
    await app.click("menu-productionResults");
    await app.type("results-search", no + Key.ENTER);
    await app.choose("results-status", "작업완료");
    await waitFor("wo-status-completed", "results-table");
    const results = await app.find("results-table");
    await (await results.findElement(By.css("tbody tr.ant-table-row .ant-table-row-expand-icon"))).click();
    await waitFor("wo-operations", "results-table");
    const ops = await results.findElement(app.byTestId("wo-operations"));
    await driver.wait(
      retryStale(async () => (await ops.getText()).includes(`${no}-01`)),
      TIMEOUT,
      "the first operation's lot is not in the results",
    );
    const text = await ops.getText();
    assert.ok(text.includes("김작업"), "the operator is named");
    const first = await ops.findElement(By.css("tbody tr.ant-table-row"));
    const cells = await Promise.all((await first.findElements(By.css("td"))).map((c) => c.getText()));
    assert.deepEqual(cells.slice(9, 12), ["12", "10", "2"], "planned, good and NG of the first operation");
    await app.screenshot("production-results");

    // The stop with its reason, the lot's genealogy, plan vs actual.
    await app.click("menu-downtime");
    await app.waitForText("downtime-table", "자재 대기");
    await app.screenshot("downtime");
    await app.click("menu-lots");
    await app.type("lots-search", "HEAT-E2E-0042" + Key.ENTER);
    const lots = await app.find("lots-table");
    await driver.wait(
      retryStale(async () => {
        const rows = await lots.findElements(By.css("tbody tr.ant-table-row"));
        return rows.length === 1 && (await rows[0].getText()).includes(`${no}-01`);
      }),
      TIMEOUT,
      "the lot is not found by its material",
    );
    await (await lots.findElement(By.css("tbody tr.ant-table-row td"))).click();
    await app.waitForText("lot-trace-no", `${no}-01`);
    await app.waitForText("lot-forward", `${no}-02`);
    await app.waitForText("lot-backward", "HEAT-E2E-0042");
    await app.screenshot("lot-trace");
    await app.click("menu-group-management");
    await app.click("menu-planVsActual");
    await app.waitForText("plan-vs-actual-table", "김작업");
    await app.screenshot("plan-vs-actual");
  } finally {
    await app.quit();
  }
});
