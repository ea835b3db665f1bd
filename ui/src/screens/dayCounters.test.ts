import { describe, expect, it } from "vitest";
import { addVerdict, localDay } from "./dayCounters";

describe("the monitor's counters of the day", () => {
  const at = (y: number, m: number, d: number, h: number) => new Date(y, m - 1, d, h, 30);
  const monday = { day: "2026-11-30", counts: { total: 10, ok: 8, ng: 2 } };

  it("names the local day, zero-padded", () => {
    expect(localDay(at(2026, 3, 5, 23))).toBe("2026-03-05");
  });

  it("adds a verdict of the same day", () => {
    expect(addVerdict(monday, true, at(2026, 11, 30, 23))).toEqual({
      day: "2026-11-30",
      counts: { total: 11, ok: 8, ng: 3 },
    });
  });

  it("starts again after midnight", () => {
    const tuesday = addVerdict(monday, false, at(2026, 12, 1, 0));
    expect(tuesday).toEqual({ day: "2026-12-01", counts: { total: 1, ok: 1, ng: 0 } });
    expect(addVerdict(tuesday, true, at(2026, 12, 1, 1)).counts).toEqual({ total: 2, ok: 1, ng: 1 });
  });

  it("leaves out a late verdict of the day before", () => {
    const tuesday = { day: "2026-12-01", counts: { total: 1, ok: 1, ng: 0 } };
    expect(addVerdict(tuesday, true, at(2026, 11, 30, 23))).toBe(tuesday);
  });
});
