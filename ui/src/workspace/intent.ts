// What a link asks of the screen it opens (the dashboard's counts open
// lists with their filters). Screens stay mounted in their tabs, so an
// intent is delivered to whoever listens for its screen, now or when the
// screen first mounts.
import { useEffect } from "react";
import type { ScreenKey } from "../menu";

type Listener = (value: unknown) => void;
const pending = new Map<ScreenKey, unknown>();
const listeners = new Map<ScreenKey, Set<Listener>>();

export function sendIntent(key: ScreenKey, value: unknown): void {
  const here = listeners.get(key);
  if (here && here.size > 0) here.forEach((l) => l(value));
  else pending.set(key, value);
}

/** Calls `apply` with each intent sent to any of `keys`. */
export function useIntent<T>(keys: ScreenKey[], apply: (value: T) => void): void {
  const joined = keys.join(",");
  useEffect(() => {
    const own = joined.split(",") as ScreenKey[];
    const listener: Listener = (v) => apply(v as T);
    for (const key of own) {
      if (!listeners.has(key)) listeners.set(key, new Set());
      listeners.get(key)?.add(listener);
      if (pending.has(key)) {
        const v = pending.get(key);
        pending.delete(key);
        apply(v as T);
      }
    }
    return () => own.forEach((key) => listeners.get(key)?.delete(listener));
  }, [joined, apply]);
}
