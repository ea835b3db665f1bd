import { Result } from "antd";
import { useTranslation } from "react-i18next";
import type { ScreenKey } from "../menu";

/** The plain page of a menu entry whose screen a later version brings. */
export default function NotBuilt({ screen }: { screen: ScreenKey }) {
  const { t } = useTranslation();
  return (
    <Result
      status="info"
      title={t("notBuilt.title")}
      subTitle={t("notBuilt.body", { screen: t(`menu.${screen}`) })}
      data-testid={`not-built-${screen}`}
    />
  );
}
