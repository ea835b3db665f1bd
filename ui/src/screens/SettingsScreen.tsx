import { Card, Descriptions, Space, Typography } from "antd";
import { useTranslation } from "react-i18next";
import type { AppInfo, Session } from "../bindings";
import { LanguageSwitch } from "../components";
import CompanyCard from "./CompanyCard";

/** Per-machine settings (the language, where this install keeps its data) and the company's details. */
export default function SettingsScreen({ info, session }: { info: AppInfo; session: Session }) {
  const { t } = useTranslation();
  return (
    <Space orientation="vertical" size="large" style={{ maxWidth: 760, width: "100%" }}>
      <Typography.Paragraph type="secondary">{t("settings.intro")}</Typography.Paragraph>
      <Card size="small">
        <Space>
          <Typography.Text strong>{t("common.language")}</Typography.Text>
          <LanguageSwitch />
        </Space>
      </Card>
      <Descriptions size="small" column={1} bordered>
        <Descriptions.Item label={t("settings.machine")}>{info.machine}</Descriptions.Item>
        <Descriptions.Item label={t("settings.dataDir")}>
          <span data-testid="settings-data-dir">{info.dataDir}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t("settings.version")}>{info.version}</Descriptions.Item>
      </Descriptions>
      <CompanyCard session={session} />
    </Space>
  );
}
