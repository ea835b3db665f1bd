import { IdcardOutlined, LockOutlined, UserOutlined } from "@ant-design/icons";
import { Alert, Button, Form, Input, Segmented } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Session } from "../bindings";
import { errorText } from "../errors";
import AuthCard from "./AuthCard";

interface Values {
  username: string;
  password: string;
}

interface BadgeValues {
  badge: string;
  pin: string;
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
  const [withBadge, setWithBadge] = useState(false);

  const signIn = async (attempt: () => Promise<Session>) => {
    setBusy(true);
    setError(null);
    try {
      onDone(await attempt());
    } catch (e) {
      setError(errorText(e, (detail) => t("common.unexpectedError", { detail })));
    } finally {
      setBusy(false);
    }
  };
  const failure = error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />;

  return (
    <AuthCard title={t("login.title")}>
      {createdAdmin && <Alert type="success" showIcon title={t("login.adminCreated")} data-testid="login-admin-created" />}
      <Segmented
        block
        value={withBadge ? "badge" : "password"}
        onChange={(v) => {
          setWithBadge(v === "badge");
          setError(null);
        }}
        options={[
          { value: "password", label: t("login.withPassword") },
          { value: "badge", label: <span data-testid="login-with-badge">{t("login.withBadge")}</span> },
        ]}
        style={{ marginBottom: 16 }}
      />
      {withBadge ? (
        <Form<BadgeValues> layout="vertical" size="large" requiredMark={false} onFinish={(v) => void signIn(() => commands.loginBadge(v.badge, v.pin))}>
          <Form.Item name="badge" label={t("login.badge")} rules={[{ required: true, whitespace: true }]}>
            <Input prefix={<IdcardOutlined />} autoFocus autoComplete="off" data-testid="login-badge" />
          </Form.Item>
          <Form.Item name="pin" label={t("login.pin")} rules={[{ required: true }]}>
            <Input.Password prefix={<LockOutlined />} inputMode="numeric" autoComplete="off" data-testid="login-pin" />
          </Form.Item>
          {failure}
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-badge-submit">
            {t("login.submit")}
          </Button>
        </Form>
      ) : (
      <Form<Values>
        layout="vertical"
        size="large"
        onFinish={(v) => void signIn(() => commands.login(v.username, v.password))}
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
        {failure}
        <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">
          {t("login.submit")}
        </Button>
      </Form>
      )}
    </AuthCard>
  );
}
