import { Button, Checkbox, Input, Modal, Select, Space, Table, Tag, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Downtime, type DowntimeReason, type Page, type Session } from "../bindings";
import { DayRange } from "../components";
import { dateTime } from "../format";
import { ALL_IN_USE } from "../master/MasterList";
import { useNotify } from "../notify";
import { canPlan, duration, today, useProductionData } from "./common";

const PAGE = 50;

/** A supervisor gives a stop its reason. */
function ClassifyDialog({ stop, reasons, onClose, onDone }: { stop: Downtime; reasons: DowntimeReason[]; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [reasonId, setReasonId] = useState<number | null>(stop.reasonId);
  const [note, setNote] = useState(stop.note ?? "");
  const [busy, setBusy] = useState(false);
  const save = async () => {
    if (reasonId === null) return;
    setBusy(true);
    try {
      await commands.classifyDowntime(stop.id, reasonId, note.trim() || null);
      notify.success(t("common.saved"));
      onDone();
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t("downtime.classifyTitle", { no: stop.workOrderNo, process: stop.processName })}
      onCancel={onClose}
      onOk={() => void save()}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      okButtonProps={{ loading: busy, disabled: reasonId === null, ...{ "data-testid": "classify-save" } }}
    >
      <Space orientation="vertical" style={{ width: "100%" }}>
        <Select
          style={{ width: "100%" }}
          value={reasonId ?? undefined}
          onChange={(v: number) => setReasonId(v)}
          options={reasons.map((r) => ({ value: r.id, label: `${r.code} ${r.name} (${t(`master.downtime.categories.${r.category}`)})` }))}
          data-testid="classify-reason"
        />
        <Input.TextArea rows={2} maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} placeholder={t("downtime.note")} />
      </Space>
    </Modal>
  );
}

/** Stops (비가동): by day range, the unexplained ones a station opened first to classify. */
export default function DowntimeScreen({ session }: { session: Session }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [range, setRange] = useState({ first: today(-7), last: today() });
  const [unexplainedOnly, setUnexplainedOnly] = useState(false);
  const [page, setPage] = useState(1);
  const [data, setData] = useState<Page<Downtime>>({ rows: [], total: 0 });
  const [reasons, setReasons] = useState<DowntimeReason[]>([]);
  const [classifying, setClassifying] = useState<Downtime | null>(null);

  const fetch = useCallback(
    () =>
      commands.listDowntimes({
        firstDay: range.first || null,
        lastDay: range.last || null,
        unexplainedOnly,
        offset: (page - 1) * PAGE,
        limit: PAGE,
      }),
    [range, unexplainedOnly, page],
  );
  const reload = useProductionData(fetch, setData);
  useEffect(() => {
    if (canPlan(session)) commands.listDowntimeReasons(ALL_IN_USE).then((p) => setReasons(p.rows), notify.error);
  }, [session, notify]);

  return (
    <Space orientation="vertical" size="small" style={{ width: "100%" }} data-testid="downtime-screen">
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {t("downtime.intro")}
      </Typography.Paragraph>
      <Space wrap>
        <DayRange first={range.first} last={range.last} onChange={(first, last) => (setRange({ first, last }), setPage(1))} />
        <Checkbox checked={unexplainedOnly} onChange={(e) => (setUnexplainedOnly(e.target.checked), setPage(1))} data-testid="downtime-unexplained">
          {t("downtime.unexplainedOnly")}
        </Checkbox>
      </Space>
      <Table<Downtime>
        size="small"
        className="one-line-table"
        scroll={{ x: "max-content" }}
        rowKey="id"
        dataSource={data.rows}
        data-testid="downtime-table"
        pagination={{ current: page, pageSize: PAGE, total: data.total, showSizeChanger: false, onChange: setPage }}
        columns={[
          { title: t("downtime.startedAt"), render: (_, d) => dateTime(d.startedAt) },
          { title: t("downtime.length"), render: (_, d) => (d.endedAt ? duration(d.startedAt, d.endedAt) : <Tag color="red">{t("downtime.ongoing")}</Tag>) },
          { title: t("production.workOrderNo"), dataIndex: "workOrderNo" },
          { title: t("production.process"), dataIndex: "processName" },
          { title: t("production.workCenter"), render: (_, d) => d.workCenter ?? "–" },
          { title: t("production.equipment"), render: (_, d) => d.equipmentName ?? "–" },
          {
            title: t("downtime.reason"),
            render: (_, d) => (d.reasonName ? `${d.reasonName} (${t(`master.downtime.categories.${d.category}`)})` : <Tag color="orange">{t("downtime.unexplained")}</Tag>),
          },
          { title: t("downtime.source"), render: (_, d) => t(`downtime.sources.${d.source}`) },
          { title: t("downtime.note"), render: (_, d) => d.note ?? "" },
          { title: t("downtime.recordedBy"), render: (_, d) => d.classifiedByName ?? d.recordedByName ?? "–" },
          {
            title: "",
            render: (_, d) =>
              canPlan(session) && (
                <Button size="small" onClick={() => setClassifying(d)} data-testid="downtime-classify">
                  {t("downtime.classify")}
                </Button>
              ),
          },
        ]}
      />
      {classifying && (
        <ClassifyDialog
          stop={classifying}
          reasons={reasons}
          onClose={() => setClassifying(null)}
          onDone={() => {
            setClassifying(null);
            reload();
          }}
        />
      )}
    </Space>
  );
}
