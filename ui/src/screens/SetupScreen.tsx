import { Alert, Button, Form, Input, Radio, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { commands } from "../bindings";
import { errorText } from "../errors";
import AuthCard from "./AuthCard";

interface Values {
  username: string;
  displayName: string;
  password: string;
  confirm: string;
  plant: "empty" | "demo";
}

/** First start: there is no default password, so the first administrator is made here. */
export default function SetupScreen({ onDone }: { onDone: (username: string) => void }) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async ({ username, displayName, password, plant }: Values) => {
    setBusy(true);
    setError(null);
    try {
      onDone((await commands.setupAdmin({ username, displayName, password }, plant === "demo")).username);
    } catch (e) {
      setError(errorText(e, (detail) => t("common.unexpectedError", { detail })));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title={t("setup.title")}>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t("setup.intro")}
      </Typography.Paragraph>
      <Form<Values> layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false} initialValues={{ plant: "empty" }}>
        <Form.Item
          name="username"
          label={t("setup.username")}
          extra={t("setup.usernameHelp")}
          rules={[{ required: true, whitespace: true, message: t("required.username") }]}
        >
          <Input autoFocus autoComplete="username" data-testid="setup-username" />
        </Form.Item>
        <Form.Item
          name="displayName"
          label={t("setup.displayName")}
          rules={[{ required: true, whitespace: true, message: t("required.displayName") }]}
        >
          <Input autoComplete="name" data-testid="setup-display-name" />
        </Form.Item>
        <Form.Item
          name="password"
          label={t("setup.password")}
          extra={t("setup.passwordHelp")}
          rules={[{ required: true, message: t("required.password") }]}
        >
          <Input.Password autoComplete="new-password" data-testid="setup-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t("setup.confirm")}
          dependencies={["password"]}
          rules={[
            { required: true, message: t("required.confirm") },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || getFieldValue("password") === value
                  ? Promise.resolve()
                  : Promise.reject(new Error(t("setup.mismatch"))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="setup-confirm" />
        </Form.Item>
        <Form.Item name="plant" label={t("setup.plant")} extra={t("setup.plantHelp")}>
          <Radio.Group>
            <Radio value="empty">
              <span data-testid="setup-plant-empty">{t("setup.plantEmpty")}</span>
            </Radio>
            <Radio value="demo">
              <span data-testid="setup-plant-demo">{t("setup.plantDemo")}</span>
            </Radio>
          </Radio.Group>
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="setup-error" />}
        <Button type="primary" htmlType="submit" block size="large" loading={busy} data-testid="setup-submit">
          {t("setup.submit")}
        </Button>
      </Form>
    </AuthCard>
  );
}
