import { Button, Card, Form, Image, Input, Space, Typography } from "antd";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Company, type SealInput, type Session } from "../bindings";
import { base64Of } from "../components";
import { useNotify } from "../notify";

/** The company's own details and seal, printed on its forms (the purchase-order form's orderer block). */
export default function CompanyCard({ session }: { session: Session }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const editable = session.user.role === "admin" || session.user.role === "manager";
  const [form] = Form.useForm<Company>();
  const [seal, setSeal] = useState<SealInput>({ kind: "keep" });
  const [preview, setPreview] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const picker = useRef<HTMLInputElement>(null);

  useEffect(() => {
    Promise.all([commands.getCompany(), commands.companySeal()]).then(([c, s]) => {
      form.setFieldsValue(c);
      setPreview(s);
    }, notify.error);
  }, [form, notify]);

  const pick = async (file: File | undefined) => {
    if (!file) return;
    const base64 = await base64Of(file);
    setSeal({ kind: "png", base64 });
    setPreview(`data:image/png;base64,${base64}`);
  };

  const save = async (v: Company) => {
    setBusy(true);
    try {
      const saved = await commands.saveCompany({ ...v, bizNo: v.bizNo || null, ceo: v.ceo || null, address: v.address || null, phone: v.phone || null, fax: v.fax || null, hasSeal: false }, seal);
      form.setFieldsValue(saved);
      setSeal({ kind: "keep" });
      notify.success(t("common.saved"));
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card size="small" title={t("company.title")} data-testid="company-card">
      <Typography.Paragraph type="secondary">{t("company.intro")}</Typography.Paragraph>
      <Form<Company> form={form} layout="vertical" disabled={!editable} onFinish={(v) => void save(v)}>
        <Space align="start" wrap>
          <Form.Item name="name" label={t("company.name")} rules={[{ required: true }]}>
            <Input style={{ width: 240 }} maxLength={100} data-testid="company-name" />
          </Form.Item>
          <Form.Item name="bizNo" label={t("master.partner.bizNo")}>
            <Input style={{ width: 160 }} maxLength={12} data-testid="company-biz-no" />
          </Form.Item>
          <Form.Item name="ceo" label={t("master.partner.ceo")}>
            <Input style={{ width: 120 }} maxLength={50} />
          </Form.Item>
        </Space>
        <Space align="start" wrap>
          <Form.Item name="phone" label={t("master.partner.phone")}>
            <Input style={{ width: 160 }} maxLength={20} />
          </Form.Item>
          <Form.Item name="fax" label={t("master.partner.fax")}>
            <Input style={{ width: 160 }} maxLength={20} />
          </Form.Item>
        </Space>
        <Form.Item name="address" label={t("master.partner.address")}>
          <Input maxLength={200} />
        </Form.Item>
        <Space align="center" style={{ marginBottom: 16 }}>
          <Typography.Text>{t("company.seal")}</Typography.Text>
          {preview ? <Image src={preview} width={64} alt="seal" data-testid="company-seal" /> : <Typography.Text type="secondary">{t("company.noSeal")}</Typography.Text>}
          <input ref={picker} type="file" accept="image/png" hidden onChange={(e) => void pick(e.target.files?.[0])} data-testid="company-seal-file" />
          <Button onClick={() => picker.current?.click()}>{t("company.pickSeal")}</Button>
          {preview && (
            <Button danger onClick={() => (setSeal({ kind: "remove" }), setPreview(null))}>
              {t("company.removeSeal")}
            </Button>
          )}
        </Space>
        {editable && (
          <Button type="primary" htmlType="submit" loading={busy} data-testid="company-save">
            {t("common.save")}
          </Button>
        )}
      </Form>
    </Card>
  );
}
