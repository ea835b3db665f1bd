import { describe, expect, it } from "vitest";
import { tabsReducer, type TabsState } from "./tabs";

const start: TabsState = { open: ["dashboard"], active: "dashboard" };

describe("tabsReducer", () => {
  it("opens a screen once and activates it", () => {
    const one = tabsReducer(start, { type: "open", key: "partners" });
    expect(one).toEqual({ open: ["dashboard", "partners"], active: "partners" });
    const again = tabsReducer({ ...one, active: "dashboard" }, { type: "open", key: "partners" });
    expect(again).toEqual({ open: ["dashboard", "partners"], active: "partners" });
  });

  it("closing the active tab activates the tab that takes its place", () => {
    const s: TabsState = { open: ["dashboard", "partners", "items"], active: "partners" };
    expect(tabsReducer(s, { type: "close", key: "partners" })).toEqual({
      open: ["dashboard", "items"],
      active: "items",
    });
    const last: TabsState = { open: ["dashboard", "items"], active: "items" };
    expect(tabsReducer(last, { type: "close", key: "items" }).active).toBe("dashboard");
    expect(tabsReducer({ open: ["items"], active: "items" }, { type: "close", key: "items" })).toEqual({
      open: [],
      active: null,
    });
  });

  it("closing another tab keeps the active one", () => {
    const s: TabsState = { open: ["dashboard", "partners", "items"], active: "items" };
    expect(tabsReducer(s, { type: "close", key: "dashboard" }).active).toBe("items");
  });

  it("moves a tab to where it was dropped", () => {
    const s: TabsState = { open: ["dashboard", "partners", "items", "audit"], active: "items" };
    expect(tabsReducer(s, { type: "move", from: "audit", to: "partners" }).open).toEqual([
      "dashboard",
      "audit",
      "partners",
      "items",
    ]);
    expect(tabsReducer(s, { type: "move", from: "dashboard", to: "items" }).open).toEqual([
      "partners",
      "items",
      "dashboard",
      "audit",
    ]);
  });

  it("ignores unknown keys", () => {
    expect(tabsReducer(start, { type: "close", key: "audit" })).toBe(start);
    expect(tabsReducer(start, { type: "activate", key: "audit" })).toBe(start);
    expect(tabsReducer(start, { type: "move", from: "audit", to: "dashboard" })).toBe(start);
  });
});
