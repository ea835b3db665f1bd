import { CheckOutlined, MinusOutlined, PauseOutlined, PlayCircleOutlined, PlusOutlined, ReloadOutlined, SendOutlined } from "@ant-design/icons";
import { Alert, Badge, Button, Card, Empty, Input, InputNumber, Modal, Space, Tag, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Operation, type QuantityReport, type TerminalCodes, type WorkCenterLoad } from "../bindings";
import { dateTime } from "../format";
import { useNotify } from "../notify";
import { OperationTag, useProductionData } from "./common";

/** Sizes for gloved fingers on a 1280 × 800 tablet. */
const BIG = { height: 64, fontSize: 20, minWidth: 150 };
/** The key a work centre's button and the store use; null is "no work centre". */
const NO_CENTER = "__none__";

/** A number with large − and + buttons either side; typing works too. */
function Stepper({ value, onChange, testId, max }: { value: number; onChange: (v: number) => void; testId: string; max?: number }) {
  const { t } = useTranslation();
  const clamp = (v: number) => Math.max(0, Math.min(max ?? 1_000_000, Math.round(v)));
  return (
    <Space.Compact>
      <Button style={{ height: 56, width: 64 }} icon={<MinusOutlined />} onClick={() => onChange(clamp(value - 1))} aria-label={t("terminal.less")} data-testid={`${testId}-minus`} />
      <InputNumber
        style={{ width: 110, fontSize: 22, height: 56, paddingTop: 10 }}
        min={0}
        max={max ?? 1_000_000}
        precision={0}
        value={value}
        onChange={(v) => onChange(clamp(v ?? 0))}
        data-testid={testId}
      />
      <Button style={{ height: 56, width: 64 }} icon={<PlusOutlined />} onClick={() => onChange(clamp(value + 1))} aria-label={t("terminal.more")} data-testid={`${testId}-plus`} />
    </Space.Compact>
  );
}

/** Good, NG (by defect code) and scrap since the last report; on Finish also the material lots. */
function QuantityDialog({
  op,
  codes,
  finishing,
  onClose,
  onDone,
}: {
  op: Operation;
  codes: TerminalCodes;
  finishing: boolean;
  onClose: () => void;
  onDone: (op: Operation) => void;
}) {
  const { t } = useTranslation();
  const notify = useNotify();
  // What a watching station counted and nobody confirmed yet; else what is left of the plan.
  const watched = op.stationId !== null;
  const [good, setGood] = useState(watched ? Math.max(0, op.stationOk - op.goodQty) : finishing ? Math.max(0, op.plannedQty - op.goodQty - op.ngQty) : 0);
  const [defects, setDefects] = useState<Record<number, number>>({});
  const [ngTotal, setNgTotal] = useState(watched ? Math.max(0, op.stationNg - op.ngQty) : 0);
  const [scrap, setScrap] = useState(0);
  // Typed or scanned: several lot numbers apart by spaces or commas.
  const [materials, setMaterials] = useState("");
  const lots = [...new Set(materials.split(/[\s,]+/).filter((l) => l.length > 0))];
  const [busy, setBusy] = useState(false);
  const byCode = Object.values(defects).reduce((a, b) => a + b, 0);
  const balanced = byCode === ngTotal;

  const submit = async () => {
    const report: QuantityReport = {
      good,
      ng: ngTotal,
      scrap,
      defects: Object.entries(defects)
        .filter(([, qty]) => qty > 0)
        .map(([id, qty]) => ({ defectCodeId: Number(id), qty })),
    };
    setBusy(true);
    try {
      const after = finishing ? await commands.finishOperation(op.id, { report, materialLots: lots }) : await commands.reportQuantities(op.id, report);
      notify.success(finishing ? t("terminal.finished", { lot: after.lotNo ?? "" }) : t("terminal.reported"));
      onDone(after);
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      width={900}
      title={finishing ? t("terminal.finishTitle", { process: op.processName, no: op.workOrderNo }) : t("terminal.reportTitle", { process: op.processName, no: op.workOrderNo })}
      onCancel={onClose}
      footer={
        <Space>
          <Button style={BIG} onClick={onClose}>
            {t("common.cancel")}
          </Button>
          <Button style={BIG} type="primary" loading={busy} disabled={!balanced || scrap > ngTotal} onClick={() => void submit()} data-testid="qty-confirm">
            {finishing ? t("terminal.finish") : t("terminal.report")}
          </Button>
        </Space>
      }
      destroyOnHidden
    >
      {watched && <Alert type="info" showIcon title={t("terminal.stationCounted", { ok: op.stationOk, ng: op.stationNg })} style={{ marginBottom: 12 }} />}
      <Space size="large" wrap align="start">
        <Space orientation="vertical">
          <Typography.Text strong style={{ fontSize: 18 }}>
            {t("production.good")}
          </Typography.Text>
          <Stepper value={good} onChange={setGood} testId="qty-good" />
        </Space>
        <Space orientation="vertical">
          <Typography.Text strong style={{ fontSize: 18 }}>
            {t("production.ng")}
          </Typography.Text>
          <Stepper value={ngTotal} onChange={setNgTotal} testId="qty-ng" />
        </Space>
        <Space orientation="vertical">
          <Typography.Text strong style={{ fontSize: 18 }}>
            {t("production.scrap")}
          </Typography.Text>
          <Stepper value={scrap} onChange={setScrap} max={ngTotal} testId="qty-scrap" />
        </Space>
      </Space>
      {ngTotal > 0 && (
        <>
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t("terminal.defectsTitle")}{" "}
            <Typography.Text type={balanced ? "success" : "danger"} data-testid="qty-defect-sum">
              {t("terminal.defectSum", { sum: byCode, ng: ngTotal })}
            </Typography.Text>
          </Typography.Title>
          <Space wrap size="middle">
            {codes.defectCodes.map((c) => (
              <Space key={c.id} orientation="vertical" size={2}>
                <Typography.Text>
                  {c.code} {c.name}
                </Typography.Text>
                <Stepper value={defects[c.id] ?? 0} onChange={(v) => setDefects((d) => ({ ...d, [c.id]: v }))} testId={`qty-defect-${c.code}`} />
              </Space>
            ))}
          </Space>
        </>
      )}
      {finishing && (
        <>
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t("terminal.materialLots")}
          </Typography.Title>
          <Input size="large" value={materials} onChange={(e) => setMaterials(e.target.value)} placeholder={t("terminal.materialLotsHint")} data-testid="qty-materials" />
          <Space wrap style={{ marginTop: 8 }}>
            {lots.map((l) => (
              <Tag key={l} color="blue">
                {l}
              </Tag>
            ))}
          </Space>
        </>
      )}
    </Modal>
  );
}

