import { FilePdfOutlined } from "@ant-design/icons";
import { Button, Card, Empty, Input, Space, Table, Typography } from "antd";
import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type DailyReport, type DailyRow, type OeeTotals } from "../bindings";
import { ExportButton } from "../components";
import { timeOfDay } from "../format";
import { useNotify } from "../notify";
import { percent, today, useProductionData } from "../production/common";
import { useEvidence } from "../screens/Evidence";
import { Thumbnail } from "../screens/InspectionHistory";

function defectRate(r: { good: number; ng: number }): number | null {
  return r.good + r.ng > 0 ? r.ng / (r.good + r.ng) : null;
}

/** Availability × performance × quality = ideal time / planned time × good / made. */
function oeeOf(o: OeeTotals): number | null {
  const planned = o.plannedSeconds ?? 0;
  return planned > 0 && o.total > 0 ? ((o.idealSeconds ?? 0) / planned) * (o.good / o.total) : null;
}

/** The daily production report (일일 생산 보고서) of a chosen day, on screen and as PDF. */
export default function DailyReportScreen() {
  const { t } = useTranslation();
  const notify = useNotify();
  const [day, setDay] = useState(today());
  const [report, setReport] = useState<DailyReport | null>(null);
  const [busy, setBusy] = useState(false);
  const evidence = useEvidence(t("quality.evidence"), (r) => r.defectType ?? "");
  const fetch = useCallback(() => (day ? commands.dailyReport(day) : Promise.resolve(null)), [day]);
  useProductionData(fetch, setReport);
  const pdf = async () => {
    setBusy(true);
    try {
      notify.success(t("daily.pdfSaved", { path: await commands.dailyReportPdf(day) }));
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(false);
    }
  };
  const rows = report?.rows ?? [];
  const sum = (f: (r: DailyRow) => number) => rows.reduce((s, r) => s + f(r), 0);
  const oee = report ? oeeOf(report.total) : null;
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }} data-testid="daily-report-screen">
      <Space wrap>
        <Input type="date" style={{ width: 160 }} value={day} onChange={(e) => setDay(e.target.value)} aria-label={t("daily.day")} data-testid="daily-day" />
        <Button type="primary" icon={<FilePdfOutlined />} loading={busy} disabled={!day} onClick={() => void pdf()} data-testid="daily-pdf">
          {t("daily.pdf")}
        </Button>
        <ExportButton run={() => commands.exportReport({ grid: "daily", day })} testId="daily-export" />
      </Space>
      <Table<DailyRow>
        size="small"
        className="one-line-table"
        scroll={{ x: "max-content" }}
        rowKey={(r) => `${r.workOrderNo}-${r.process}-${r.station ?? ""}-${r.equipment ?? ""}`}
        pagination={false}
        dataSource={rows}
        data-testid="daily-table"
        columns={[
          { title: t("daily.workOrder"), dataIndex: "workOrderNo" },
          { title: t("daily.item"), dataIndex: "item" },
          { title: t("daily.process"), dataIndex: "process" },
          { title: t("daily.station"), render: (_, r) => [r.station, r.equipment].filter(Boolean).join(" / ") },
          { title: t("production.operator"), render: (_, r) => r.operator ?? "" },
          { title: t("production.plannedQty"), dataIndex: "plannedQty", align: "right" },
          { title: t("production.good"), dataIndex: "good", align: "right" },
          { title: t("production.ng"), dataIndex: "ng", align: "right" },
          { title: t("monitor.defectRate"), align: "right", render: (_, r) => percent(defectRate(r)) },
          { title: t("daily.stationCounts"), align: "right", render: (_, r) => (r.stationOk + r.stationNg > 0 ? `${r.stationOk} / ${r.stationNg}` : "") },
          { title: t("daily.downtime"), align: "right", render: (_, r) => ((r.downtimeSeconds ?? 0) / 60).toFixed(0) },
          { title: "OEE", align: "right", render: (_, r) => percent(oeeOf(r.oee)) },
        ]}
        summary={() =>
          rows.length > 0 && (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0} colSpan={5}>
                <b>{t("oee.total")}</b>
              </Table.Summary.Cell>
              {[sum((r) => r.plannedQty), sum((r) => r.good), sum((r) => r.ng), percent(defectRate({ good: sum((r) => r.good), ng: sum((r) => r.ng) })), "", (sum((r) => r.downtimeSeconds ?? 0) / 60).toFixed(0), percent(oee)].map((v, i) => (
                <Table.Summary.Cell key={i} index={i + 5} align="right">
                  <b data-testid={i === 6 ? "daily-oee" : undefined}>{v}</b>
                </Table.Summary.Cell>
              ))}
            </Table.Summary.Row>
          )
        }
      />
      <Card size="small" title={t("daily.images")}>
        {report && report.ngImages.length > 0 ? (
          <Space wrap data-testid="daily-images">
            {report.ngImages.map((r) => (
              <Space key={r.id} orientation="vertical" size={0} align="center">
                <Thumbnail id={r.id} onOpen={() => void evidence.show(r)} />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {timeOfDay(r.at)} {r.defectType ?? ""}
                </Typography.Text>
              </Space>
            ))}
          </Space>
        ) : (
          <Empty description={t("daily.noImages")} />
        )}
      </Card>
      {evidence.dialog}
    </Space>
  );
}
