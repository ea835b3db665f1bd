import type { Counters } from "../bindings";

/** The local calendar day of an instant, `YYYY-MM-DD`. */
export function localDay(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** A station's counters for one local day. */
export interface DayCounters {
  day: string;
  counts: Counters;
}

/**
 * The counters after one more verdict judged at `at`. A line runs past
 * midnight: a verdict of a later day starts the counters again from it, and
 * one of an earlier day (its event late across midnight) is not today's.
 */
export function addVerdict(c: DayCounters, ng: boolean, at: Date): DayCounters {
  const day = localDay(at);
  if (day < c.day) return c;
  const base = day > c.day ? { total: 0, ok: 0, ng: 0 } : c.counts;
  return {
    day,
    counts: { total: base.total + 1, ok: base.ok + (ng ? 0 : 1), ng: base.ng + (ng ? 1 : 0) },
  };
}
