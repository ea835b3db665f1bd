import i18n from "./i18n";

/** Date and time in the user's language, not the machine's locale. */
export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString(i18n.language === "ko" ? "ko-KR" : "en-GB");
}

/** Time of day in the user's language. */
export function timeOfDay(iso: string): string {
  return new Date(iso).toLocaleTimeString(i18n.language === "ko" ? "ko-KR" : "en-GB");
}
