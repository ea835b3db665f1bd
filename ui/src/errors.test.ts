import { describe, expect, it } from "vitest";
import { errorText, isAppError } from "./errors";

const unexpected = (d: string) => `unexpected: ${d}`;

describe("errorText", () => {
  it("shows the message of a command error as is", () => {
    const e = { code: "invalid_credentials", message: "아이디 또는 비밀번호가 올바르지 않습니다." };
    expect(isAppError(e)).toBe(true);
    expect(errorText(e, unexpected)).toBe("아이디 또는 비밀번호가 올바르지 않습니다.");
  });

  it("wraps framework failures, which arrive as strings or Errors", () => {
    expect(isAppError("command login not allowed")).toBe(false);
    expect(errorText("command login not allowed", unexpected)).toBe("unexpected: command login not allowed");
    expect(errorText(new Error("boom"), unexpected)).toBe("unexpected: boom");
  });
});
