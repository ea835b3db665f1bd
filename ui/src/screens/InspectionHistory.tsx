import { Button, Select, Space, Table, Tag } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  commands,
  type InspectionFilter,
  type InspectionRow,
  type Relabel,
  type Session,
  type StationView,
  type Verdict,
} from "../bindings";
import { dateTime, localMidnight } from "../format";
import { DayRange, ExportButton } from "../components";
import { useNotify } from "../notify";
import { useEvidence } from "./Evidence";

const PAGE = 50;

interface Filters {
  stationId: number | null;
  /** Local calendar days, YYYY-MM-DD, both included; "" = open. */
  firstDay: string;
  lastDay: string;
  verdict: Verdict | null;
  defectType: string | null;
}

const NO_FILTER: Filters = { stationId: null, firstDay: "", lastDay: "", verdict: null, defectType: null };

function storeFilter(f: Filters, beforeId: number | null, limit: number): InspectionFilter {
  return {
    stationId: f.stationId,
    // Local days, the end day included.
    from: localMidnight(f.firstDay, 0),
    until: localMidnight(f.lastDay, 1),
    verdict: f.verdict,
    defectType: f.defectType,
    workOrderOpId: null,
    itemId: null,
    processId: null,
    beforeId,
    limit,
  };
}

/** The part's image, small, loaded when its row is shown. */
export function Thumbnail({ id, onOpen }: { id: number; onOpen: () => void }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    commands.inspectionThumbnail(id).then(
      (s) => !cancelled && setSrc(s),
      () => undefined, // a missing file shows no thumbnail; the evidence dialog says why
    );
    return () => {
      cancelled = true;
    };
  }, [id]);
  return src === null ? null : (
    <img src={src} alt="" style={{ height: 40, cursor: "pointer", borderRadius: 2 }} onClick={onOpen} data-testid="history-thumbnail" />
  );
}

/** Every stored verdict, newest first: filter, look at the evidence, review. */
export default function InspectionHistory({ session }: { session: Session }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [stations, setStations] = useState<StationView[]>([]);
  const [filters, setFilters] = useState<Filters>(NO_FILTER);
  const [rows, setRows] = useState<InspectionRow[]>([]);
  const [more, setMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const [defectTypes, setDefectTypes] = useState<string[]>([]);
  const canReview = session.user.role !== "viewer";
  const stationName = (id: number) => stations.find((s) => s.id === id)?.name ?? `#${id}`;
  const evidence = useEvidence(t("history.image"), (row) => stationName(row.stationId));

  const fetchPage = useCallback(
    async (f: Filters, beforeId: number | null): Promise<InspectionRow[]> =>
      commands.listInspections(storeFilter(f, beforeId, PAGE)),
    [],
  );

  const search = async (f: Filters) => {
    setFilters(f);
    setLoading(true);
    try {
      const page = await fetchPage(f, null);
      setRows(page);
      setMore(page.length === PAGE);
    } catch (e) {
      notify.error(e);
    } finally {
      setLoading(false);
    }
  };

  const loadMore = async () => {
    const last = rows[rows.length - 1];
    if (last === undefined) return;
    setLoading(true);
    try {
      const page = await fetchPage(filters, last.id);
      setRows((r) => [...r, ...page]);
      setMore(page.length === PAGE);
    } catch (e) {
      notify.error(e);
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const [list, models, page] = await Promise.all([
          commands.listStations(),
          commands.listModels(),
          fetchPage(NO_FILTER, null),
        ]);
        if (cancelled) return;
        setStations(list);
        setDefectTypes([...new Set(models.flatMap((m) => m.labels))].sort());
        setRows(page);
        setMore(page.length === PAGE);
      } catch (e) {
        notify.error(e);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [fetchPage, notify]);

  const review = async (row: InspectionRow, relabel: Relabel) => {
    try {
      const updated = await commands.relabelInspection(row.id, relabel);
      setRows((r) => r.map((x) => (x.id === updated.id ? updated : x)));
      notify.success(t("common.saved"));
    } catch (e) {
      notify.error(e);
    }
  };


  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Space wrap>
        <Select
          allowClear
          placeholder={t("history.allStations")}
          style={{ minWidth: 220 }}
          value={filters.stationId}
          onChange={(v: number | undefined) => void search({ ...filters, stationId: v ?? null })}
          options={stations.map((s) => ({ value: s.id, label: s.name }))}
        />
        <DayRange
          first={filters.firstDay}
          last={filters.lastDay}
          onChange={(firstDay, lastDay) => void search({ ...filters, firstDay, lastDay })}
        />
        <Select
          allowClear
          placeholder={t("history.allVerdicts")}
          style={{ minWidth: 120 }}
          value={filters.verdict}
          onChange={(v: Verdict | undefined) => void search({ ...filters, verdict: v ?? null })}
          options={[
            { value: "ok", label: "OK" },
            { value: "ng", label: "NG" },
          ]}
          data-testid="history-verdict"
        />
        <Select
          allowClear
          placeholder={t("history.allDefectTypes")}
          style={{ minWidth: 140 }}
          value={filters.defectType}
          onChange={(v: string | undefined) => void search({ ...filters, defectType: v ?? null })}
          options={defectTypes.map((d) => ({ value: d, label: d }))}
          notFoundContent={t("history.noDefectTypes")}
        />
        <ExportButton run={() => commands.exportInspections(storeFilter(filters, null, PAGE))} testId="history-export" />
      </Space>
      <Table<InspectionRow>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={rows}
        pagination={false}
        data-testid="history-table"
        onRow={(row) => ({ onDoubleClick: () => void evidence.show(row) })}
        columns={[
          {
            title: t("history.image"),
            key: "thumbnail",
            width: 80,
            render: (_, row) => row.imagePath !== null && <Thumbnail id={row.id} onOpen={() => void evidence.show(row)} />,
          },
          { title: t("history.at"), dataIndex: "at", render: (at: string) => dateTime(at) },
          { title: t("history.station"), dataIndex: "stationId", render: stationName },
          {
            title: t("history.verdict"),
            dataIndex: "verdict",
            render: (v: Verdict) => <Tag color={v === "ng" ? "red" : "green"}>{v.toUpperCase()}</Tag>,
          },
          { title: t("history.score"), dataIndex: "score", render: (s: number | null) => s?.toFixed(2) ?? "–" },
          { title: t("history.defectType"), dataIndex: "defectType", render: (d: string | null) => d ?? "" },
          {
            title: t("history.review"),
            key: "review",
            render: (_, row) => (
              <Space>
                {row.relabel !== null && <Tag color="orange">{t(`history.${row.relabel}`)}</Tag>}
                {row.relabel === null && row.verdict === "ng" && (
                  <Button size="small" disabled={!canReview} onClick={() => void review(row, "false_alarm")}>
                    {t("history.false_alarm")}
                  </Button>
                )}
                {row.relabel === null && row.verdict === "ok" && (
                  <Button size="small" disabled={!canReview} onClick={() => void review(row, "escape")}>
                    {t("history.escape")}
                  </Button>
                )}
                {row.relabel !== null && (
                  <Button size="small" type="link" disabled={!canReview} onClick={() => void review(row, "clear")}>
                    {t("history.clear")}
                  </Button>
                )}
                {row.imagePath !== null && (
                  <Button size="small" type="link" onClick={() => void evidence.show(row)}>
                    {t("history.image")}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      {more && (
        <Button onClick={() => void loadMore()} loading={loading}>
          {t("history.more")}
        </Button>
      )}
      {evidence.dialog}
    </Space>
  );
}
