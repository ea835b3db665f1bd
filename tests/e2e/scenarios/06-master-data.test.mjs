// Master data as the office keeps it: the administrator adds a manager and
// an operator; the operator cannot open master data; the manager adds a
// partner, has a bad Excel import refused with its report of every bad
// row, imports a good one, and adds an item with a routing.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { By, Key, until } from "selenium-webdriver";
import { launch, outputDir, repoRoot, stopTauriDriver } from "../harness.mjs";

const out = outputDir("06-master-data");
const dataDir = path.join(out, "data");
const fixtures = path.join(repoRoot, "tests/fixtures/xlsx");
const admin = { username: "admin", name: "김관리", password: "Line-sight-2026" };
const password = "Office-pass-2026";

after(stopTauriDriver);

/** The rows a master table shows. */
async function tableRows(app, id) {
  return (await app.find(id)).findElements(By.css("tbody tr.ant-table-row"));
}

async function waitForRows(app, id, count, what) {
  await app.driver.wait(async () => (await tableRows(app, id)).length === count, 10_000, what);
}

/** Closes the dialog on screen with its × button. */
async function closeDialog(app) {
  const close = await app.driver.wait(until.elementLocated(By.css(".ant-modal-wrap:not([style*='display: none']) .ant-modal-close")), 10_000);
  await app.driver.wait(until.elementIsVisible(close), 10_000);
  await close.click();
}

async function signIn(app, username, pass, name) {
  await app.type("login-username", username);
  await app.type("login-password", pass);
  await app.click("login-submit");
  await app.waitForText("header-user", name);
}

test("the office keeps partners, items and routings; operators cannot", async () => {
  const app = await launch(dataDir, out);
  try {
    await app.setUpAdmin(admin);
    await app.click("menu-group-master");
    await app.click("menu-users");
    for (const [role, label, name] of [
      ["manager", "사무 관리자", "박사무"],
      ["operator", "작업자", "최작업"],
    ]) {
      await app.click("user-add");
      await app.type("user-username", role);
      await app.type("user-display-name", name);
      await app.choose("user-role", label);
      await app.type("user-password", password);
      await app.click("user-save");
      await app.dialogsClosed();
    }
    await app.click("logout");

    // The operator has no master-data menu, and the store refuses the call itself.
    await signIn(app, "operator", password, "최작업");
    assert.equal((await app.driver.findElements(app.byTestId("menu-group-master"))).length, 0);
    const code = await app.driver.executeAsyncScript(
      `const done = arguments[arguments.length - 1];
       window.__TAURI_INTERNALS__.invoke("list_partners", { query: { search: null, sort: null, descending: false,
         includeInactive: false, parentId: null, offset: 0, limit: 10 } }).then(() => done("ok"), (e) => done(e.code));`,
    );
    assert.equal(code, "forbidden");
    await app.screenshot("operator-menu");
    await app.click("logout");

    // The manager adds a partner.
    await signIn(app, "manager", password, "박사무");
    await app.click("menu-group-master");
    await app.click("menu-partners");
    await app.click("partners-add");
    await app.choose("partners-kind", "공급처");
    await app.type("partners-name", "대한정밀");
    await app.type("partners-bizNo", "220-81-62518"); // wrong check digit first
    await app.type("partners-ceo", "김대표");
    await app.type("partners-phone", "02-555-0101");
    await app.click("partners-save");
    await app.driver.wait(
      until.elementLocated(By.xpath("//*[contains(@class,'ant-message')]//*[contains(normalize-space(),'사업자등록번호가 올바르지 않습니다')]")),
      10_000,
      "the wrong business number is refused in Korean",
    );
    await app.type("partners-bizNo", "220-81-62517");
    await app.click("partners-save");
    await app.dialogsClosed();
    await waitForRows(app, "partners-table", 1, "the partner is listed");
    await app.waitForText("partners-table", "220-81-62517");

    // A file with bad rows is refused whole, with every bad row named.
    await (await app.driver.findElement(app.byTestId("partners-import-input"))).sendKeys(path.join(fixtures, "partners-bad.xlsx"));
    await app.waitForText("partners-import-report", "3행: 이름을 입력하세요.");
    const report = await app.text("partners-import-report");
    assert.match(report, /4행: 사업자등록번호가 올바르지 않습니다/);
    assert.match(report, /5행: 같은 사업자등록번호가 이미 있습니다/);
    await app.screenshot("import-refused");
    await (await app.driver.wait(until.elementLocated(By.css(".ant-modal-wrap:not([style*='display: none']) .ant-btn-primary")), 10_000)).click();
    await app.dialogsClosed();
    assert.equal((await tableRows(app, "partners-table")).length, 1, "nothing of the bad file was stored");

    await (await app.driver.findElement(app.byTestId("partners-import-input"))).sendKeys(path.join(fixtures, "partners-good.xlsx"));
    await waitForRows(app, "partners-table", 3, "the good file's two partners are listed");
    await app.type("partners-search", "동방" + Key.ENTER);
    await waitForRows(app, "partners-table", 1, "search finds one partner");
    await app.screenshot("partners");

    // An item, and its routing: 제관 → 용접 → 검사.
    await app.click("menu-items");
    await app.click("items-add");
    await app.type("items-partNo", "BRK-1001");
    await app.type("items-name", "브래킷 A");
    await app.type("items-spec", "SS400 t3.2");
    await app.click("items-save");
    await app.dialogsClosed();
    await waitForRows(app, "items-table", 1, "the item is listed");

    // Its drawing: kept by content; a program named like a drawing is refused.
    const drawing = path.join(out, "BRK-1001 rev.B.pdf");
    writeFileSync(drawing, "%PDF-1.4\n% a drawing\n");
    const program = path.join(out, "drawing.pdf");
    writeFileSync(program, "MZ\x90\x00 not a drawing");
    await app.click("items-files-BRK-1001");
    // The drop zone renders a fresh input after each file: find it each time.
    const upload = async (file) =>
      (await app.driver.wait(until.elementLocated(By.css(".ant-upload input[type=file]")), 10_000)).sendKeys(file);
    await upload(program);
    await app.driver.wait(
      until.elementLocated(By.xpath("//*[contains(@class,'ant-message')]//*[contains(normalize-space(),'파일만 첨부할 수 있습니다')]")),
      10_000,
      "the program is refused",
    );
    await upload(drawing);
    await app.waitForText("files-table", "BRK-1001 rev.B.pdf");
    await app.screenshot("drawings");
    await app.click("files-save");
    const copy = path.join(dataDir, "exports", "BRK-1001 rev.B.pdf");
    await app.driver.wait(async () => existsSync(copy), 10_000, "a copy is saved under its own name");
    assert.equal(readFileSync(copy, "utf8"), "%PDF-1.4\n% a drawing\n");
    await closeDialog(app);
    await app.dialogsClosed();

    await app.click("items-routing-BRK-1001");
    await app.choose("routing-step-0-process", "제관");
    for (const [i, process] of [
      [1, "용접"],
      [2, "검사"],
    ]) {
      await app.click("routing-add-step");
      await app.choose(`routing-step-${i}-process`, process);
    }
    await app.type("routing-step-1-cycle", "45");
    await app.screenshot("routing");
    await app.click("routing-save");
    await app.dialogsClosed();
    await app.waitForText("items-table", "기본"); // the item's default routing
    await app.screenshot("items");
    await app.click("menu-routings");
    await app.waitForText("routings-table", "제관 → 용접 → 검사");
    await app.screenshot("routings");
  } finally {
    await app.quit();
  }
});

