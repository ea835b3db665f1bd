import { App } from "antd";
import { useMemo } from "react";
import { errorText } from "./errors";
import i18n from "./i18n";

/** Shows a failed command's message, in the user's language, as a toast. */
export function useNotify() {
    const { message } = App.useApp();
  // i18n.t rather than the hook's t: stable across language switches, so
  // screens that load data once do not reload when the language changes.
  const t = i18n.t.bind(i18n);
  return useMemo(
    () => ({
      error: (e: unknown) => {
        void message.error(errorText(e, (detail) => t("common.unexpectedError", { detail })));
      },
      success: (text: string) => {
        void message.success(text);
      },
    }),
        // eslint-disable-next-line react-hooks/exhaustive-deps -- t is bound to the global i18n instance
    [message],
  );
}
