import { afterEach, describe, expect, it } from "vitest";
import { dateTime, timeOfDay, won } from "./format";
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

describe("money", () => {
  afterEach(async () => {
    await i18n.changeLanguage("ko");
  });

  it("groups won by thousands in either language", async () => {
    await i18n.changeLanguage("ko");
    expect(won(185000000)).toBe("185,000,000원");
    await i18n.changeLanguage("en");
    expect(won(1234500)).toBe("₩1,234,500");
  });
});
