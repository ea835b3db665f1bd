import { Button, Card, Col, Drawer, Row, Select, Space, Statistic, Table, Tag, Typography } from "antd";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  commands,
  events,
  type InspectionFilter,
  type InspectionRow,
  type QualityQuery,
  type QualityReport,
  type RateRow,
  type ReportGrid,
  type StationView,
} from "../bindings";
import { DayRange, ExportButton } from "../components";
import { dateTime, localMidnight } from "../format";
import { useNotify } from "../notify";
import { percent, today, useLiveData } from "../production/common";
import { useEvidence } from "../screens/Evidence";
import { Thumbnail } from "../screens/InspectionHistory";
import Chart, { RED, pct } from "./Chart";

const PAGE = 50;
const EMPTY: QualityReport = { parts: 0, ng: 0, byItem: [], byProcess: [], byStation: [], pareto: [], pChart: { center: null, points: [] } };

/** What a drill-down lists: the query's parts narrowed to one bar or day. */
interface Drill {
  title: string;
  filter: Omit<InspectionFilter, "beforeId" | "limit">;
}

function rate(r: { parts: number; ng: number }): number | null {
  return r.parts > 0 ? r.ng / r.parts : null;
}

/** The NG inspections behind a bar, newest first, a page at a time, with images. */
function DrillDrawer({ drill, onClose }: { drill: Drill | null; onClose: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [rows, setRows] = useState<InspectionRow[]>([]);
  const [more, setMore] = useState(false);
  const evidence = useEvidence(t("quality.evidence"), (r) => r.defectType ?? "");
  const fetchPage = useCallback(
    (before: InspectionRow | null) =>
      drill ? commands.listInspections({ ...drill.filter, beforeId: before?.id ?? null, limit: PAGE }) : Promise.resolve([]),
    [drill],
  );
  useEffect(() => {
    let cancelled = false;
    fetchPage(null).then(
      (page) => {
        if (cancelled) return;
        setRows(page);
        setMore(page.length === PAGE);
      },
      (e) => notify.error(e),
    );
    return () => {
      cancelled = true;
    };
  }, [fetchPage, notify]);
  const next = async () => {
    try {
      const page = await fetchPage(rows[rows.length - 1] ?? null);
      setRows((old) => [...old, ...page]);
      setMore(page.length === PAGE);
    } catch (e) {
      notify.error(e);
    }
  };
  return (
    <Drawer open={drill !== null} onClose={onClose} size="large" title={drill?.title} data-testid="quality-drill">
      <Table<InspectionRow>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={rows}
        data-testid="quality-drill-table"
        columns={[
          { title: t("history.at"), render: (_, r) => dateTime(r.at) },
          { title: t("quality.defectType"), render: (_, r) => r.defectType ?? t("quality.noType") },
          { title: t("quality.score"), align: "right", render: (_, r) => r.score?.toFixed(2) ?? "–" },
          { title: t("quality.image"), render: (_, r) => (r.imagePath ? <Thumbnail id={r.id} onOpen={() => void evidence.show(r)} /> : "–") },
        ]}
      />
      {more && (
        <Button style={{ marginTop: 8 }} onClick={() => void next()} data-testid="quality-drill-more">
          {t("history.more")}
        </Button>
      )}
      {evidence.dialog}
    </Drawer>
  );
}

/** A breakdown as a bar chart of defect rates beside its grid; a click drills down. */
function RateCard({
  title,
  rows,
  unnamed,
  grid,
  testid,
  onDrill,
}: {
  title: string;
  rows: RateRow[];
  unnamed: string;
  grid: ReportGrid;
  testid: string;
  onDrill: (row: RateRow, label: string) => void;
}) {
  const { t } = useTranslation();
  const label = (r: RateRow) => r.label ?? unnamed;
  return (
    <Card size="small" title={title} extra={<ExportButton run={() => commands.exportReport(grid)} testId={`${testid}-export`} />}>
      <Chart
        height={200}
        testid={`${testid}-chart`}
        horizontal
        unit="percent"
        labels={rows.map(label)}
        series={[{ label: t("quality.rate"), data: rows.map((r) => pct(rate(r))), color: RED }]}
        onClick={(i) => rows[i] && onDrill(rows[i], label(rows[i]))}
      />

      <Table<RateRow>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={rows}
        data-testid={`${testid}-table`}
        onRow={(r) => ({ onClick: () => onDrill(r, label(r)), style: { cursor: "pointer" } })}
        columns={[
          { title: t("quality.group"), render: (_, r) => label(r) },
          { title: t("quality.parts"), dataIndex: "parts", align: "right" },
          { title: t("quality.ng"), dataIndex: "ng", align: "right" },
          { title: t("quality.rate"), align: "right", render: (_, r) => percent(rate(r)) },
        ]}
      />
    </Card>
  );
}

/** Quality (품질 통계): defect rates, Pareto and p-chart for a range, drilling down to the parts. */
export default function QualityScreen() {
  const { t } = useTranslation();
  const [range, setRange] = useState({ first: today(-29), last: today() });
  const [stationId, setStationId] = useState<number | null>(null);
  const [defectType, setDefectType] = useState<string | null>(null);
  const [stations, setStations] = useState<StationView[]>([]);
  const [report, setReport] = useState<QualityReport>(EMPTY);
  const [drill, setDrill] = useState<Drill | null>(null);
  useEffect(() => {
    commands.listStations().then(setStations, () => undefined);
  }, []);
  const query: QualityQuery = useMemo(
    () => ({ first: range.first, last: range.last, stationId, itemId: null, processId: null, defectType }),
    [range, stationId, defectType],
  );
  const fetch = useCallback(
    () => (query.first && query.last ? commands.quality(query) : Promise.resolve(null)),
    [query],
  );
  const show = useCallback((r: QualityReport | null) => r && setReport(r), []);
  useLiveData(events.productionChanged, fetch, show);

  /** The query's NG parts narrowed by `more`, over `first..=last` (the query's range by default). */
  const open = (title: string, more: Partial<InspectionFilter>, first = range.first, last = range.last) =>
    setDrill({
      title,
      filter: {
        stationId,
        from: localMidnight(first, 0),
        until: localMidnight(last, 1),
        verdict: "ng",
        defectType,
        workOrderOpId: null,
        itemId: null,
        processId: null,
        ...more,
      },
    });

  const points = report.pChart.points;
  const pareto = report.pareto;
  const typeLabel = (d: { defectType: string; name: string | null }) =>
    d.defectType === "" ? t("quality.noType") : d.name ? `${d.defectType} ${d.name}` : d.defectType;
  const signals = points.filter((p) => p.signal !== null).length;
  const grid = (kind: "qualityByItem" | "qualityByProcess" | "qualityByStation" | "pareto" | "pChart"): ReportGrid => ({ grid: kind, query });
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }} data-testid="quality-screen">
      <Space wrap>
        <DayRange first={range.first} last={range.last} onChange={(first, last) => setRange({ first, last })} />
        <Select
          allowClear
          style={{ width: 180 }}
          placeholder={t("quality.allStations")}
          value={stationId ?? undefined}
          onChange={(v: number | undefined) => setStationId(v ?? null)}
          options={stations.map((s) => ({ value: s.id, label: s.name }))}
          data-testid="quality-station-filter"
        />
        <Select
          allowClear
          style={{ width: 200 }}
          placeholder={t("quality.allTypes")}
          value={defectType ?? undefined}
          onChange={(v: string | undefined) => setDefectType(v ?? null)}
          options={pareto.map((p) => ({ value: p.defectType, label: typeLabel(p) }))}
          data-testid="quality-type"
        />
      </Space>
      <Row gutter={12}>
        <Col span={6}>
          <Card size="small">
            <Statistic title={t("quality.parts")} value={report.parts} />
          </Card>
        </Col>
        <Col span={6}>
          <Card size="small">
            <Statistic title={t("quality.ng")} value={report.ng} />
          </Card>
        </Col>
        <Col span={6}>
          <Card size="small">
            <Statistic title={t("quality.rate")} value={percent(rate(report))} data-testid="quality-rate" />
          </Card>
        </Col>
        <Col span={6}>
          <Card size="small">
            <Statistic title={t("quality.signals")} value={signals} styles={{ content: { color: signals > 0 ? "#cf1322" : undefined } }} />
          </Card>
        </Col>
      </Row>
      <Card
        size="small"
        title={t("quality.pChart")}
        extra={<ExportButton run={() => commands.exportReport(grid("pChart"))} testId="quality-pchart-export" />}
      >
        <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
          {t("quality.pChartIntro")}
        </Typography.Paragraph>
        <Chart
          testid="quality-pchart"
          unit="percent"
          labels={points.map((p) => p.day)}
          series={[
            {
              label: t("quality.pDaily"),
              kind: "line",
              data: points.map((p) => pct(p.p)),
              pointColors: points.map((p) => (p.signal ? RED : "#1677ff")),
              pointRadius: points.map((p) => (p.signal ? 6 : 3)),
            },
            { label: "UCL", kind: "line", stepped: true, dashed: true, color: "#fa8c16", data: points.map((p) => pct(p.ucl)) },
            { label: "LCL", kind: "line", stepped: true, dashed: true, color: "#fa8c16", data: points.map((p) => pct(p.lcl)) },
            { label: "p̄", kind: "line", dashed: true, color: "#8c8c8c", data: points.map(() => pct(report.pChart.center)) },
          ]}
          onClick={(i) => {
            const p = points[i];
            if (p) open(t("quality.drillDay", { day: p.day }), {}, p.day, p.day);
          }}
        />
        {signals > 0 && (
          <Space wrap>
            {points
              .filter((p) => p.signal !== null)
              .map((p) => (
                <Tag key={p.day} color="red" style={{ cursor: "pointer" }} onClick={() => open(t("quality.drillDay", { day: p.day }), {}, p.day, p.day)}>
                  {p.day} {percent(p.p)} · {t(`quality.signal.${p.signal}`)}
                </Tag>
              ))}
          </Space>
        )}
      </Card>
      <Card size="small" title={t("quality.pareto")} extra={<ExportButton run={() => commands.exportReport(grid("pareto"))} testId="quality-pareto-export" />}>
        <Chart
          testid="quality-pareto"
          labels={pareto.map(typeLabel)}
          series={[
            { label: t("quality.ng"), data: pareto.map((p) => p.ng), color: RED },
            { label: t("quality.cumulative"), kind: "line", right: true, data: pareto.map((p) => pct(p.cumulative)) },
          ]}
          onClick={(i) => {
            const p = pareto[i];
            if (p) open(typeLabel(p), { defectType: p.defectType });
          }}
        />
      </Card>
      <Row gutter={[12, 12]}>
        <Col xs={24} xl={8}>
          <RateCard
            title={t("quality.byItem")}
            rows={report.byItem}
            unnamed={t("quality.noWorkOrder")}
            grid={grid("qualityByItem")}
            testid="quality-item"
            onDrill={(r, label) => open(label, { itemId: r.id })}
          />
        </Col>
        <Col xs={24} xl={8}>
          <RateCard
            title={t("quality.byProcess")}
            rows={report.byProcess}
            unnamed={t("quality.noWorkOrder")}
            grid={grid("qualityByProcess")}
            testid="quality-process"
            onDrill={(r, label) => open(label, { processId: r.id })}
          />
        </Col>
        <Col xs={24} xl={8}>
          <RateCard
            title={t("quality.byStation")}
            rows={report.byStation}
            unnamed=""
            grid={grid("qualityByStation")}
            testid="quality-station"
            onDrill={(r, label) => open(label, { stationId: r.id })}
          />
        </Col>
      </Row>
      <DrillDrawer drill={drill} onClose={() => setDrill(null)} />
    </Space>
  );
}
