import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Checkbox, Form, Input, InputNumber, Modal, Select, Space, Switch, Typography } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Equipment, type Process, type RoutingInput, type StationView } from "../bindings";
import { useNotify } from "../notify";
import { ALL_IN_USE } from "./MasterList";


/** What a routing's dialog needs of its item. */
export interface ItemRef {
  id: number;
  partNo: string;
  name: string;
}

/** Adds (routingId null) or changes a routing of an item: its name, default flag and ordered steps. */
export default function RoutingDialog({ item, routingId, onClose, onSaved }: { item: ItemRef; routingId: number | null; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [form] = Form.useForm<RoutingInput>();
  const [processes, setProcesses] = useState<Process[]>([]);
  const [equipment, setEquipment] = useState<Equipment[]>([]);
  const [stations, setStations] = useState<StationView[]>([]);
  const [busy, setBusy] = useState(false);
  const [loaded, setLoaded] = useState(routingId === null);

  useEffect(() => {
    let cancelled = false;
    Promise.all([commands.listProcesses(ALL_IN_USE), commands.listEquipment(ALL_IN_USE), commands.listStations()]).then(([p, e, s]) => {
      if (cancelled) return;
      setProcesses(p.rows);
      setEquipment(e.rows);
      setStations(s);
    }, notify.error);
    if (routingId !== null) {
      commands.getRouting(routingId).then((d) => {
        if (cancelled) return;
        form.setFieldsValue({
          name: d.routing.name,
          remarks: d.routing.remarks,
          active: d.routing.active,
          isDefault: d.routing.isDefault,
          steps: d.steps.map((s) => ({ processId: s.processId, workCenter: s.workCenter, equipmentId: s.equipmentId, cycleSeconds: s.cycleSeconds, stationId: s.stationId })),
        });
        setLoaded(true);
      }, notify.error);
    }
    return () => {
      cancelled = true;
    };
  }, [routingId, form, notify]);

  const save = async (v: RoutingInput) => {
    setBusy(true);
    try {
      await commands.saveRouting(routingId, {
        itemId: item.id,
        name: v.name,
        remarks: v.remarks || null,
        active: v.active,
        isDefault: v.isDefault,
        steps: (v.steps ?? []).map((s) => ({ ...s, workCenter: s.workCenter || null, equipmentId: s.equipmentId ?? null, stationId: s.stationId ?? null })),
      });
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
      width={920}
      title={t(routingId === null ? "master.routing.addTitle" : "master.routing.editTitle", { partNo: item.partNo, name: item.name })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      okButtonProps={{ loading: busy, disabled: !loaded, ...{ "data-testid": "routing-save" } }}
      destroyOnHidden
    >
      <Form<RoutingInput>
        form={form}
        layout="vertical"
        initialValues={{ name: t("master.routing.defaultName"), remarks: null, active: true, isDefault: true, steps: [{ processId: undefined, cycleSeconds: 60 }] }}
        onFinish={(v) => void save(v)}
      >
        <Space align="start" wrap>
          <Form.Item name="name" label={t("master.routing.name")} rules={[{ required: true }]}>
            <Input maxLength={50} style={{ width: 220 }} data-testid="routing-name" />
          </Form.Item>
          <Form.Item name="isDefault" label={t("master.routing.default")} valuePropName="checked">
            <Checkbox data-testid="routing-default" />
          </Form.Item>
          <Form.Item name="active" label={t("master.inUse")} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Space>
        <Typography.Title level={5} style={{ marginTop: 0 }}>
          {t("master.routing.steps")}
        </Typography.Title>
        <Space style={{ display: "flex", marginBottom: 4 }}>
          {[
            ["", 24],
            [t("master.routing.process"), 120],
            [t("master.routing.workCenter"), 110],
            [t("master.routing.equipment"), 160],
            [t("master.routing.cycle"), 130],
            [t("master.routing.station"), 140],
          ].map(([label, width], i) => (
            <Typography.Text key={i} type="secondary" style={{ width: Number(width), display: "inline-block" }}>
              {label}
            </Typography.Text>
          ))}
        </Space>
        <Form.List name="steps">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f, i) => (
                <Space key={f.key} align="baseline" style={{ display: "flex" }} data-testid={`routing-step-${i}`}>
                  <Typography.Text style={{ width: 24, display: "inline-block" }}>{i + 1}</Typography.Text>
                  {/* Fixed widths: a field's error message wraps under it instead of pushing the row's later fields aside. */}
                  <Form.Item name={[f.name, "processId"]} rules={[{ required: true, message: t("master.routing.processRequired") }]} style={{ width: 120 }}>
                    <Select
                      style={{ width: 120 }}
                      options={processes.map((p) => ({ value: p.id, label: p.name }))}
                      data-testid={`routing-step-${i}-process`}
                    />
                  </Form.Item>
                  <Form.Item name={[f.name, "workCenter"]}>
                    <Input style={{ width: 110 }} maxLength={30} />
                  </Form.Item>
                  <Form.Item name={[f.name, "equipmentId"]}>
                    <Select allowClear style={{ width: 160 }} options={equipment.map((e) => ({ value: e.id, label: `${e.code} ${e.name}` }))} />
                  </Form.Item>
                  <Form.Item name={[f.name, "cycleSeconds"]} rules={[{ required: true }]} style={{ width: 130 }}>
                    <InputNumber min={0.1} max={86400} step={1} suffix={t("master.routing.seconds")} style={{ width: 130 }} data-testid={`routing-step-${i}-cycle`} />
                  </Form.Item>
                  <Form.Item name={[f.name, "stationId"]}>
                    <Select allowClear style={{ width: 140 }} options={stations.map((s) => ({ value: s.id, label: s.name }))} />
                  </Form.Item>
                  <Button type="text" icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t("master.routing.removeStep")} />
                </Space>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ cycleSeconds: 60 })} data-testid="routing-add-step">
                {t("master.routing.addStep")}
              </Button>
            </>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}
