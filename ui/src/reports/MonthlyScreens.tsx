import { Card, Select, Space, Table, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, events, type MonthFigures } from "../bindings";
import { ExportButton } from "../components";
import { won } from "../format";
import { useLiveData } from "../production/common";
import Chart from "./Chart";

export type MonthlyKind = "monthlyOrders" | "monthlyOutsourcing" | "monthlyShipments" | "cumulative";

/** The figures each screen charts, as (label key, value of a month). */
type Measure = [string, (m: MonthFigures) => number, "bar" | "line"];

const MEASURES: Record<MonthlyKind, Measure[]> = {
  monthlyOrders: [
    ["monthly.domesticAmount", (m) => m.domesticAmount, "bar"],
    ["monthly.exportAmount", (m) => m.exportAmount, "bar"],
  ],
  monthlyOutsourcing: [["monthly.outsourcingCost", (m) => m.outsourcingCost, "bar"]],
  monthlyShipments: [["monthly.shippedAmount", (m) => m.shippedAmount, "bar"]],
  cumulative: [
    ["monthly.cumulativeAmount", (m) => m.cumulativeAmount, "line"],
    ["monthly.cumulativeGaCost", (m) => m.cumulativeGaCost, "line"],
    ["monthly.cumulativeOutsourcing", (m) => m.cumulativeOutsourcing, "line"],
  ],
};

/** Grid columns: (label key, value of a month, money or count). */
const COLUMNS: Record<MonthlyKind, [string, (m: MonthFigures) => number, boolean][]> = {
  monthlyOrders: [
    ["monthly.domesticOrders", (m) => m.domesticOrders, false],
    ["monthly.domesticAmount", (m) => m.domesticAmount, true],
    ["monthly.exportOrders", (m) => m.exportOrders, false],
    ["monthly.exportAmount", (m) => m.exportAmount, true],
    ["monthly.orders", (m) => m.domesticOrders + m.exportOrders, false],
    ["monthly.amount", (m) => m.domesticAmount + m.exportAmount, true],
  ],
  monthlyOutsourcing: [
    ["monthly.outsourcingOrders", (m) => m.outsourcingOrders, false],
    ["monthly.outsourcingReceived", (m) => m.outsourcingReceived, false],
    ["monthly.outsourcingCost", (m) => m.outsourcingCost, true],
  ],
  monthlyShipments: [
    ["monthly.shipments", (m) => m.shipments, false],
    ["monthly.shippedAmount", (m) => m.shippedAmount, true],
  ],
  cumulative: [
    ["monthly.amount", (m) => m.domesticAmount + m.exportAmount, true],
    ["monthly.gaCost", (m) => m.gaCost, true],
    ["monthly.outsourcingCost", (m) => m.outsourcingCost, true],
    ["monthly.cumulativeAmount", (m) => m.cumulativeAmount, true],
    ["monthly.cumulativeGaCost", (m) => m.cumulativeGaCost, true],
    ["monthly.cumulativeOutsourcing", (m) => m.cumulativeOutsourcing, true],
  ],
};

/**
 * Management information by month for a chosen year (월별수주현황,
 * 외주관리현황, 제품출고현황, 월별누계): a chart, the grid with the year's
 * total (the last month for sums to date), and its Excel export.
 */
export default function MonthlyScreen({ kind }: { kind: MonthlyKind }) {
  const { t } = useTranslation();
  const thisYear = new Date().getFullYear();
  const [year, setYear] = useState(thisYear);
  const [months, setMonths] = useState<MonthFigures[]>([]);
  const fetch = useCallback(() => commands.monthlyFigures(year), [year]);
  useLiveData(events.salesChanged, fetch, setMonths);
  const monthName = (m: number) => t("dashboard.month", { month: m });
  const columns: ColumnsType<MonthFigures> = [
    { title: t("monthly.month"), render: (_, m) => monthName(m.month) },
    ...COLUMNS[kind].map(([label, value, money], i) => ({
      key: i,
      title: t(label),
      align: "right" as const,
      render: (_: unknown, m: MonthFigures) => (money ? won(value(m)) : value(m)),
    })),
  ];
  const cumulative = kind === "cumulative";
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }} data-testid={`${kind}-screen`}>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {t(`monthly.intro.${kind}`)}
      </Typography.Paragraph>
      <Space wrap>
        <Select
          style={{ width: 120 }}
          value={year}
          onChange={setYear}
          options={Array.from({ length: 8 }, (_, i) => thisYear - i).map((y) => ({ value: y, label: t("monthly.year", { year: y }) }))}
          data-testid={`${kind}-year`}
        />
        <ExportButton run={() => commands.exportReport({ grid: kind, year })} testId={`${kind}-export`} />
      </Space>
      <Card size="small">
        <Chart
          testid={`${kind}-chart`}
          unit="won"
          labels={months.map((m) => monthName(m.month))}
          series={MEASURES[kind].map(([label, value, type]) => ({ label: t(label), kind: type, data: months.map(value) }))}
        />
      </Card>
      <Table<MonthFigures>
        size="small"
        className="one-line-table"
        rowKey="month"
        pagination={false}
        dataSource={months}
        columns={columns}
        data-testid={`${kind}-table`}
        summary={() =>
          months.length > 0 && (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0}>
                <b>{t(cumulative ? "monthly.yearEnd" : "monthly.total")}</b>
              </Table.Summary.Cell>
              {COLUMNS[kind].map(([, value, money], i) => {
                // Sums to date are already totals: the year's is the last month's.
                const v = cumulative && i >= 3 ? value(months[months.length - 1] as MonthFigures) : months.reduce((s, m) => s + value(m), 0);
                return (
                  <Table.Summary.Cell key={i} index={i + 1} align="right">
                    <b>{money ? won(v) : v}</b>
                  </Table.Summary.Cell>
                );
              })}
            </Table.Summary.Row>
          )
        }
      />
    </Space>
  );
}
