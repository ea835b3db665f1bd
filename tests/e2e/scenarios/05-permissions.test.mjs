// Who may do what, checked against the real app: the administrator adds a
// manager, an operator and a viewer on the users screen; then, signed in as
// each role and signed out, every command of the app is called, and the
// answers must match the README's table: "forbidden" exactly where the
// table says no, "not signed in" for everyone signed out.
//
// The calls name records that do not exist or carry input the app refuses,
// so an allowed call does no harm; each must still reach the command
// (arguments that do not even deserialise fail the test).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { By } from "selenium-webdriver";
import { launch, outputDir, repoRoot, stopTauriDriver, zipText } from "../harness.mjs";

const out = outputDir("05-permissions");
const dataDir = path.join(out, "data");
const admin = { username: "admin", name: "김관리", password: "Line-sight-2026" };
const password = "Floor-pass-2026";
const ROLES = ["admin", "manager", "operator", "viewer"];

const NONE = 9999;
const filter = { stationId: null, from: null, until: null, verdict: null, defectType: null, workOrderOpId: null, beforeId: null, limit: 5 };
const station = {
  name: "",
  active: true,
  settings: {
    source: { kind: "demo" },
    model: "demo-washer",
    roi: null,
    trigger: { mode: "manual" },
    sensitivity: 0,
    persistFrames: 1,
    keepOkEvery: 0,
    stopAfterNg: 3,
    previousModel: null,
  },
};
const page = { search: null, sort: null, descending: false, includeInactive: false, parentId: null, offset: 0, limit: 1 };
const nothing = { ...page, search: "no such record" };
/** Harmless arguments for each command (nothing they name exists, or the input is refused). */
const ARGS = {
  app_info: {},
  setup_admin: { admin: { username: "x", displayName: "x", password: "x" }, demoPlant: false },
  current_session: {},
  get_settings: {},
  set_language: { language: "ko" },
  change_own_password: { current: "not-the-password", password: "whatever-1234" },
  list_stations: {},
  list_models: {},
  list_recordings: {},
  recent_ng: { id: NONE, limit: 1 },
  open_alarms: { id: NONE },
  list_inspections: { filter },
  inspection_image: { id: NONE, heatmap: false },
  inspection_thumbnail: { id: NONE },
  export_inspections: { filter: { ...filter, stationId: NONE } },
  teach_status: { stationId: NONE },
  start_station: { id: NONE },
  stop_station: { id: NONE },
  inspect_now: { id: NONE },
  acknowledge_alarm: { id: NONE },
  relabel_inspection: { id: NONE, relabel: "clear" },
  collect_good_images: { stationId: NONE, count: 0 },
  import_good_image: { stationId: NONE, name: "x.png", dataBase64: "" },
  clear_teaching_set: { stationId: NONE },
  start_teaching: { stationId: NONE },
  cancel_teaching: { stationId: NONE },
  create_station: { form: station },
  update_station: { id: NONE, form: { ...station, name: "x" } },
  set_counting_line: { id: NONE, counter: null },
  cameras: {},
  camera_formats: { device: "/dev/video999" },
  activate_model: { stationId: NONE, model: "demo-washer" },
  list_users: {},
  create_user: { user: { username: "", displayName: "", role: "viewer", password: "" } },
  update_user: { id: NONE, update: { displayName: "x", role: "viewer", active: true } },
  reset_password: { id: NONE, password: "" },
  set_badge: { id: NONE, badge: null },
  get_security_settings: {},
  set_security_settings: { settings: { idleTimeoutMinutes: 99999 } },
  list_audit: { filter: { from: null, until: null, username: null, action: null, entity: null, beforeId: null, limit: 1 } },
  export_audit: { filter: { from: null, until: null, username: "nobody", action: null, entity: null, beforeId: null, limit: 1 } },
  list_partners: { query: page },
  save_partner: { id: null, input: { kind: "customer", name: "", bizNo: null, ceo: null, phone: null, fax: null, address: null, remarks: null, active: true } },
  export_partners: { query: nothing },
  list_items: { query: page },
  save_item: { id: null, input: { partNo: "", name: "", spec: null, unit: "EA", remarks: null, active: true, serialized: false } },
  export_items: { query: nothing },
  list_processes: { query: page },
  save_process: { id: null, input: { code: "", name: "", seq: 0, inspection: false, remarks: null, active: true } },
  export_processes: { query: nothing },
  list_equipment: { query: page },
  save_equipment: {
    id: null,
    input: { code: "", name: "", maker: null, supplierId: null, deliveredOn: null, installedOn: null, manager: null, price: null, calibration: false, calibrationDue: null, remarks: null, active: true },
  },
  export_equipment: { query: nothing },
  list_code_groups: { query: page },
  save_code_group: { id: null, input: { code: "", name: "", remarks: null, active: true } },
  export_code_groups: { query: nothing },
  list_codes: { query: page },
  save_code: { id: null, input: { groupId: NONE, code: "", name: "", attr1: null, attr2: null, attr3: null, seq: 0, active: true } },
  export_codes: { query: nothing },
  list_defect_codes: { query: page },
  save_defect_code: { id: null, input: { code: "", name: "", category: "", active: true } },
  export_defect_codes: { query: nothing },
  list_downtime_reasons: { query: page },
  save_downtime_reason: { id: null, input: { code: "", name: "", category: "planned", active: true } },
  export_downtime_reasons: { query: nothing },
  import_partners: { fileBase64: "" },
  import_items: { fileBase64: "" },
  list_routings: { query: page },
  get_routing: { id: NONE },
  save_routing: { id: null, input: { itemId: NONE, name: "", remarks: null, active: true, isDefault: false, steps: [] } },
  export_routings: { query: nothing },
  list_maintenance: { equipmentId: NONE },
  add_maintenance: { equipmentId: NONE, doneOn: "2026-01-01", text: "" },
  get_lead_times: {},
  save_lead_times: { rows: [{ maxDays: -1, offsets: [] }] },
  list_attachments: { owner: "item", ownerId: NONE },
  add_attachment: { owner: "item", ownerId: NONE, name: "x.exe", dataBase64: "TVo=" },
  save_attachment_copy: { id: NONE },
  attachment_preview: { id: NONE },
  remove_attachment: { id: NONE },
  propose_plan: { itemId: NONE, routingId: null, orderDate: "2026-01-02", dueDate: "2026-01-01" },
  create_work_order: { input: { itemId: NONE, routingId: null, quantity: 0, orderDate: "2026-01-01", dueDate: "2026-01-02", customerId: null, remarks: null, operations: [] } },
  update_work_order: { id: NONE, input: { itemId: NONE, routingId: null, quantity: 0, orderDate: "2026-01-01", dueDate: "2026-01-02", customerId: null, remarks: null, operations: [] } },
  release_work_order: { id: NONE },
  cancel_work_order: { id: NONE, reason: "" },
  complete_work_order: { id: NONE, reason: "" },
  list_work_orders: { query: { search: "no such order", status: null, from: null, to: null, offset: 0, limit: 1 } },
  get_work_order: { id: NONE },
  work_centers: {},
  open_operations: { workCenter: "no such centre" },
  terminal_codes: {},
  start_operation: { id: NONE },
  pause_operation: { id: NONE, reasonId: NONE, note: null },
  resume_operation: { id: NONE },
  report_quantities: { id: NONE, report: { good: 0, ng: 0, scrap: 0, defects: [] } },
  finish_operation: { id: NONE, finish: { report: { good: 0, ng: 0, scrap: 0, defects: [] }, materialLots: [] } },
  list_downtimes: { filter: { firstDay: null, lastDay: null, unexplainedOnly: true, offset: 0, limit: 1 } },
  classify_downtime: { id: NONE, reasonId: NONE, note: null },
  list_lots: { search: "no such lot", offset: 0, limit: 1 },
  lot_trace: { lotNo: "no such lot" },
  oee: { first: "2026-01-01", last: "2026-01-01", group: "day" },
  plan_vs_actual: { first: "2026-01-01", last: "2026-01-01" },
  month_summary: {},
  monthly_figures: { year: 2026 },
  order_progress: { salesOrderId: NONE },
  line_status: {},
  quality: { query: { first: "2026-01-01", last: "2026-01-01", stationId: null, itemId: null, processId: null, defectType: null } },
  daily_report: { day: "2026-01-01" },
  daily_report_pdf: { day: "2026-01-01" },
  list_crossings: { filter: { first: "2026-01-01", last: "2026-01-01", stationId: null, offset: 0, limit: 1 } },
  list_fire_events: { filter: { first: "2026-01-01", last: "2026-01-01", stationId: null, offset: 0, limit: 1 } },
  event_snapshot: { fire: true, id: NONE },
  export_crossings: { filter: { first: "2026-01-01", last: "2026-01-01", stationId: null, offset: 0, limit: 1 } },
  export_fire_events: { filter: { first: "2026-01-01", last: "2026-01-01", stationId: null, offset: 0, limit: 1 } },
  export_report: { grid: { grid: "pareto", query: { first: "2026-01-01", last: "2026-01-01", stationId: null, itemId: null, processId: null, defectType: null } } },
  list_sales_orders: { query: { search: "no such order", status: null, customerId: null, from: null, to: null, offset: 0, limit: 1 } },
  get_sales_order: { id: NONE },
  save_sales_order: { id: null, input: { name: "", customerId: NONE, orderDate: "2026-01-01", dueDate: "2026-01-02", export: false, gaCost: 0, finalPrice: null, quotation: true, remarks: null, lines: [] } },
  confirm_sales_order: { id: NONE },
  issue_work_orders: { orderId: NONE, lineIds: [] },
  ship_sales_orders: { ids: [NONE], shipDate: "2026-01-01" },
  export_sales_orders: { query: { search: "no such order", status: null, customerId: null, from: null, to: null, offset: 0, limit: 1 } },
  list_purchase_orders: { query: { search: "no such order", status: null, supplierId: null, from: null, to: null, offset: 0, limit: 1 } },
  get_purchase_order: { id: NONE },
  create_purchase_order: { input: { supplierId: NONE, orderDate: "2026-01-02", dueDate: "2026-01-01", remarks: null, lines: [] } },
  create_outsourcing_order: { input: { salesOrderId: NONE, supplierId: NONE, orderDate: "2026-01-02", dueDate: "2026-01-01", remarks: null, lines: [] } },
  receive_purchase_order: { id: NONE, receivedOn: "2026-01-01" },
  purchase_order_pdf: { id: NONE },
  import_sales_lines: { fileBase64: "" },
  export_sales_order_lines: { id: NONE },
  get_company: {},
  company_seal: {},
  save_company: { input: { name: "", bizNo: null, ceo: null, address: null, phone: null, fax: null, hasSeal: false }, seal: { kind: "keep" } },
  export_purchase_orders: { query: { search: "no such order", status: null, supplierId: null, from: null, to: null, offset: 0, limit: 1 } },
};
/** Called by the walk in their own way: signing in and out is how it moves between roles. */
const WALKED_BY_HAND = new Set(["login", "login_badge", "logout"]);

