import { describe, expect, it } from "vitest";
import { bizNo } from "./columns";
import { blankToNull } from "./MasterForm";

describe("master forms and lists", () => {
  it("print a business number as 3-2-5 digits", () => {
    expect(bizNo("2208162517")).toBe("220-81-62517");
    expect(bizNo(null)).toBe("");
  });

  it("send a cleared input as no value, and keep everything else", () => {
    expect(blankToNull({ name: "대한정밀", fax: "", price: undefined, active: false, seq: 0 })).toEqual({
      name: "대한정밀",
      fax: null,
      price: null,
      active: false,
      seq: 0,
    });
  });
});
