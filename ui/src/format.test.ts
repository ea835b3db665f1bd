import { afterEach, describe, expect, it } from "vitest";
import { dateTime, timeOfDay } from "./format";
import i18n from "./i18n";

describe("dates follow the user's language", () => {
  afterEach(async () => {
    await i18n.changeLanguage("ko");
  });

  it("writes Korean dates in Korean and English ones day-first", async () => {
    const iso = "2026-11-30T01:02:03Z";
    await i18n.changeLanguage("ko");
    expect(dateTime(iso)).toMatch(/2026\. 11\. 30\./);
    expect(timeOfDay(iso)).toMatch(/\d{1,2}:02:03/);
    await i18n.changeLanguage("en");
    expect(dateTime(iso)).toMatch(/30\/11\/2026/);
  });
});
