import { PlusOutlined, ReloadOutlined } from "@ant-design/icons";
import {
  Alert,
  Button,
  Checkbox,
  Col,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Row,
  Select,
  Slider,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  commands,
  type CameraDevice,
  type CameraFormat,
  type ModelInfo,
  type Recordings,
  type Session,
  type StationSettings,
  type StationView,
} from "../bindings";
import { useNotify } from "../notify";
import { CountingLineMark } from "./CountingLineMark";
import { type FormValues, fromSettings, toSettings, frameOf, lineFromPercent, CAPTURABLE } from "./stationForm";

/** Draws the frame with its inspection and part-detection regions to scale. */
function RegionSketch({ values }: { values: FormValues }) {
  const { t } = useTranslation();
  const [fw, fh] = frameOf(values);
  // A field being typed in may be empty for a moment.
  const rect = (region: (number | null)[], color: string, label: string) => {
    const r = [0, 1, 2, 3].map((i) => region[i] ?? 0) as [number, number, number, number];
    return (
    <g>
      <rect x={r[0]} y={r[1]} width={r[2]} height={r[3]} fill="none" stroke={color} strokeWidth={fw / 160} />
      <text x={r[0] + fw / 100} y={r[1] + fh / 12} fill={color} fontSize={fh / 14}>
        {label}
      </text>
    </g>
    );
  };
  return (
    <svg viewBox={`0 0 ${fw} ${fh}`} style={{ width: "100%", background: "#1f2933", borderRadius: 4 }} data-testid="station-sketch">
      {values.wholeFrame ? null : rect(values.roi, "#2ec4b6", t("stations.roi"))}
      {values.trigger === "partPresent" ? rect(values.triggerRoi, "#f4a261", t("stations.triggerRoi")) : null}
      {values.counterOn && values.line.every((v) => typeof v === "number") ? (
        <CountingLineMark line={lineFromPercent(values.line)} width={fw} height={fh} />
      ) : null}
    </svg>
  );
}

function RegionInputs({ name, max }: { name: "roi" | "triggerRoi"; max: [number, number] }) {
  return (
    <Space.Compact>
      {(["x", "y", "w", "h"] as const).map((axis, i) => (
        <Form.Item key={axis} name={[name, i]} noStyle rules={[{ required: true }]}>
          <InputNumber
            min={0}
            max={i % 2 === 0 ? max[0] : max[1]}
            prefix={axis}
            style={{ width: 96 }}
            data-testid={`station-${name}-${axis}`}
          />
        </Form.Item>
      ))}
    </Space.Compact>
  );
}

/** The line counter and the fire watch of a station. */
function DetectorFields({ values }: { values: FormValues }) {
  const { t } = useTranslation();
  const place = (name: "counterPlace" | "firePlace", on: boolean) => (
    <Form.Item name={name} label={t("stations.place")} rules={[{ required: on, whitespace: true, max: 100 }]}>
      <Input maxLength={100} disabled={!on} placeholder={t("stations.placeHint")} data-testid={`station-${name}`} />
    </Form.Item>
  );
  const toggle = (name: "counterOn" | "fireOn", help: string) => (
    <>
      <Form.Item name={name} valuePropName="checked" noStyle>
        <Checkbox>{t(`stations.${name}`)}</Checkbox>
      </Form.Item>
      <Typography.Paragraph type="secondary" style={{ margin: "4px 0 8px" }}>
        {t(help)}
      </Typography.Paragraph>
    </>
  );
  return (
    <fieldset className="station-detectors">
      <legend>{t("stations.detectors")}</legend>
      {toggle("counterOn", "stations.counterHelp")}
      {place("counterPlace", values.counterOn)}
      <Form.Item label={t("stations.countingLine")} tooltip={t("stations.countingLineHelp")}>
        <Space.Compact>
          {(["a.x", "a.y", "b.x", "b.y"] as const).map((axis, i) => (
            <Form.Item key={axis} name={["line", i]} noStyle rules={[{ required: values.counterOn }]}>
              <InputNumber min={0} max={100} step={1} suffix="%" prefix={axis} disabled={!values.counterOn} style={{ width: 104 }} />
            </Form.Item>
          ))}
        </Space.Compact>
      </Form.Item>
      <Form.Item name="counterSensitivity" label={t("stations.detectorSensitivity")}>
        <Slider min={0} max={1} step={0.05} disabled={!values.counterOn} />
      </Form.Item>
      {toggle("fireOn", "stations.fireHelp")}
      {place("firePlace", values.fireOn)}
      <Space align="start">
        <Form.Item name="fireSensitivity" label={t("stations.detectorSensitivity")} style={{ width: 220 }}>
          <Slider min={0} max={1} step={0.05} disabled={!values.fireOn} />
        </Form.Item>
        <Form.Item name="smoke" label={t("stations.smoke")} valuePropName="checked">
          <Switch disabled={!values.fireOn} />
        </Form.Item>
      </Space>
    </fieldset>
  );
}

