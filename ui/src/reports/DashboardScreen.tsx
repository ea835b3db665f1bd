import { Card, Col, Empty, Row, Select, Space, Statistic, Table, Tag, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  commands,
  events,
  type LineStatus,
  type MonthFigures,
  type MonthSummary,
  type ProcessProgress,
  type SalesOrder,
} from "../bindings";
import type { ScreenKey } from "../menu";
import { useNotify } from "../notify";
import { OperationTag, percent, useLiveData } from "../production/common";
import { sendIntent } from "../workspace/intent";
import type { SalesListIntent } from "../sales/SalesOrdersScreen";
import type { PurchaseListIntent } from "../sales/PurchaseOrdersScreen";
import Chart, { pct } from "./Chart";

/** This month's counts, each opening its list with the filter it counts. */
function MonthCards({ open }: { open: (key: ScreenKey) => void }) {
  const { t } = useTranslation();
  const [summary, setSummary] = useState<MonthSummary | null>(null);
  useLiveData(events.salesChanged, commands.monthSummary, setSummary);
  if (!summary) return null;
  const sales = (intent: SalesListIntent) => () => {
    sendIntent("salesOrderList", intent);
    open("salesOrderList");
  };
  const month = { first: summary.first, last: summary.last };
  const cards: { key: string; value: number; onClick: () => void }[] = [
    { key: "received", value: summary.received, onClick: sales({ ...month, status: null, receivedOnly: true }) },
    {
      key: "purchaseOrders",
      value: summary.purchaseOrders,
      onClick: () => {
        sendIntent("purchaseOrderList", month satisfies PurchaseListIntent);
        open("purchaseOrderList");
      },
    },
    { key: "inWork", value: summary.inWork, onClick: sales({ first: "", last: "", status: "in_work", receivedOnly: false }) },
    { key: "completed", value: summary.completed, onClick: sales({ first: "", last: "", status: "completed", receivedOnly: false }) },
  ];
  return (
    <Row gutter={[12, 12]}>
      {cards.map((c) => (
        <Col key={c.key} xs={12} lg={6}>
          <Card hoverable size="small" onClick={c.onClick} data-testid={`dash-${c.key}`}>
            <Statistic title={t(`dashboard.${c.key}`)} value={c.value} suffix={t("dashboard.count")} />
            <Typography.Text type="secondary">{t(`dashboard.${c.key}Hint`)}</Typography.Text>
          </Card>
        </Col>
      ))}
    </Row>
  );
}

/** Every station now, kept current by the stations' and the floor's events. */
function LineCards() {
  const { t } = useTranslation();
  const notify = useNotify();
  const [lines, setLines] = useState<LineStatus[]>([]);
  const load = useCallback(() => {
    commands.lineStatus().then(setLines, (e) => notify.error(e));
  }, [notify]);
  useEffect(() => {
    load();
    // A verdict or a change of work reloads (at most every half second);
    // health arrives with its figures and is set in place.
    let timer: ReturnType<typeof setTimeout> | null = null;
    const soon = () => {
      if (timer === null) timer = setTimeout(() => ((timer = null), load()), 500);
    };
    const stops = [
      events.stationVerdict.listen(soon),
      events.productionChanged.listen(soon),
      events.stationHealthChanged.listen((e) =>
        setLines((ls) =>
          ls.map((l) => (l.line.stationId === e.payload.stationId ? { ...l, running: true, health: e.payload.health } : l)),
        ),
      ),
    ];
    return () => {
      if (timer !== null) clearTimeout(timer);
      stops.forEach((s) => void s.then((f) => f()));
    };
  }, [load]);
  if (lines.length === 0) return <Empty description={t("monitor.noStations")} />;
  return (
    <Row gutter={[12, 12]}>
      {lines.map(({ line, running, health, model }) => {
        const rate = line.today.total > 0 ? line.today.ng / line.today.total : null;
        const camera = running ? (health?.camera ?? "starting") : "stopped";
        return (
          <Col key={line.stationId} xs={24} md={12} xl={8}>
            <Card
              size="small"
              title={line.stationName}
              extra={<Tag color={camera === "running" ? "success" : camera === "lost" ? "error" : "default"}>{t(`monitor.camera.${camera}`)}</Tag>}
              data-testid={`dash-line-${line.stationId}`}
            >
              <Space orientation="vertical" size={4} style={{ width: "100%" }}>
                <Typography.Text>
                  {line.workOrderNo ? (
                    <>
                      <b data-testid="dash-line-wo">{line.workOrderNo}</b> {line.item} · {line.process}{" "}
                      {line.operationStatus && <OperationTag status={line.operationStatus} />}
                    </>
                  ) : (
                    <Typography.Text type="secondary">{t("dashboard.noWork")}</Typography.Text>
                  )}
                </Typography.Text>
                <Row>
                  <Col span={6}>
                    <Statistic title={t("production.good")} value={line.today.ok} />
                  </Col>
                  <Col span={6}>
                    <Statistic title={t("production.ng")} value={line.today.ng} styles={{ content: { color: line.today.ng > 0 ? "#cf1322" : undefined } }} />
                  </Col>
                  <Col span={12}>
                    <Statistic title={t("monitor.defectRate")} value={percent(rate)} />
                  </Col>
                </Row>
                <Typography.Text type="secondary">
                  {t("dashboard.model")}: {model ?? "–"}
                  {health?.latencyP50Ms != null && ` · ${t("monitor.latency")} ${health.latencyP50Ms.toFixed(0)} ms`}
                </Typography.Text>
              </Space>
            </Card>
          </Col>
        );
      })}
    </Row>
  );
}

