import { Card, Segmented, Space, Table, Typography } from "antd";
import { useCallback, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type OeeGroup, type OeeRow, type OeeTable, type PlanVsActual } from "../bindings";
import { DayRange, ExportButton } from "../components";
import Chart, { pct } from "../reports/Chart";
import { percent, today, useProductionData } from "./common";

/** A day range that loads `fetch` whenever it or production changes. */
function useRangeReport<T>(fetch: (first: string, last: string) => Promise<T>, empty: T, days: number) {
  const [range, setRange] = useState({ first: today(-days), last: today() });
  const [data, setData] = useState<T>(empty);
  // An incomplete range keeps the table as it is.
  const load = useCallback(
    () => (range.first && range.last ? fetch(range.first, range.last) : Promise.resolve(null)),
    [fetch, range],
  );
  const show = useCallback((d: T | null) => {
    if (d !== null) setData(d);
  }, []);
  useProductionData(load, show);
  return { range, setRange, data };
}

/** Plan against actual (생산계획대비실적): per worker and day. */
export function PlanVsActualScreen() {
  const { t } = useTranslation();
  const { range, setRange, data } = useRangeReport<PlanVsActual[]>(commands.planVsActual, [], 6);
  // The range per worker, for the chart.
  const workers = useMemo(() => {
    const by = new Map<string, { planned: number; onPlan: number; finished: number }>();
    for (const r of data) {
      const name = r.operatorName ?? t("planVsActual.unassigned");
      const w = by.get(name) ?? { planned: 0, onPlan: 0, finished: 0 };
      by.set(name, { planned: w.planned + r.planned, onPlan: w.onPlan + r.finishedOnPlan, finished: w.finished + r.finished });
    }
    return [...by.entries()];
  }, [data, t]);
  return (
    <Space orientation="vertical" size="small" style={{ width: "100%" }} data-testid="plan-vs-actual-screen">
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {t("planVsActual.intro")}
      </Typography.Paragraph>
      <Space wrap>
        <DayRange first={range.first} last={range.last} onChange={(first, last) => setRange({ first, last })} />
        <ExportButton run={() => commands.exportReport({ grid: "planVsActual", first: range.first, last: range.last })} testId="plan-vs-actual-export" />
      </Space>
      <Card size="small">
        <Chart
          height={240}
          testid="plan-vs-actual-chart"
          labels={workers.map(([name]) => name)}
          series={[
            { label: t("planVsActual.planned"), data: workers.map(([, w]) => w.planned) },
            { label: t("planVsActual.finishedOnPlan"), data: workers.map(([, w]) => w.onPlan) },
            { label: t("planVsActual.finished"), data: workers.map(([, w]) => w.finished) },
          ]}
        />
      </Card>
      <Table<PlanVsActual>
        size="small"
        className="one-line-table"
        scroll={{ x: "max-content" }}
        rowKey={(r) => `${r.day}-${r.operatorId ?? "none"}`}
        dataSource={data}
        pagination={false}
        data-testid="plan-vs-actual-table"
        columns={[
          { title: t("planVsActual.day"), dataIndex: "day" },
          { title: t("production.operator"), render: (_, r) => r.operatorName ?? t("planVsActual.unassigned") },
          { title: t("planVsActual.planned"), dataIndex: "planned", align: "right" },
          { title: t("planVsActual.finishedOnPlan"), dataIndex: "finishedOnPlan", align: "right" },
          { title: t("planVsActual.rate"), align: "right", render: (_, r) => percent(r.planned > 0 ? r.finishedOnPlan / r.planned : null) },
          { title: t("planVsActual.finished"), dataIndex: "finished", align: "right" },
          { title: t("production.plannedQty"), dataIndex: "plannedQty", align: "right" },
          { title: t("production.good"), dataIndex: "goodQty", align: "right" },
          { title: t("production.ng"), dataIndex: "ngQty", align: "right" },
        ]}
      />
    </Space>
  );
}

const GROUPS: OeeGroup[] = ["equipment", "work_center", "shift", "day"];
const NO_OEE: OeeTable = {
  rows: [],
  total: { key: "", totals: { plannedSeconds: 0, runSeconds: 0, idealSeconds: 0, good: 0, total: 0 }, availability: null, performance: null, quality: null, oee: null, downtime: [] },
};