function StationDialog({
  editing,
  models,
  onClose,
  onSaved,
}: {
  editing: StationView | "new";
  models: ModelInfo[];
  onClose: () => void;
  onSaved: (station: StationView) => void;
}) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [form] = Form.useForm<FormValues>();
  const watched = Form.useWatch([], form) as Partial<FormValues> | undefined;
  const [cameras, setCameras] = useState<CameraDevice[]>([]);
  const [formats, setFormats] = useState<{ device: string; list: CameraFormat[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const [recordings, setRecordings] = useState<Recordings | null>(null);
  const initial = fromSettings(
    editing === "new" ? "" : editing.name,
    editing === "new" ? true : editing.active,
    editing === "new" ? null : editing.settings,
  );
  // Before the form has mounted its fields, the watch sees nothing.
  const values: FormValues = { ...initial, ...watched };

  const loadCameras = useCallback(async () => {
    try {
      setCameras(await commands.cameras());
    } catch (e) {
      notify.error(e);
    }
  }, [notify]);

  useEffect(() => {
    let cancelled = false;
    commands.cameras().then((found) => !cancelled && setCameras(found), notify.error);
    commands.listRecordings().then((found) => !cancelled && setRecordings(found), notify.error);
    return () => {
      cancelled = true;
    };
  }, [notify]);

  // The formats of the chosen camera; kept with the device they belong to.
  const device = values.sourceKind === "camera" ? values.device : undefined;
  useEffect(() => {
    if (!device) return;
    let cancelled = false;
    commands.cameraFormats(device).then(
      (list) => !cancelled && setFormats({ device, list: list.filter((x) => CAPTURABLE.includes(x.fourcc)) }),
      () => !cancelled && setFormats({ device, list: [] }),
    );
    return () => {
      cancelled = true;
    };
  }, [device]);
  const offered = formats !== null && formats.device === device ? formats.list : [];

  const modes = offered.flatMap((f) =>
    f.sizes.flatMap((s) =>
      s.fps.flatMap((fps) => (fps === null ? [] : [{
        value: `${f.fourcc} ${s.width}x${s.height} ${fps}`,
        label: `${f.fourcc} ${s.width} × ${s.height} @ ${fps}`,
        apply: { fourcc: f.fourcc, width: s.width, height: s.height, fps: Math.round(fps) },
      }])),
    ),
  );

  const save = async (v: FormValues) => {
    setBusy(true);
    try {
      // Fields not on screen (a hidden camera section, the roll-back model) keep their values.
      const all = { ...initial, ...v };
      const form = { name: all.name, active: all.active, settings: toSettings(all) };
      const saved = editing === "new" ? await commands.createStation(form) : await commands.updateStation(editing.id, form);
      notify.success(t("common.saved"));
      onSaved(saved);
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(false);
    }
  };

  const frame = frameOf(values);
  return (
    <Modal
      open
      width={940}
      style={{ top: 16 }}
      title={editing === "new" ? t("stations.add") : t("stations.edit", { name: editing.name })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t("common.save")}
      okButtonProps={{ loading: busy, ...{ "data-testid": "station-save" } }}
      destroyOnHidden
    >
      <Form<FormValues> form={form} layout="vertical" initialValues={initial} onFinish={(v) => void save(v)}>
        <Row gutter={16}>
          <Col span={14}>
            <Space align="start">
              <Form.Item name="name" label={t("stations.name")} rules={[{ required: true, max: 50 }]}>
                <Input maxLength={50} style={{ width: 260 }} data-testid="station-name" />
              </Form.Item>
              <Form.Item name="active" label={t("stations.active")} valuePropName="checked">
                <Switch data-testid="station-active" />
              </Form.Item>
            </Space>
            <Form.Item name="sourceKind" label={t("stations.source")}>
              <Radio.Group
                optionType="button"
                options={[
                  { value: "demo", label: t("stations.sourceDemo") },
                  { value: "camera", label: t("stations.sourceCamera") },
                  { value: "recording", label: t("stations.sourceRecording") },
                ]}
              />
            </Form.Item>
            {values.sourceKind === "recording" && (
              <Space align="start" wrap>
                <Form.Item
                  name="recording"
                  label={t("stations.recording")}
                  rules={[{ required: true }]}
                  extra={recordings && t("stations.recordingHelp", { folder: recordings.folder })}
                >
                  <Select
                    style={{ width: 320 }}
                    data-testid="station-recording"
                    notFoundContent={t("stations.noRecordings")}
                    options={(recordings?.files ?? []).map((f) => ({ value: f, label: f }))}
                  />
                </Form.Item>
                <Form.Item name="fps" label={t("stations.fps")}>
                  <InputNumber min={1} max={240} />
                </Form.Item>
              </Space>
            )}
            {values.sourceKind === "camera" && (
              <>
                <Form.Item label={t("stations.device")} required>
                  <Space.Compact style={{ width: "100%" }}>
                    <Form.Item name="device" noStyle rules={[{ required: true }]}>
                      <Select
                        data-testid="station-device"
                        notFoundContent={t("stations.noCameraFound")}
                        options={cameras.map((c) => ({ value: c.path, label: `${c.name} (${c.path})` }))}
                      />
                    </Form.Item>
                    <Button icon={<ReloadOutlined />} onClick={() => void loadCameras()} title={t("common.refresh")} />
                  </Space.Compact>
                </Form.Item>
                {modes.length > 0 && (
                  <Form.Item label={t("stations.cameraMode")}>
                    <Select
                      placeholder={t("stations.cameraModePick")}
                      options={modes}
                      onChange={(_, o) => form.setFieldsValue((o as (typeof modes)[number]).apply)}
                    />
                  </Form.Item>
                )}
                <Space wrap>
                  <Form.Item name="fourcc" label={t("stations.pixelFormat")}>
                    <Select style={{ width: 110 }} options={CAPTURABLE.map((f) => ({ value: f, label: f }))} />
                  </Form.Item>
                  <Form.Item name="width" label={t("stations.width")}>
                    <InputNumber min={16} max={8192} />
                  </Form.Item>
                  <Form.Item name="height" label={t("stations.height")}>
                    <InputNumber min={16} max={8192} />
                  </Form.Item>
                  <Form.Item name="fps" label={t("stations.fps")}>
                    <InputNumber min={1} max={240} />
                  </Form.Item>
                </Space>
              </>
            )}
            <Form.Item name="model" label={t("stations.model")} rules={[{ required: true }]}>
              <Select
                data-testid="station-model"
                options={models.map((m) => ({
                  value: m.name,
                  label: `${m.name} · ${m.version}${m.imageAuroc == null ? "" : ` · AUROC ${m.imageAuroc.toFixed(3)}`}`,
                }))}
              />
            </Form.Item>
            <Form.Item label={t("stations.roi")} tooltip={t("stations.roiHelp")}>
              <Space wrap>
                <Form.Item name="wholeFrame" valuePropName="checked" noStyle>
                  <Checkbox>{t("stations.wholeFrame")}</Checkbox>
                </Form.Item>
                {!values.wholeFrame && <RegionInputs name="roi" max={frame} />}
              </Space>
            </Form.Item>
            <Form.Item name="trigger" label={t("stations.trigger")}>
              <Radio.Group
                data-testid="station-trigger"
                options={(["continuous", "interval", "partPresent", "manual"] as const).map((m) => ({
                  value: m,
                  label: t(`stations.triggers.${m}`),
                }))}
              />
            </Form.Item>
            {values.trigger === "interval" && (
              <Form.Item name="everyMs" label={t("stations.everyMs")}>
                <InputNumber min={50} max={3600000} step={100} />
              </Form.Item>
            )}
            {values.trigger === "partPresent" && (
              <Space align="start" wrap>
                <Form.Item label={t("stations.triggerRoi")}>
                  <RegionInputs name="triggerRoi" max={frame} />
                </Form.Item>
                <Form.Item name="threshold" label={t("stations.threshold")} tooltip={t("stations.thresholdHelp")}>
                  <InputNumber min={1} max={255} />
                </Form.Item>
              </Space>
            )}
            <DetectorFields values={values} />
          </Col>
          <Col span={10}>
            <RegionSketch values={values} />
            <Form.Item name="sensitivity" label={t("stations.sensitivity")} tooltip={t("stations.sensitivityHelp")} style={{ marginTop: 16 }}>
              <Slider min={-0.5} max={0.5} step={0.05} marks={{ [-0.5]: "−0.5", 0: "0", 0.5: "+0.5" }} />
            </Form.Item>
            <Form.Item name="persistFrames" label={t("stations.persistFrames")} tooltip={t("stations.persistFramesHelp")}>
              <InputNumber min={1} max={300} />
            </Form.Item>
            <Space>
              <Form.Item name="keepOkEvery" label={t("stations.keepOkEvery")} tooltip={t("stations.keepOkEveryHelp")}>
                <InputNumber min={0} max={10000} />
              </Form.Item>
              <Form.Item name="stopAfterNg" label={t("stations.stopAfterNg")} tooltip={t("stations.stopAfterNgHelp")}>
                <InputNumber min={0} max={100} data-testid="station-stop-after-ng" />
              </Form.Item>
              <Form.Item name="idleStopSeconds" label={t("stations.idleStop")} tooltip={t("stations.idleStopHelp")}>
                <InputNumber min={0} max={3600} data-testid="station-idle-stop" />
              </Form.Item>
            </Space>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}

function sourceText(s: StationSettings, t: (k: string) => string): string {
  const src = s.source;
  switch (src.kind) {
    case "demo":
      return t("stations.sourceDemo");
    case "recording":
      return `${t("stations.sourceRecording")} · ${src.file} @${src.fps}`;
    case "camera":
      return `${src.device} · ${src.fourcc} ${src.width}×${src.height} @${src.fps}`;
  }
}

/** The stations of this install: their settings, added and changed here. */
export default function StationsScreen({ session }: { session: Session }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [stations, setStations] = useState<StationView[]>([]);
  const [models, setModels] = useState<ModelInfo[]>([]);
  const [editing, setEditing] = useState<StationView | "new" | null>(null);
  const canConfigure = session.user.role === "admin" || session.user.role === "manager";

  const load = useCallback(async () => Promise.all([commands.listStations(), commands.listModels()]), []);
  const reload = useCallback(() => {
    load().then(([list, found]) => {
      setStations(list);
      setModels(found);
    }, notify.error);
  }, [load, notify]);

  useEffect(() => {
    let cancelled = false;
    load().then(([list, found]) => {
      if (cancelled) return;
      setStations(list);
      setModels(found);
    }, notify.error);
    return () => {
      cancelled = true;
    };
  }, [load, notify]);

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Typography.Paragraph type="secondary">{t("stations.intro")}</Typography.Paragraph>
      {!canConfigure && <Alert type="info" showIcon title={t("stations.managersOnly")} />}
      <Space>
        <Button type="primary" icon={<PlusOutlined />} disabled={!canConfigure} onClick={() => setEditing("new")} data-testid="station-add">
          {t("stations.add")}
        </Button>
        <Button icon={<ReloadOutlined />} onClick={reload}>
          {t("common.refresh")}
        </Button>
      </Space>
      <Table<StationView>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={stations}
        data-testid="stations-table"
        columns={[
          { title: t("stations.name"), dataIndex: "name" },
          { title: t("stations.source"), render: (_, s) => sourceText(s.settings, t) },
          { title: t("stations.model"), render: (_, s) => s.settings.model },
          { title: t("stations.trigger"), render: (_, s) => t(`stations.triggers.${s.settings.trigger.mode}`) },
          {
            title: t("stations.state"),
            render: (_, s) => (
              <Space size={4}>
                {s.active ? <Tag color="blue">{t("stations.inUse")}</Tag> : <Tag>{t("stations.notInUse")}</Tag>}
                {s.running && <Tag color="green">{t("stations.running")}</Tag>}
              </Space>
            ),
          },
          {
            title: "",
            render: (_, s) => (
              <Button size="small" disabled={!canConfigure} onClick={() => setEditing(s)} data-testid={`station-edit-${s.id}`}>
                {t("stations.editButton")}
              </Button>
            ),
          },
        ]}
      />
      {editing !== null && (
        <StationDialog
          editing={editing}
          models={models}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            reload();
          }}
        />
      )}
    </Space>
  );
}