/** The README's table: command → [admin, manager, operator, viewer, signed out] allowed. */
function readmeTable() {
  const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const section = readme.split("## Who may do what")[1].split("\n## ")[0];
  const table = new Map();
  for (const line of section.split("\n")) {
    const m = line.match(/^\| `([a-z_]+)` \|[^|]*\|(.*)\|\s*$/);
    if (m) table.set(m[1], m[2].split("|").map((c) => c.trim() === "✓"));
  }
  return table;
}

/** Every command the window can call, from the generated bindings. */
function commandsInBindings() {
  const bindings = readFileSync(path.join(repoRoot, "ui/src/bindings.ts"), "utf8");
  return [...bindings.matchAll(/__TAURI_INVOKE<.*?>\("([a-z_]+)"/g)].map((m) => m[1]);
}

after(stopTauriDriver);

test("every command checks the caller's role, as the README says", async () => {
  const table = readmeTable();
  const commands = commandsInBindings();
  assert.deepEqual([...table.keys()].sort(), [...commands].sort(), "the README table lists exactly the app's commands");
  for (const c of commands) assert.ok(WALKED_BY_HAND.has(c) || c in ARGS, `no test arguments for ${c}`);

  const app = await launch(dataDir, out);
  /** Every answer a call gave, to look for secrets in. */
  const answers = [];
  /** The error code of a call, or "ok". */
  const call = async (cmd, args) => {
    const [code, answer] = await app.driver.executeAsyncScript(
      `const done = arguments[arguments.length - 1];
       window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then(
         (r) => done(["ok", JSON.stringify(r ?? null)]),
         (e) => done([typeof e === "object" && e !== null && typeof e.code === "string" ? e.code : "bad call: " + JSON.stringify(e), ""]));`,
      cmd,
      args,
    );
    answers.push(`${cmd}: ${answer}`);
    return code;
  };
  try {
    await app.setUpAdmin(admin);

    // The administrator adds the other roles on the users screen.
    await app.click("menu-group-master");
    await app.click("menu-users");
    for (const role of ["manager", "operator", "viewer"]) {
      await app.click("user-add");
      await app.type("user-username", role);
      await app.type("user-display-name", `${role} 1`);
      await app.choose("user-role", { manager: "사무 관리자", operator: "작업자", viewer: "조회 전용" }[role]);
      await app.type("user-password", password);
      await app.click("user-save");
      await app.dialogsClosed();
    }
    const rows = await (await app.find("users-table")).findElements(By.css("tbody tr.ant-table-row"));
    assert.equal(rows.length, 4);
    await app.screenshot("users");

    // Everyone changes their own password from the header.
    const newAdminPassword = "Line-sight-2027";
    await app.click("header-user");
    await app.type("password-current", admin.password);
    await app.type("password-new", newAdminPassword);
    await app.type("password-confirm", newAdminPassword);
    await app.click("password-save");
    await app.dialogsClosed();

    const walk = async (who, column) => {
      for (const cmd of commands.filter((c) => !WALKED_BY_HAND.has(c))) {
        const code = await call(cmd, ARGS[cmd]);
        assert.ok(!code.startsWith("bad call"), `${who} ${cmd}: ${code}`);
        const allowed = table.get(cmd)[column];
        const refusal = column === 4 ? "not_signed_in" : "forbidden";
        if (allowed) assert.ok(code !== "forbidden" && code !== "not_signed_in", `${who} may call ${cmd}, got ${code}`);
        else assert.equal(code, refusal, `${who} may not call ${cmd}`);
      }
    };
    assert.equal(await call("logout", {}), "ok");
    for (const [column, role] of ROLES.entries()) {
      const username = role === "admin" ? admin.username : role;
      assert.equal(await call("login", { username, password: role === "admin" ? newAdminPassword : password }), "ok");
      await walk(role, column);
      assert.equal(await call("logout", {}), "ok");
    }
    await walk("signed out", 4);
    assert.equal(await call("logout", {}), "not_signed_in");

    // No answer and no log line holds a password or a password hash.
    const logs = readdirSync(path.join(dataDir, "logs")).map((f) => readFileSync(path.join(dataDir, "logs", f), "utf8"));
    for (const [what, text] of [["answers", answers.join("\n")], ["logs", logs.join("\n")]]) {
      for (const secret of ["$argon2", admin.password, newAdminPassword, password]) {
        assert.ok(!text.includes(secret), `${what} contain ${secret}`);
      }
    }

    // The audit trail holds all of it: sign-ins of every role and the users created.
    await app.type("login-username", admin.username);
    await app.type("login-password", newAdminPassword);
    await app.click("login-submit");
    await app.waitForText("header-user", admin.name);
    await app.click("menu-group-system");
    await app.click("menu-audit");
    const audit = await app.find("audit-table");
    await app.choose("audit-action", "생성");
    await app.driver.wait(
      async () => (await audit.findElements(By.xpath(".//tr[contains(@class,'ant-table-row')][td[normalize-space()='사용자']]"))).length === 4,
      10_000,
      "the administrator and three users created",
    );
    await app.screenshot("audit");

    // Nor does the audit trail's export, which holds every user record before and after each change.
    assert.equal(await call("export_audit", { filter: { from: null, until: null, username: null, action: null, entity: null, beforeId: null, limit: 1 } }), "ok");
    const exported = zipText(JSON.parse(answers.at(-1).slice("export_audit: ".length)));
    assert.match(exported, /operator 1/, "the export holds the users created");
    for (const secret of ["$argon2", admin.password, newAdminPassword, password]) {
      assert.ok(!exported.includes(secret), `the audit export contains ${secret}`);
    }

    // An operator gets a badge and signs in at the terminal with it and a PIN.
    await app.click("menu-group-master");
    await app.click("menu-users");
    await app.click("user-badge-operator");
    await app.type("badge-number", "B-1001");
    await app.type("badge-pin", "4321");
    await app.click("badge-save");
    await app.dialogsClosed();
    await app.click("logout");
    await app.click("login-with-badge");
    await app.type("login-badge", "B-1001");
    await app.type("login-pin", "0000");
    await app.click("login-badge-submit");
    await app.waitForText("login-error", "올바르지 않습니다");
    await app.type("login-pin", "4321");
    await app.click("login-badge-submit");
    await app.waitForText("header-user", "operator 1");
    await app.screenshot("signed-in-by-badge");
  } finally {
    await app.quit();
  }
});
