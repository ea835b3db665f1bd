// Order to shipment on the demo plant: the office enters a sales order for a
// customer with its lines imported from Excel (an item, a one-off part and
// an outsourced process), issues a work order for the item and an
// outsourcing purchase order for the rest, prints the purchase-order form,
// receives the goods, completes the work, and ships the order; the lists
// show the money the store computed at every step.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { By, Key, until } from "selenium-webdriver";
import { launch, outputDir, repoRoot, retryStale, stopTauriDriver } from "../harness.mjs";

const out = outputDir("08-sales");
const dataDir = path.join(out, "data");
const admin = { username: "admin", name: "김관리", password: "Line-sight-2026" };
const TIMEOUT = 20_000;

after(stopTauriDriver);

test("a sales order goes from entry through outsourcing and work to shipment", async () => {
  const app = await launch(dataDir, out);
  const { driver } = app;
  const waitFor = (id, within) =>
    driver.wait(
      retryStale(async () => {
        for (const scope of await driver.findElements(app.byTestId(within))) if ((await scope.findElements(app.byTestId(id))).length > 0) return true;
        return false;
      }),
      TIMEOUT,
      `no [data-testid=${id}] in ${within}`,
    );
  const { openScreen } = app;
  /** Clicks `id` once it takes clicks (a menu still sliding open refuses them). */
  const clickWhenReady = (id) =>
    driver.wait(
      retryStale(async () => {
        const [el] = await driver.findElements(app.byTestId(id));
        return el !== undefined && (await el.click().then(() => true, () => false));
      }),
      TIMEOUT,
      `[data-testid=${id}] never took a click`,
    );
  /** Waits until the table `id` lists exactly one row, which mentions `text`. */
  const oneRow = (id, text) =>
    driver.wait(
      retryStale(async () => {
        const rows = await (await app.find(id)).findElements(By.css("tbody tr.ant-table-row"));
        return rows.length === 1 && (await rows[0].getText()).includes(text);
      }),
      TIMEOUT,
      `${id} does not list only ${text}`,
    );
  /** Picks the partner named `name` in the picker opened by `field`. */
  const pickPartner = async (field, name) => {
    // A dialog still zooming in can swallow the click: click until the picker is there.
    await driver.wait(
      retryStale(async () => {
        const [search] = await driver.findElements(app.byTestId("partner-picker-search"));
        if (search !== undefined && (await search.isDisplayed())) return true;
        await (await app.find(`${field}-pick`)).click().catch(() => undefined);
        await driver.sleep(400);
        return false;
      }),
      TIMEOUT,
      `the partner picker of ${field} does not open`,
    );
    await app.type("partner-picker-search", name + Key.ENTER);
    await driver.wait(
      retryStale(async () => {
        // A picker closed earlier stays in the page, hidden: use the one on screen.
        for (const table of await driver.findElements(app.byTestId("partner-picker-table"))) {
          if (!(await table.isDisplayed())) continue;
          const rows = await table.findElements(By.css("tbody tr.ant-table-row"));
          if (rows.length !== 1 || !(await rows[0].getText()).includes(name)) return false;
          return (await rows[0].findElement(By.css("td"))).click().then(() => true, () => false);
        }
        return false;
      }),
      TIMEOUT,
      `partner ${name} not found`,
    );
    await app.waitForText(`${field}-name`, name);
  };
  try {
    await app.setUpAdmin(admin, { demoPlant: true });
    await app.click("menu-group-sales");
    await openScreen("salesOrder");
    await app.click("so-add");
    await app.type("so-name", "컨베이어 브래킷 1차 납품");
    await pickPartner("so-customer", "대성모터스");
    // The lines come from an Excel file in the layout the app exports.
    await driver.findElement(app.byTestId("so-lines-import-input")).sendKeys(path.join(repoRoot, "tests/fixtures/xlsx/order-lines.xlsx"));
    await app.waitForText("so-lines-total", "1,464,500");
    await app.screenshot("sales-order-entry");
    await app.click("so-save");
    await app.dialogsClosed();
    await waitFor("so-status-received", "so-table");
    const no = await app.text("so-no");
    assert.match(no, /^SO-\d{6}-\d{3}$/);
    await app.waitForText("so-totals", "1,464,500");
    // The customer's drawing goes with the order (도면등록).
    const drawing = path.join(out, "고객 도면 A-100.pdf");
    writeFileSync(drawing, "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n");
    await app.click("so-files");
    await (await driver.wait(until.elementLocated(By.css(".ant-upload input[type=file]")), TIMEOUT)).sendKeys(drawing);
    await app.waitForText("files-table", "고객 도면 A-100.pdf");
    await app.screenshot("order-drawing");
    await driver.findElement(By.css(".ant-modal-wrap .ant-modal-close")).click();
    await app.dialogsClosed();

    // A work order for the item line; the one-off line goes to a supplier.
    await app.click("so-issue");
    await app.click("so-issue-ok");
    await app.dialogsClosed();
    await waitFor("so-status-in_work", "so-table");
    await app.click("so-outsource");
    await pickPartner("po-supplier", "동방철강");
    // The line marked outsourced in the file is chosen; the one-off rail goes too, at its price.
    await app.type("po-price-3", "300000");
    const outsourceRows = await driver.findElements(By.css(".ant-modal-wrap .ant-table-tbody tr.ant-table-row"));
    await (await outsourceRows[0].findElement(By.css(".ant-checkbox-input"))).click();
    await app.click("so-outsource-ok");
    await app.dialogsClosed();
    await app.waitForText("so-totals", "1,070,000");
    await (await (await app.find("so-table")).findElement(By.css(".ant-table-row-expand-icon"))).click();
    await app.waitForText("so-lines-view", "PO-");
    await app.screenshot("sales-order-in-work");

    // Goods receipt of the outsourced line.
    await app.click("menu-group-purchasing");
    await openScreen("goodsReceipt");
    await app.type("po-search", no + Key.ENTER);
    await app.waitForText("po-totals", "1,177,000");
    // The purchase-order form, as the supplier will read it.
    await app.click("po-pdf");
    const exports = path.join(dataDir, "exports");
    const pdf = await driver.wait(
      async () => (existsSync(exports) ? readdirSync(exports).find((f) => f.endsWith(".pdf")) : undefined),
      TIMEOUT,
      "no purchase-order PDF was written",
    );
    const text = execFileSync("pdftotext", ["-layout", path.join(exports, pdf), "-"], { encoding: "utf8" });
    for (const expected of ["구매발주서", "동방철강", "(주)한결정밀", "특주 가이드 레일", "아연 도금 가공", "900,000", "1,070,000", "107,000", "1,177,000", "금 일백일십칠만칠천 원정", "승인"]) {
      assert.ok(text.includes(expected), `${expected} not in the PDF:\n${text}`);
    }
    execFileSync("pdftoppm", ["-r", "60", "-png", "-singlefile", path.join(exports, pdf), path.join(out, "purchase-order-form")]);
    await app.click("po-receive");
    await app.click("po-receive-ok");
    await app.dialogsClosed();
    // A received order leaves the list of orders to receive.
    await app.waitForText("po-totals", "0건");
    await app.screenshot("goods-receipt");

    // The work order is done (the office completes it), and with it the order.
    await app.click("menu-group-production");
    await openScreen("workOrders");
    await app.type("work-orders-search", no + Key.ENTER);
    await oneRow("work-orders-table", "BRK-1001");
    await clickWhenReady("wo-release");
    await waitFor("wo-status-in_work", "work-orders-table");
    await openScreen("productionResults");
    await app.choose("results-status", "작업중");
    await app.type("results-search", no + Key.ENTER);
    await oneRow("results-table", "BRK-1001");
    await clickWhenReady("wo-complete");
    await app.type("reason-text", "검사 완료 후 수량 확인");
    await app.click("reason-ok");
    await app.dialogsClosed();

    // Shipment (the sales menu is still open).
    await openScreen("shipments");
    const shipments = await app.find("shipments-table");
    await driver.wait(
      retryStale(async () => (await shipments.getText()).includes(no)),
      TIMEOUT,
      "the completed order is not waiting for shipment",
    );
    const row = await shipments.findElement(By.xpath(`.//tr[contains(., '${no}')]`));
    await (await row.findElement(By.css(".ant-checkbox-input"))).click();
    await app.screenshot("shipment");
    await app.click("shipments-ship");
    await driver.findElement(By.xpath("//div[contains(@class,'ant-segmented-item') and normalize-space()='출고 완료']")).click();
    await driver.wait(
      retryStale(async () => (await (await app.find("shipments-table")).getText()).includes(no)),
      TIMEOUT,
      "the order is not among the shipped",
    );
    await openScreen("salesOrder");
    await app.type("so-search", no + Key.ENTER);
    await waitFor("so-status-shipped", "so-table");
    await app.screenshot("sales-order-shipped");
  } catch (e) {
    await app.screenshot("failure");
    throw e;
  } finally {
    await app.quit();
  }
});
