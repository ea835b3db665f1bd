import { IdcardOutlined, KeyOutlined, PlusOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Form, Input, InputNumber, Modal, Select, Space, Switch, Table, Tag, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Role, type Session, type UserRow } from "../bindings";
import { dateTime } from "../format";
import { useNotify } from "../notify";

const ROLES: Role[] = ["admin", "manager", "operator", "viewer"];

interface Values {
  username: string;
  displayName: string;
  role: Role;
  active: boolean;
  password: string;
}

/** Add or change a user; a new user gets a password, an existing one keeps theirs. */
function UserDialog({ editing, onClose, onSaved }: { editing: UserRow | "new"; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const isNew = editing === "new";
  const save = async (v: Values) => {
    setBusy(true);
    try {
      if (isNew) {
        await commands.createUser({ username: v.username, displayName: v.displayName, role: v.role, password: v.password });
      } else {
        await commands.updateUser(editing.id, { displayName: v.displayName, role: v.role, active: v.active });
      }
      notify.success(t("common.saved"));
      onSaved();
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={isNew ? t("users.add") : t("users.edit", { name: editing.username })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t("common.save")}
      okButtonProps={{ loading: busy, ...{ "data-testid": "user-save" } }}
      destroyOnHidden
    >
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={isNew ? { role: "operator", active: true } : { ...editing, password: "" }}
        onFinish={(v) => void save(v)}
      >
        <Form.Item name="username" label={t("users.username")} rules={[{ required: true }]}>
          <Input disabled={!isNew} maxLength={32} autoComplete="off" data-testid="user-username" />
        </Form.Item>
        <Form.Item name="displayName" label={t("users.displayName")} rules={[{ required: true }]}>
          <Input maxLength={50} data-testid="user-display-name" />
        </Form.Item>
        <Form.Item name="role" label={t("users.role")}>
          <Select data-testid="user-role" options={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))} />
        </Form.Item>
        {isNew ? (
          <Form.Item name="password" label={t("users.password")} rules={[{ required: true, min: 8 }]} extra={t("users.passwordHelp")}>
            <Input.Password autoComplete="new-password" data-testid="user-password" />
          </Form.Item>
        ) : (
          <Form.Item name="active" label={t("users.active")} valuePropName="checked">
            <Switch />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

/** An administrator sets a new password for a user who forgot theirs. */
function ResetDialog({ user, onClose }: { user: UserRow; onClose: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [form] = Form.useForm<{ password: string }>();
  const reset = async ({ password }: { password: string }) => {
    try {
      await commands.resetPassword(user.id, password);
      notify.success(t("users.resetDone", { name: user.username }));
      onClose();
    } catch (e) {
      notify.error(e);
    }
  };
  return (
    <Modal open title={t("users.reset", { name: user.username })} onCancel={onClose} onOk={() => form.submit()} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={(v) => void reset(v)}>
        <Form.Item name="password" label={t("users.newPassword")} rules={[{ required: true, min: 8 }]} extra={t("users.resetHelp")}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** A badge number and PIN for signing in at the terminal, or none. */
function BadgeDialog({ user, onClose }: { user: UserRow; onClose: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [form] = Form.useForm<{ badge: string; pin: string }>();
  const save = async (badge: { badge: string; pin: string } | null) => {
    try {
      await commands.setBadge(user.id, badge);
      notify.success(t("common.saved"));
      onClose();
    } catch (e) {
      notify.error(e);
    }
  };
  return (
    <Modal
      open
      title={t("users.badgeTitle", { name: user.username })}
      onCancel={onClose}
      destroyOnHidden
      footer={[
        user.badge !== null && (
          <Button key="remove" danger onClick={() => void save(null)}>
            {t("users.badgeRemove")}
          </Button>
        ),
        <Button key="save" type="primary" onClick={() => form.submit()} data-testid="badge-save">
          {t("common.save")}
        </Button>,
      ]}
    >
      <Form form={form} layout="vertical" initialValues={{ badge: user.badge ?? "", pin: "" }} onFinish={(v) => void save(v)}>
        <Form.Item name="badge" label={t("users.badge")} rules={[{ required: true }]}>
          <Input maxLength={32} data-testid="badge-number" />
        </Form.Item>
        <Form.Item name="pin" label={t("users.pin")} rules={[{ required: true, pattern: /^[0-9]{4,8}$/, message: t("users.pinHelp") }]}>
          <Input.Password inputMode="numeric" autoComplete="off" data-testid="badge-pin" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** How long a signed-in session may stay idle before it ends. */
function IdleSignOut() {
  const { t } = useTranslation();
  const notify = useNotify();
  const [minutes, setMinutes] = useState<number | null>(null);
  useEffect(() => {
    let cancelled = false;
    commands.getSecuritySettings().then((s) => !cancelled && setMinutes(s.idleTimeoutMinutes), notify.error);
    return () => {
      cancelled = true;
    };
  }, [notify]);
  const save = async () => {
    try {
      const saved = await commands.setSecuritySettings({ idleTimeoutMinutes: minutes ?? 0 });
      setMinutes(saved.idleTimeoutMinutes);
      notify.success(t("common.saved"));
    } catch (e) {
      notify.error(e);
    }
  };
  return (
    <Card size="small">
      <Space wrap>
        <Typography.Text strong>{t("users.idle")}</Typography.Text>
        <InputNumber min={0} max={1440} value={minutes} onChange={setMinutes} suffix={t("users.minutes")} data-testid="users-idle" />
        <Button onClick={() => void save()}>{t("common.save")}</Button>
        <Typography.Text type="secondary">{t("users.idleHelp")}</Typography.Text>
      </Space>
    </Card>
  );
}

/** The users of this install (사원정보): administrators only. */
export default function UsersScreen({ session }: { session: Session }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [users, setUsers] = useState<UserRow[]>([]);
  const [editing, setEditing] = useState<UserRow | "new" | null>(null);
  const [resetting, setResetting] = useState<UserRow | null>(null);
  const [badging, setBadging] = useState<UserRow | null>(null);
  const isAdmin = session.user.role === "admin";

  const reload = useCallback(() => {
    commands.listUsers().then(setUsers, notify.error);
  }, [notify]);

  useEffect(() => {
    if (!isAdmin) return;
    let cancelled = false;
    commands.listUsers().then((list) => !cancelled && setUsers(list), notify.error);
    return () => {
      cancelled = true;
    };
  }, [isAdmin, notify]);

  if (!isAdmin) return <Alert type="info" showIcon title={t("users.adminOnly")} />;
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Typography.Paragraph type="secondary">{t("users.intro")}</Typography.Paragraph>
      <IdleSignOut />
      <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing("new")} data-testid="user-add">
        {t("users.add")}
      </Button>
      <Table<UserRow>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={users}
        data-testid="users-table"
        columns={[
          { title: t("users.username"), dataIndex: "username" },
          { title: t("users.displayName"), dataIndex: "displayName" },
          { title: t("users.role"), dataIndex: "role", render: (r: Role) => t(`roles.${r}`) },
          { title: t("users.badge"), dataIndex: "badge", render: (b: string | null) => b ?? "" },
          {
            title: t("users.state"),
            render: (_, u) => (
              <Space size={4}>
                {u.active ? <Tag color="blue">{t("users.inUse")}</Tag> : <Tag>{t("users.notInUse")}</Tag>}
                {u.lockedUntil !== null && new Date(u.lockedUntil) > new Date() && (
                  <Tag color="red">{t("users.locked", { until: dateTime(u.lockedUntil) })}</Tag>
                )}
              </Space>
            ),
          },
          { title: t("users.updatedAt"), dataIndex: "updatedAt", render: (at: string) => dateTime(at) },
          {
            title: "",
            render: (_, u) => (
              <Space>
                <Button size="small" onClick={() => setEditing(u)}>
                  {t("users.editButton")}
                </Button>
                <Button size="small" icon={<KeyOutlined />} onClick={() => setResetting(u)}>
                  {t("users.resetButton")}
                </Button>
                <Button size="small" icon={<IdcardOutlined />} onClick={() => setBadging(u)} data-testid={`user-badge-${u.username}`}>
                  {t("users.badgeButton")}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      {editing !== null && (
        <UserDialog
          editing={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            reload();
          }}
        />
      )}
      {resetting !== null && <ResetDialog user={resetting} onClose={() => setResetting(null)} />}
      {badging !== null && (
        <BadgeDialog
          user={badging}
          onClose={() => {
            setBadging(null);
            reload();
          }}
        />
      )}
    </Space>
  );
}
