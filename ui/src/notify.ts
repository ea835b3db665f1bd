import { App } from "antd";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { errorText } from "./errors";

/** Shows a failed command's message, in the user's language, as a toast. */
export function useNotify() {
  const { message } = App.useApp();
  const { t } = useTranslation();
  return useMemo(
    () => ({
      error: (e: unknown) => {
        void message.error(errorText(e, (detail) => t("common.unexpectedError", { detail })));
      },
      success: (text: string) => {
        void message.success(text);
      },
    }),
    [message, t],
  );
}