/** This year's order value, G&A and outsourcing cost by month. */
function YearChart() {
  const { t } = useTranslation();
  const year = new Date().getFullYear();
  const [months, setMonths] = useState<MonthFigures[]>([]);
  const fetch = useCallback(() => commands.monthlyFigures(year), [year]);
  useLiveData(events.salesChanged, fetch, setMonths);
  return (
    <Card size="small" title={t("dashboard.yearTitle", { year })}>
      <Chart
        testid="dash-year-chart"
        unit="won"
        labels={months.map((m) => t("dashboard.month", { month: m.month }))}
        series={[
          { label: t("dashboard.orderValue"), data: months.map((m) => m.domesticAmount + m.exportAmount) },
          { label: t("dashboard.gaCost"), data: months.map((m) => m.gaCost) },
          { label: t("dashboard.outsourcingCost"), data: months.map((m) => m.outsourcingCost) },
        ]}
      />
    </Card>
  );
}

/** The progress of each process of one order in work. */
function OrderProgress() {
  const { t } = useTranslation();
  const [orders, setOrders] = useState<SalesOrder[]>([]);
  const [chosen, setChosen] = useState<number | null>(null);
  const [progress, setProgress] = useState<ProcessProgress[]>([]);
  const fetchOrders = useCallback(
    () => commands.listSalesOrders({ search: null, status: "in_work", receivedOnly: false, customerId: null, from: null, to: null, offset: 0, limit: 100 }),
    [],
  );
  const showOrders = useCallback((page: { rows: SalesOrder[] }) => {
    setOrders(page.rows);
    // The oldest order in work first: the one furthest along.
    setChosen((c) => (c !== null && page.rows.some((o) => o.id === c) ? c : (page.rows[page.rows.length - 1]?.id ?? null)));
  }, []);
  useLiveData(events.salesChanged, fetchOrders, showOrders);
  const fetchProgress = useCallback(
    () => (chosen === null ? Promise.resolve([]) : commands.orderProgress(chosen)),
    [chosen],
  );
  useLiveData(events.productionChanged, fetchProgress, setProgress);
  const share = (p: ProcessProgress) => (p.operations > 0 ? p.finished / p.operations : 0);
  return (
    <Card
      size="small"
      title={t("dashboard.progressTitle")}
      extra={
        <Select
          style={{ width: 320 }}
          value={chosen ?? undefined}
          onChange={setChosen}
          placeholder={t("dashboard.noOrders")}
          options={orders.map((o) => ({ value: o.id, label: `${o.no} ${o.name} (${o.customerName})` }))}
          data-testid="dash-order"
        />
      }
    >
      {progress.length === 0 ? (
        <Empty description={t("dashboard.noProgress")} />
      ) : (
        <>
            <Chart
              height={150}
              testid="dash-progress-chart"
              horizontal
              unit="percent"
              max={100}
              labels={progress.map((p) => p.name)}
              series={[{ label: t("dashboard.progress"), data: progress.map((p) => pct(share(p))) }]}
            />
            <Table<ProcessProgress>
              size="small"
              rowKey="processId"
              pagination={false}
              dataSource={progress}
              data-testid="dash-progress-table"
              columns={[
                { title: t("dashboard.process"), render: (_, p) => `${p.code} ${p.name}` },
                { title: t("dashboard.steps"), align: "right", render: (_, p) => `${p.finished} / ${p.operations}` },
                { title: t("dashboard.quantity"), align: "right", render: (_, p) => `${p.goodQty} / ${p.plannedQty}` },
                { title: t("dashboard.progress"), align: "right", render: (_, p) => percent(share(p)) },
              ]}
            />
        </>
      )}
    </Card>
  );
}

/**
 * The dashboard (메인): this month, the line now, the year, and one order's
 * progress; operators (`office` false) see the line only, as Rust allows.
 */
export default function DashboardScreen({ open, office }: { open: (key: ScreenKey) => void; office: boolean }) {
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }} data-testid="dashboard-screen">
      {office && <MonthCards open={open} />}
      <LineCards />
      {office && (
        <Row gutter={[12, 12]}>
          <Col xs={24} xl={12}>
            <YearChart />
          </Col>
          <Col xs={24} xl={12}>
            <OrderProgress />
          </Col>
        </Row>
      )}
    </Space>
  );
}
