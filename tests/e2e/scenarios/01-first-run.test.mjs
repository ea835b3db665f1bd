// Empty data dir → admin setup → login → two tabs → English → log out,
// then a restart on the same data dir. A screenshot per step.
import assert from "node:assert/strict";
import path from "node:path";
import { after, test } from "node:test";
import { launch, outputDir, stopTauriDriver } from "../harness.mjs";

const out = outputDir("01-first-run");
const dataDir = path.join(out, "data");
const admin = { username: "admin", name: "김관리", password: "Line-sight-2026" };

after(stopTauriDriver);

test("first run: set up the administrator, sign in, work in tabs, switch language, sign out", async () => {
  const app = await launch(dataDir, out);
  try {
    // An empty data dir asks for the administrator; there is no default password.
    assert.equal(await app.text("auth-title"), "처음 사용 설정");
    await app.languageSelected("한국어");
    await app.screenshot("setup-screen");

    // Mismatched confirmation is refused in the form.
    await app.type("setup-username", admin.username);
    await app.type("setup-display-name", admin.name);
    await app.type("setup-password", admin.password);
    await app.type("setup-confirm", "something-else");
    await app.click("setup-submit");
    await app.driver.wait(async () => (await app.driver.getPageSource()).includes("비밀번호가 일치하지 않습니다."), 5000);
    await app.screenshot("setup-mismatch");
    await app.type("setup-confirm", admin.password);
    await app.click("setup-submit");

    // Then the login screen; a wrong password is refused with a clear message.
    await app.waitForText("auth-title", "로그인");
    await app.type("login-username", admin.username);
    await app.type("login-password", "wrong-password");
    await app.click("login-submit");
    assert.equal(await app.text("login-error"), "아이디 또는 비밀번호가 올바르지 않습니다.");
    await app.screenshot("login-refused");

    await app.type("login-password", admin.password);
    await app.click("login-submit");
    await app.waitForText("header-user", admin.name);
    assert.match(await app.text("header-user"), /관리자/);
    await app.find("tab-dashboard");
    await app.screenshot("signed-in");

    // Open two screens from the menu: each gets its tab, the last one active.
    await app.click("menu-group-master");
    await app.click("menu-partners");
    await app.find("partners-table");
    await app.click("menu-group-system");
    await app.click("menu-machineSettings");
    await app.find("settings-data-dir");
    await app.find("tab-partners");
    await app.find("tab-machineSettings");
    await app.screenshot("two-tabs");

    // Switch to English: the whole shell follows.
    await app.click("lang-en");
    await app.waitForText("logout", "Sign out");
    await app.waitForText("tab-partners", "Partners");
    assert.match(await app.text("header-user"), /Administrator/);
    await app.languageSelected("English");
    await app.screenshot("english");

    await app.click("logout");
    await app.waitForText("auth-title", "Sign in");
    await app.screenshot("signed-out");
  } finally {
    await app.quit();
  }
});

test("restart on the same data dir: login, not setup, and the language is kept", async () => {
  const app = await launch(dataDir, out);
  try {
    await app.waitForText("auth-title", "Sign in");
    await app.languageSelected("English");
    await app.screenshot("restart-login");
  } finally {
    await app.quit();
  }
});