/** OEE per equipment, work centre, shift or day, with the whole range's total. */
export function OeeScreen() {
  const { t } = useTranslation();
  const [group, setGroup] = useState<OeeGroup>("equipment");
  const fetch = useCallback((first: string, last: string) => commands.oee(first, last, group), [group]);
  const { range, setRange, data } = useRangeReport<OeeTable>(fetch, NO_OEE, 6);
  const hours = (s: number | null) => ((s ?? 0) / 3600).toFixed(1);
  const label = (r: OeeRow) => (r.key === "" ? t(`oee.unnamed.${group}`) : r.key);
  return (
    <Space orientation="vertical" size="small" style={{ width: "100%" }} data-testid="oee-screen">
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {t("oee.intro")}
      </Typography.Paragraph>
      <Space wrap>
        <DayRange first={range.first} last={range.last} onChange={(first, last) => setRange({ first, last })} />
        <Segmented<OeeGroup> value={group} onChange={setGroup} options={GROUPS.map((g) => ({ value: g, label: t(`oee.groups.${g}`) }))} data-testid="oee-group" />
        <ExportButton run={() => commands.exportReport({ grid: "oee", first: range.first, last: range.last, group })} testId="oee-export" />
      </Space>
      <Card size="small">
        <Chart
          height={260}
          testid="oee-chart"
          unit="percent"
          max={100}
          labels={data.rows.map(label)}
          series={(["availability", "performance", "quality", "oee"] as const).map((k) => ({
            label: k === "oee" ? "OEE" : t(`oee.${k}`),
            data: data.rows.map((r) => pct(r[k])),
          }))}
        />
      </Card>
      <Table<OeeRow>
        size="small"
        className="one-line-table"
        scroll={{ x: "max-content" }}
        rowKey="key"
        dataSource={data.rows}
        pagination={false}
        data-testid="oee-table"
        expandable={{ expandedRowRender: (r) => <Losses row={r} />, rowExpandable: (r) => r.totals.total > 0 || r.downtime.length > 0 }}
        summary={() =>
          data.rows.length > 0 && (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0}>
                <b>{t("oee.total")}</b>
              </Table.Summary.Cell>
              {[hours(data.total.totals.plannedSeconds), hours(data.total.totals.runSeconds), data.total.totals.good, data.total.totals.total].map((v, i) => (
                <Table.Summary.Cell key={i} index={i + 1} align="right">
                  {v}
                </Table.Summary.Cell>
              ))}
              {[data.total.availability, data.total.performance, data.total.quality, data.total.oee].map((v, i) => (
                <Table.Summary.Cell key={i} index={i + 5} align="right">
                  <b data-testid={i === 3 ? "oee-total" : undefined}>{percent(v)}</b>
                </Table.Summary.Cell>
              ))}
            </Table.Summary.Row>
          )
        }
        columns={[
          { title: t(`oee.groups.${group}`), render: (_, r) => label(r) },
          { title: t("oee.plannedHours"), align: "right", render: (_, r) => hours(r.totals.plannedSeconds) },
          { title: t("oee.runHours"), align: "right", render: (_, r) => hours(r.totals.runSeconds) },
          { title: t("production.good"), align: "right", render: (_, r) => r.totals.good },
          { title: t("oee.count"), align: "right", render: (_, r) => r.totals.total },
          { title: t("oee.availability"), align: "right", render: (_, r) => percent(r.availability) },
          { title: t("oee.performance"), align: "right", render: (_, r) => percent(r.performance) },
          { title: t("oee.quality"), align: "right", render: (_, r) => percent(r.quality) },
          { title: "OEE", align: "right", render: (_, r) => <b>{percent(r.oee)}</b> },
        ]}
      />
    </Space>
  );
}

/** What a row lost: stops by reason, slow cycles, and NG parts. */
function Losses({ row }: { row: OeeRow }) {
  const { t } = useTranslation();
  const minutes = (s: number) => `${Math.round(s / 60)} ${t("oee.minutes")}`;
  const slow = Math.max(0, (row.totals.runSeconds ?? 0) - (row.totals.idealSeconds ?? 0));
  return (
    <Space orientation="vertical" size={2} data-testid="oee-losses">
      <Typography.Text strong>{t("oee.losses")}</Typography.Text>
      {row.downtime.map((l) => (
        <Typography.Text key={l.reason ?? ""}>
          {l.reason ?? t("oee.unexplained")} ({l.category ? t(`oee.category.${l.category}`) : t("oee.category.availability")}): {minutes(l.seconds ?? 0)}
        </Typography.Text>
      ))}
      <Typography.Text>
        {t("oee.slowCycles")}: {minutes(slow)}
      </Typography.Text>
      <Typography.Text>
        {t("oee.ngParts")}: {row.totals.total - row.totals.good}
      </Typography.Text>
    </Space>
  );
}
