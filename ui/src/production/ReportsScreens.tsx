import { Segmented, Space, Table, Typography } from "antd";
import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type OeeGroup, type OeeRow, type OeeTable, type PlanVsActual } from "../bindings";
import { DayRange } from "../components";
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
  return (
    <Space orientation="vertical" size="small" style={{ width: "100%" }} data-testid="plan-vs-actual-screen">
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {t("planVsActual.intro")}
      </Typography.Paragraph>
      <DayRange first={range.first} last={range.last} onChange={(first, last) => setRange({ first, last })} />
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
  total: { key: "", totals: { plannedSeconds: 0, runSeconds: 0, idealSeconds: 0, good: 0, total: 0 }, availability: null, performance: null, quality: null, oee: null },
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
      </Space>
      <Table<OeeRow>
        size="small"
        className="one-line-table"
        scroll={{ x: "max-content" }}
        rowKey="key"
        dataSource={data.rows}
        pagination={false}
        data-testid="oee-table"
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
