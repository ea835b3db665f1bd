import { Form, Input, Modal } from "antd";
import { useTranslation } from "react-i18next";
import { commands } from "../bindings";
import { useNotify } from "../notify";

interface Values {
  current: string;
  password: string;
  confirm: string;
}

/** The signed-in user changes their own password, proving the current one. */
export default function PasswordDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [form] = Form.useForm<Values>();
  const save = async ({ current, password }: Values) => {
    try {
      await commands.changeOwnPassword(current, password);
      notify.success(t("password.changed"));
      onClose();
    } catch (e) {
      notify.error(e);
    }
  };
  return (
    <Modal
      open
      title={t("password.title")}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t("common.save")}
      okButtonProps={{ ...{ "data-testid": "password-save" } }}
      destroyOnHidden
    >
      <Form<Values> form={form} layout="vertical" onFinish={(v) => void save(v)}>
        <Form.Item name="current" label={t("password.current")} rules={[{ required: true }]}>
          <Input.Password autoComplete="current-password" data-testid="password-current" />
        </Form.Item>
        <Form.Item name="password" label={t("password.new")} rules={[{ required: true, min: 8 }]}>
          <Input.Password autoComplete="new-password" data-testid="password-new" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t("password.confirm")}
          dependencies={["password"]}
          rules={[
            { required: true },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                value === getFieldValue("password") ? Promise.resolve() : Promise.reject(new Error(t("password.mismatch"))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="password-confirm" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
