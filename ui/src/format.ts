import i18n from "./i18n";

/** Date and time in the user's language, not the machine's locale. */
export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString(i18n.language === "ko" ? "ko-KR" : "en-GB");
}

/** Time of day in the user's language. */
export function timeOfDay(iso: string): string {
  return new Date(iso).toLocaleTimeString(i18n.language === "ko" ? "ko-KR" : "en-GB");
}

/** Midnight starting a local day, as an instant; `offset` days later. */
export function localMidnight(day: string, offset: number): string | null {
  if (!day) return null;
  const [y, m, d] = day.split("-").map(Number);
  if (y === undefined || m === undefined || d === undefined) return null;
  return new Date(y, m - 1, d + offset).toISOString();
}

/** Won, grouped by thousands: 185,000,000원 (Korean) or ₩185,000,000. */
export function won(amount: number): string {
  const n = amount.toLocaleString("ko-KR");
  return i18n.language === "en" ? `₩${n}` : `${n}원`;
}
