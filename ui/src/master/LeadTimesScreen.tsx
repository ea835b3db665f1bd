import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, InputNumber, Space, Table, Typography } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type LeadTimeRow, type Process, type Session } from "../bindings";
import { useNotify } from "../notify";
import { ALL_IN_USE } from "./MasterList";
import { canEditMaster } from "./SimpleMaster";


/** A row as edited: its max lead and each process's offset (null: the process is not planned). */
interface Draft {
  key: number;
  maxDays: number | null;
  offsets: Record<number, number | null>;
}

/**
 * The lead-time planning table: for an order whose lead (due − order date)
 * is at most "max lead", each process starts its offset in days after the
 * order date. Saved whole.
 */
export default function LeadTimesScreen({ session }: { session: Session }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [processes, setProcesses] = useState<Process[]>([]);
  const [rows, setRows] = useState<Draft[]>([]);
  const [busy, setBusy] = useState(false);
  const editable = canEditMaster(session);

  const toDrafts = (saved: LeadTimeRow[]): Draft[] =>
    saved.map((r, i) => ({ key: i, maxDays: r.maxDays, offsets: Object.fromEntries(r.offsets.map((o) => [o.processId, o.dayOffset])) }));

  useEffect(() => {
    let cancelled = false;
    Promise.all([commands.listProcesses(ALL_IN_USE), commands.getLeadTimes()]).then(([p, saved]) => {
      if (cancelled) return;
      setProcesses(p.rows);
      setRows(toDrafts(saved));
    }, notify.error);
    return () => {
      cancelled = true;
    };
  }, [notify]);

  const change = (key: number, f: (d: Draft) => Draft) => setRows((rs) => rs.map((r) => (r.key === key ? f(r) : r)));
  const save = async () => {
    setBusy(true);
    try {
      const saved = await commands.saveLeadTimes(
        rows.map((r) => ({
          maxDays: r.maxDays ?? -1,
          offsets: Object.entries(r.offsets)
            .filter(([, d]) => d !== null)
            .map(([p, d]) => ({ processId: Number(p), dayOffset: d as number })),
        })),
      );
      setRows(toDrafts(saved));
      notify.success(t("common.saved"));
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Typography.Paragraph type="secondary">{t("master.leadTimes.intro")}</Typography.Paragraph>
      <Table<Draft>
        rowKey="key"
        size="small"
        pagination={false}
        dataSource={rows}
        data-testid="lead-times-table"
        columns={[
          {
            title: t("master.leadTimes.maxDays"),
            render: (_, r) => (
              <InputNumber min={0} max={3650} disabled={!editable} value={r.maxDays} onChange={(v) => change(r.key, (d) => ({ ...d, maxDays: v }))} />
            ),
          },
          ...processes.map((p) => ({
            title: p.name,
            key: p.id,
            render: (_: unknown, r: Draft) => (
              <InputNumber
                min={0}
                max={3650}
                disabled={!editable}
                value={r.offsets[p.id] ?? null}
                onChange={(v) => change(r.key, (d) => ({ ...d, offsets: { ...d.offsets, [p.id]: v } }))}
              />
            ),
          })),
          ...(editable
            ? [
                {
                  title: "",
                  key: "remove",
                  render: (_: unknown, r: Draft) => (
                    <Button type="text" icon={<DeleteOutlined />} onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))} aria-label={t("master.leadTimes.remove")} />
                  ),
                },
              ]
            : []),
        ]}
      />
      {editable && (
        <Space>
          <Button icon={<PlusOutlined />} onClick={() => setRows((rs) => [...rs, { key: Date.now(), maxDays: null, offsets: {} }])}>
            {t("master.leadTimes.addRow")}
          </Button>
          <Button type="primary" loading={busy} onClick={() => void save()} data-testid="lead-times-save">
            {t("common.save")}
          </Button>
        </Space>
      )}
    </Space>
  );
}
