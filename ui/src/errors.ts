import type { AppError } from "./bindings";

/** Commands reject with `{ code, message }`; Tauri itself rejects with a string. */
export function isAppError(e: unknown): e is AppError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

/** The text to show for a failed command, already in the user's language. */
export function errorText(e: unknown, unexpected: (detail: string) => string): string {
  if (isAppError(e)) return e.message;
  return unexpected(e instanceof Error ? e.message : String(e));
}