/** Pause: the stop's reason, one large button each, and an optional note. */
function PauseDialog({ op, codes, onClose, onDone }: { op: Operation; codes: TerminalCodes; onClose: () => void; onDone: (op: Operation) => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const pause = async (reasonId: number) => {
    setBusy(true);
    try {
      onDone(await commands.pauseOperation(op.id, reasonId, note.trim() || null));
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open width={860} title={t("terminal.pauseTitle")} onCancel={onClose} footer={null} destroyOnHidden>
      {codes.downtimeReasons.length === 0 && <Alert type="warning" showIcon title={t("terminal.noReasons")} />}
      <Space wrap size="middle" style={{ marginBottom: 16 }}>
        {codes.downtimeReasons.map((r) => (
          <Button key={r.id} style={{ ...BIG, minWidth: 180 }} disabled={busy} onClick={() => void pause(r.id)} data-testid={`pause-reason-${r.code}`}>
            {r.name}
          </Button>
        ))}
      </Space>
      <Input size="large" maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} placeholder={t("terminal.noteHint")} data-testid="pause-note" />
    </Modal>
  );
}

/**
 * The shop-floor terminal (작업실적입력): pick a work centre, then one of
 * its open operations in plan order, and Start, Pause (with a reason),
 * Resume, report quantities and Finish with large buttons. Every button
 * also works from the keyboard (Tab, Enter).
 */
export default function TerminalScreen() {
  const { t } = useTranslation();
  const notify = useNotify();
  const [centers, setCenters] = useState<WorkCenterLoad[]>([]);
  const [center, setCenter] = useState<string | null>(null);
  const [ops, setOps] = useState<Operation[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [codes, setCodes] = useState<TerminalCodes>({ downtimeReasons: [], defectCodes: [] });
  const [dialog, setDialog] = useState<"pause" | "report" | "finish" | null>(null);
  const [busy, setBusy] = useState(false);

  const fetch = useCallback(
    async () => ({
      centers: await commands.workCenters(),
      ops: center === null ? [] : await commands.openOperations(center === NO_CENTER ? null : center),
    }),
    [center],
  );
  const show = useCallback((d: { centers: WorkCenterLoad[]; ops: Operation[] }) => {
    setCenters(d.centers);
    setOps(d.ops);
  }, []);
  const load = useProductionData(fetch, show);
  useEffect(() => {
    commands.terminalCodes().then(setCodes, notify.error);
  }, [notify]);

  const op = ops.find((o) => o.id === selected) ?? null;

  const act = async (run: () => Promise<Operation>, done: string) => {
    setBusy(true);
    try {
      await run();
      notify.success(t(done));
    } catch (e) {
      notify.error(e);
    } finally {
      load();
      setBusy(false);
    }
  };

  const closeDialog = () => setDialog(null);
  const afterDialog = () => {
    setDialog(null);
    load();
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }} data-testid="terminal-screen">
      <Space wrap>
        <Typography.Text strong style={{ fontSize: 18 }}>
          {t("terminal.workCenter")}
        </Typography.Text>
        {centers.length === 0 && <Typography.Text type="secondary">{t("terminal.noOpenWork")}</Typography.Text>}
        {centers.map((c) => {
          const key = c.workCenter ?? NO_CENTER;
          return (
            <Badge key={key} count={c.open} color="#1d4e89">
              <Button
                style={BIG}
                type={center === key ? "primary" : "default"}
                onClick={() => {
                  setCenter(key);
                  setSelected(null);
                }}
                data-testid={`terminal-center-${key}`}
              >
                {c.workCenter ?? t("terminal.noCenter")}
              </Button>
            </Badge>
          );
        })}
        <Button style={{ height: 64, width: 64 }} icon={<ReloadOutlined />} onClick={load} aria-label={t("terminal.refresh")} />
      </Space>
      {center !== null && (
        <div style={{ display: "flex", gap: 16, alignItems: "flex-start" }}>
          <Space orientation="vertical" style={{ flex: "0 0 46%", maxHeight: 620, overflow: "auto" }} data-testid="terminal-operations">
            {ops.length === 0 && <Empty description={t("terminal.noOpenWork")} />}
            {ops.map((o) => (
              <Card
                key={o.id}
                size="small"
                hoverable
                tabIndex={0}
                onClick={() => setSelected(o.id)}
                onKeyDown={(e) => {
                  if (e.key === "Enter" || e.key === " ") setSelected(o.id);
                }}
                style={{ borderColor: o.id === selected ? "#1d4e89" : undefined, borderWidth: o.id === selected ? 2 : 1 }}
                data-testid={`terminal-op-${o.workOrderNo}-${o.seq}`}
              >
                <Space style={{ width: "100%", justifyContent: "space-between" }}>
                  <Typography.Text strong style={{ fontSize: 17 }}>
                    {o.workOrderNo} · {o.processName}
                  </Typography.Text>
                  <OperationTag status={o.status} />
                </Space>
                <div style={{ fontSize: 15 }}>
                  {o.partNo} {o.itemName}
                </div>
                <Typography.Text type="secondary">
                  {t("terminal.planLine", { date: o.planDate, qty: o.plannedQty, good: o.goodQty, ng: o.ngQty })}
                </Typography.Text>
              </Card>
            ))}
          </Space>
          <Card style={{ flex: 1 }} data-testid="terminal-panel">
            {op === null ? (
              <Empty description={t("terminal.pickOperation")} />
            ) : (
              <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
                <Space style={{ width: "100%", justifyContent: "space-between" }}>
                  <Typography.Title level={3} style={{ margin: 0 }}>
                    {op.processName} · {op.workOrderNo}
                  </Typography.Title>
                  <OperationTag status={op.status} />
                </Space>
                <Typography.Text style={{ fontSize: 17 }}>
                  {op.partNo} {op.itemName} · {t("production.equipment")}: {op.equipmentName ?? "–"}
                </Typography.Text>
                <Space size="large" style={{ fontSize: 18 }}>
                  <span>
                    {t("production.plannedQty")}: <b>{op.plannedQty}</b>
                  </span>
                  <span>
                    {t("production.good")}: <b data-testid="terminal-good">{op.goodQty}</b>
                  </span>
                  <span>
                    {t("production.ng")}: <b data-testid="terminal-ng">{op.ngQty}</b>
                  </span>
                  {op.stationId !== null && (
                    <span>
                      {t("terminal.station")}: {op.stationOk} / {op.stationNg}
                    </span>
                  )}
                </Space>
                {op.startedAt && (
                  <Typography.Text type="secondary">
                    {t("production.startedAt")}: {dateTime(op.startedAt)} · {t("production.operator")}: {op.operatorName ?? "–"}
                  </Typography.Text>
                )}
                <Space wrap size="middle">
                  {op.status === "waiting" && (
                    <Button style={BIG} type="primary" icon={<PlayCircleOutlined />} loading={busy} onClick={() => void act(() => commands.startOperation(op.id), "terminal.started")} data-testid="terminal-start">
                      {t("terminal.start")}
                    </Button>
                  )}
                  {op.status === "running" && (
                    <Button style={BIG} icon={<PauseOutlined />} disabled={busy} onClick={() => setDialog("pause")} data-testid="terminal-pause">
                      {t("terminal.pause")}
                    </Button>
                  )}
                  {op.status === "paused" && (
                    <Button style={BIG} type="primary" icon={<PlayCircleOutlined />} loading={busy} onClick={() => void act(() => commands.resumeOperation(op.id), "terminal.resumed")} data-testid="terminal-resume">
                      {t("terminal.resume")}
                    </Button>
                  )}
                  {(op.status === "running" || op.status === "paused") && (
                    <>
                      <Button style={BIG} icon={<SendOutlined />} disabled={busy} onClick={() => setDialog("report")} data-testid="terminal-report">
                        {t("terminal.report")}
                      </Button>
                      <Button style={{ ...BIG, background: "#237804", color: "#fff" }} icon={<CheckOutlined />} disabled={busy} onClick={() => setDialog("finish")} data-testid="terminal-finish">
                        {t("terminal.finish")}
                      </Button>
                    </>
                  )}
                </Space>
              </Space>
            )}
          </Card>
        </div>
      )}
      {op !== null && dialog === "pause" && <PauseDialog op={op} codes={codes} onClose={closeDialog} onDone={afterDialog} />}
      {op !== null && (dialog === "report" || dialog === "finish") && (
        <QuantityDialog op={op} codes={codes} finishing={dialog === "finish"} onClose={closeDialog} onDone={afterDialog} />
      )}
    </Space>
  );
}