test("a new install may start with the demo plant", async () => {
  const app = await launch(path.join(out, "demo-data"), out);
  try {
    await app.setUpAdmin(admin, { demoPlant: true });
    await app.click("logout");
    // The demo's manager signs in with the password the administrator chose.
    await signIn(app, "manager", admin.password, "이사무");
    await app.click("menu-group-master");
    await app.click("menu-items");
    await waitForRows(app, "items-table", 10, "the demo plant's ten items");
    await app.waitForText("items-table", "컨베이어 프레임");
    await app.screenshot("demo-items");
    await app.click("menu-group-production");
    await app.click("menu-equipment");
    await waitForRows(app, "equipment-table", 8, "the demo plant's eight machines");
    await app.click("equipment-maintenance-EQ-MCT-01");
    await app.waitForText("maintenance-table", "분기 정밀 점검");
    await app.screenshot("demo-equipment-maintenance");
    await closeDialog(app);
    await app.dialogsClosed();

    // The rest of the demo's master data, each on its screen.
    for (const [menu, table, text] of [
      ["processes", "processes-table", "제관"],
      ["defectCodes", "defect-codes-table", "용접 기공"],
      ["downtimeReasons", "downtime-reasons-table", "금형·지그 교체"],
      ["leadTimes", "lead-times-table", ""],
    ]) {
      await app.click(`menu-${menu}`);
      await app.waitForText(table, text);
      await app.screenshot(`demo-${menu}`);
    }
    await app.click("menu-commonCodes");
    await (await app.driver.wait(until.elementLocated(By.xpath("//*[@data-testid='code-groups-table']//td[normalize-space()='WC']")), 10_000)).click();
    await app.waitForText("codes-table", "제관 1라인");
    await app.screenshot("demo-common-codes");
  } finally {
    await app.quit();
  }
});
