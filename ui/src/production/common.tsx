import { Tag } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { events, type OperationStatus, type Session, type WorkOrderStatus } from "../bindings";
import { useNotify } from "../notify";

const WORK_ORDER_COLORS: Record<WorkOrderStatus, string> = {
  planned: "default",
  in_work: "processing",
  completed: "success",
  cancelled: "error",
};

const OPERATION_COLORS: Record<OperationStatus, string> = {
  waiting: "default",
  running: "processing",
  paused: "warning",
  finished: "success",
};

export function WorkOrderTag({ status }: { status: WorkOrderStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={WORK_ORDER_COLORS[status]} data-testid={`wo-status-${status}`}>
      {t(`production.woStatus.${status}`)}
    </Tag>
  );
}

export function OperationTag({ status }: { status: OperationStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={OPERATION_COLORS[status]} data-testid={`op-status-${status}`}>
      {t(`production.opStatus.${status}`)}
    </Tag>
  );
}

/** Whether the role plans orders and classifies stops (Rust checks it again). */
export function canPlan(session: Session): boolean {
  return session.user.role === "admin" || session.user.role === "manager";
}

/** An event any window sends when the data it names changed. */
type ChangeEvent = { listen: (cb: () => void) => Promise<() => void> };

/**
 * Runs `fetch` now, whenever it changes (its inputs changed) and whenever
 * `changed` fires in any window, and hands each answer to `apply`; answers
 * to superseded requests are dropped. Returns a function that reloads.
 */
export function useLiveData<T>(changed: ChangeEvent, fetch: () => Promise<T>, apply: (data: T) => void): () => void {
  const notify = useNotify();
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((k) => k + 1), []);
  useEffect(() => {
    const stop = changed.listen(() => reload());
    return () => void stop.then((f) => f());
  }, [changed, reload]);
  useEffect(() => {
    let cancelled = false;
    fetch().then(
      (data) => {
        if (!cancelled) apply(data);
      },
      (e) => {
        if (!cancelled) notify.error(e);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [fetch, apply, tick, notify]);
  return reload;
}

/** [`useLiveData`] of production: work orders and their operations. */
export function useProductionData<T>(fetch: () => Promise<T>, apply: (data: T) => void): () => void {
  return useLiveData(events.productionChanged, fetch, apply);
}

/** Today as the local calendar day, YYYY-MM-DD. */
export function today(offsetDays = 0): string {
  const d = new Date();
  d.setDate(d.getDate() + offsetDays);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Minutes between two instants (to now when the second is missing), as "1h 05m". */
export function duration(fromIso: string, toIso: string | null): string {
  const ms = (toIso ? new Date(toIso).getTime() : Date.now()) - new Date(fromIso).getTime();
  const minutes = Math.max(0, Math.round(ms / 60000));
  const h = Math.floor(minutes / 60);
  return h > 0 ? `${h}h ${String(minutes % 60).padStart(2, "0")}m` : `${minutes}m`;
}

/** A ratio as a percentage with one decimal, or a dash when there is none. */
export function percent(r: number | null): string {
  return r === null ? "–" : `${(r * 100).toFixed(1)}%`;
}
