import { Checkbox, Form, Input, InputNumber, Modal, Select, Switch } from "antd";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useNotify } from "../notify";

/** One input of a master form. */
export type FieldSpec =
  | { name: string; label: string; kind: "text" | "textarea"; required?: boolean; max?: number }
  | { name: string; label: string; kind: "number"; required?: boolean; min?: number; max?: number; step?: number }
  | { name: string; label: string; kind: "switch" | "check" }
  | { name: string; label: string; kind: "date"; required?: boolean }
  | { name: string; label: string; kind: "select"; required?: boolean; options: { value: string | number; label: string }[] }
  | { name: string; label: string; kind: "custom"; render: () => ReactNode };

function input(f: FieldSpec, testId: string) {
  switch (f.kind) {
    case "text":
      return <Input maxLength={f.max} data-testid={testId} />;
    case "textarea":
      return <Input.TextArea maxLength={f.max} rows={2} data-testid={testId} />;
    case "number":
      return <InputNumber min={f.min} max={f.max} step={f.step} style={{ width: "100%" }} data-testid={testId} />;
    case "switch":
      return <Switch data-testid={testId} />;
    case "check":
      return <Checkbox data-testid={testId} />;
    case "date":
      // The platform's date input: antd's DatePicker cannot run under the app's frozen prototypes.
      return <Input type="date" data-testid={testId} />;
    case "select":
      return <Select options={f.options} showSearch optionFilterProp="label" data-testid={testId} />;
    case "custom":
      return f.render();
  }
}

/** "" from a cleared input is no value. */
export function blankToNull(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === "" || v === undefined ? null : v]));
}

/**
 * Adds or changes one record: the fields, then `save(values)` with blanks as
 * null. Every rule is checked again in Rust; its message shows as a toast.
 */
export default function MasterForm<V extends object>({
  title,
  testId,
  fields,
  initial,
  save,
  onClose,
  onSaved,
}: {
  title: string;
  testId: string;
  fields: FieldSpec[];
  initial: V;
  save: (values: V) => Promise<unknown>;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const submit = async (values: Record<string, unknown>) => {
    setBusy(true);
    try {
      // Fields not on the form keep their initial values.
      await save({ ...initial, ...blankToNull(values) } as V);
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
      title={title}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      okButtonProps={{ loading: busy, ...{ "data-testid": `${testId}-save` } }}
      destroyOnHidden
      width={560}
    >
      <Form form={form} layout="vertical" initialValues={initial} onFinish={(v) => void submit(v)}>
        {fields.map((f) => (
          <Form.Item
            key={f.name}
            name={f.name}
            label={f.label}
            valuePropName={f.kind === "switch" || f.kind === "check" ? "checked" : "value"}
            rules={"required" in f && f.required ? [{ required: true, message: t("master.required", { field: f.label }) }] : []}
            style={{ marginBottom: 12 }}
          >
            {input(f, `${testId}-${f.name}`)}
          </Form.Item>
        ))}
      </Form>
    </Modal>
  );
}
