import { Card, Space, Typography } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { BrandMark, LanguageSwitch } from "../components";

/** The frame of the sign-in and first-run screens. */
export default function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="center-page">
      <Card className="center-card">
        <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
          <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
            <div className="brand">
              <BrandMark size={36} />
              <div>
                <Typography.Title level={4} style={{ margin: 0 }}>
                  {t("app.name")}
                </Typography.Title>
                <Typography.Text type="secondary">{t("app.tagline")}</Typography.Text>
              </div>
            </div>
            <LanguageSwitch />
          </div>
          <Typography.Title level={3} style={{ margin: 0 }} data-testid="auth-title">
            {title}
          </Typography.Title>
          {children}
        </Space>
      </Card>
    </div>
  );
}
