// The open tabs of the workspace as plain state, so the rules are testable:
// a screen opens once, closing the active tab activates its neighbour,
// drag-and-drop reorders.
import type { ScreenKey } from "../menu";

export interface TabsState {
  open: ScreenKey[];
  active: ScreenKey | null;
}

export type TabsAction =
  | { type: "open"; key: ScreenKey }
  | { type: "close"; key: ScreenKey }
  | { type: "activate"; key: ScreenKey }
  | { type: "move"; from: ScreenKey; to: ScreenKey };

export function tabsReducer(state: TabsState, action: TabsAction): TabsState {
  switch (action.type) {
    case "open":
      return state.open.includes(action.key)
        ? { ...state, active: action.key }
        : { open: [...state.open, action.key], active: action.key };
    case "activate":
      return state.open.includes(action.key) ? { ...state, active: action.key } : state;
    case "close": {
      const index = state.open.indexOf(action.key);
      if (index < 0) return state;
      const open = state.open.filter((k) => k !== action.key);
      const active =
        state.active === action.key ? (open[Math.min(index, open.length - 1)] ?? null) : state.active;
      return { open, active };
    }
    case "move": {
      const from = state.open.indexOf(action.from);
      const to = state.open.indexOf(action.to);
      if (from < 0 || to < 0 || from === to) return state;
      const open = [...state.open];
      open.splice(from, 1);
      open.splice(to, 0, action.from);
      return { ...state, open };
    }
  }
}
