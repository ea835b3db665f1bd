import { LockOutlined, UserOutlined } from "@ant-design/icons";
import { Alert, Button, Form, Input } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Session } from "../bindings";
import { errorText } from "../errors";
import AuthCard from "./AuthCard";

interface Values {
  username: string;
  password: string;
}

interface Props {
  onDone: (s: Session) => void;
  /** Set right after first-run setup: the new administrator's user ID. */
  createdAdmin?: string | null;
}

export default function LoginScreen({ onDone, createdAdmin }: Props) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async ({ username, password }: Values) => {
    setBusy(true);
    setError(null);
    try {
      onDone(await commands.login(username, password));
    } catch (e) {
      setError(errorText(e, (detail) => t("common.unexpectedError", { detail })));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title={t("login.title")}>
      {createdAdmin && <Alert type="success" showIcon title={t("login.adminCreated")} data-testid="login-admin-created" />}
      <Form<Values>
        layout="vertical"
        size="large"
        onFinish={(v) => void submit(v)}
        requiredMark={false}
        initialValues={{ username: createdAdmin ?? "" }}
      >
        <Form.Item
          name="username"
          label={t("login.username")}
          rules={[{ required: true, whitespace: true, message: t("required.username") }]}
        >
          <Input prefix={<UserOutlined />} autoFocus={!createdAdmin} autoComplete="username" data-testid="login-username" />
        </Form.Item>
        <Form.Item
          name="password"
          label={t("login.password")}
          rules={[{ required: true, message: t("required.password") }]}
        >
          <Input.Password prefix={<LockOutlined />} autoFocus={!!createdAdmin} autoComplete="current-password" data-testid="login-password" />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">
          {t("login.submit")}
        </Button>
      </Form>
    </AuthCard>
  );
}
