import { Image, Select, Space, Table, Tag, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Crossing, type EventFilter, type FireEvent, type StationView } from "../bindings";
import { DayRange, ExportButton } from "../components";
import { dateTime } from "../format";
import { useNotify } from "../notify";
import { today } from "../production/common";

const PAGE = 50;

/** A row's snapshot, loaded when the row is shown. */
function Snapshot({ fire, id }: { fire: boolean; id: number }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    commands.eventSnapshot(fire, id).then(
      (s) => !cancelled && setSrc(s),
      () => undefined, // a missing file shows no snapshot
    );
    return () => {
      cancelled = true;
    };
  }, [fire, id]);
  return src === null ? null : <Image src={src} height={40} alt="" data-testid="event-snapshot" />;
}

/** A log page by local days (the end day included) and station, with its Excel export. */
function useEventLog<T>(list: (f: EventFilter) => Promise<{ rows: T[]; total: number }>) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [range, setRange] = useState({ first: today(-6), last: today() });
  const [stationId, setStationId] = useState<number | null>(null);
  const [stations, setStations] = useState<StationView[]>([]);
  const [page, setPage] = useState(1);
  const [data, setData] = useState<{ rows: T[]; total: number }>({ rows: [], total: 0 });
  const filter: EventFilter = { first: range.first, last: range.last, stationId, offset: (page - 1) * PAGE, limit: PAGE };
  const key = JSON.stringify(filter);
  useEffect(() => {
    commands.listStations().then(setStations, () => undefined);
  }, []);
  const load = useCallback(() => {
    const f = JSON.parse(key) as EventFilter;
    return f.first && f.last ? list(f) : Promise.resolve(null);
  }, [key, list]);
  useEffect(() => {
    let cancelled = false;
    load().then(
      (d) => !cancelled && d && setData(d),
      (e) => notify.error(e),
    );
    return () => {
      cancelled = true;
    };
  }, [load, notify]);
  const controls = (
    <>
      <DayRange first={range.first} last={range.last} onChange={(first, last) => (setRange({ first, last }), setPage(1))} />
      <Select
        allowClear
        style={{ width: 180 }}
        placeholder={t("history.allStations")}
        value={stationId ?? undefined}
        onChange={(v: number | undefined) => (setStationId(v ?? null), setPage(1))}
        options={stations.map((s) => ({ value: s.id, label: s.name }))}
        data-testid="event-log-station"
      />
    </>
  );
  return { filter, data, page, setPage, controls };
}

function LogTable<T extends { id: number }>({ log, columns, testid }: { log: ReturnType<typeof useEventLog<T>>; columns: ColumnsType<T>; testid: string }) {
  return (
    <Table<T>
      size="small"
      rowKey="id"
      className="one-line-table"
      dataSource={log.data.rows}
      columns={columns}
      data-testid={testid}
      pagination={{ current: log.page, pageSize: PAGE, total: log.data.total, showSizeChanger: false, onChange: log.setPage }}
    />
  );
}

/** 출입 로그: objects that crossed a station's counting line. */
export function EntranceLogScreen() {
  const { t } = useTranslation();
  const log = useEventLog<Crossing>(commands.listCrossings);
  return (
    <Space orientation="vertical" size="small" style={{ width: "100%" }} data-testid="entrance-log-screen">
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {t("eventLogs.entranceIntro")}
      </Typography.Paragraph>
      <Space wrap>
        {log.controls}
        <ExportButton run={() => commands.exportCrossings(log.filter)} testId="entrance-log-export" />
      </Space>
      <LogTable<Crossing>
        log={log}
        testid="entrance-log-table"
        columns={[
          { title: t("eventLogs.at"), render: (_, c) => dateTime(c.at) },
          { title: t("eventLogs.station"), dataIndex: "stationName" },
          { title: t("eventLogs.place"), dataIndex: "place" },
          { title: t("eventLogs.direction"), render: (_, c) => <Tag color={c.direction === "up" ? "blue" : "orange"}>{t(`eventLogs.${c.direction}`)}</Tag> },
          { title: t("eventLogs.totalUp"), dataIndex: "totalUp", align: "right" },
          { title: t("eventLogs.totalDown"), dataIndex: "totalDown", align: "right" },
          { title: t("eventLogs.snapshot"), render: (_, c) => (c.snapshotPath ? <Snapshot fire={false} id={c.id} /> : "–") },
        ]}
      />
    </Space>
  );
}

/** 화재감지 로그: flame and smoke, when and where, and who acknowledged the alarm. */
export function FireLogScreen() {
  const { t } = useTranslation();
  const log = useEventLog<FireEvent>(commands.listFireEvents);
  return (
    <Space orientation="vertical" size="small" style={{ width: "100%" }} data-testid="fire-log-screen">
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {t("eventLogs.fireIntro")}
      </Typography.Paragraph>
      <Space wrap>
        {log.controls}
        <ExportButton run={() => commands.exportFireEvents(log.filter)} testId="fire-log-export" />
      </Space>
      <LogTable<FireEvent>
        log={log}
        testid="fire-log-table"
        columns={[
          { title: t("eventLogs.started"), render: (_, e) => dateTime(e.startedAt) },
          { title: t("eventLogs.ended"), render: (_, e) => (e.endedAt ? dateTime(e.endedAt) : <Tag color="red">{t("eventLogs.ongoing")}</Tag>) },
          { title: t("eventLogs.station"), dataIndex: "stationName" },
          { title: t("eventLogs.place"), dataIndex: "place" },
          { title: t("eventLogs.kind"), render: (_, e) => <Tag color={e.kind === "fire" ? "red" : "default"}>{t(`eventLogs.${e.kind}`)}</Tag> },
          { title: t("eventLogs.acknowledgedBy"), render: (_, e) => e.acknowledgedBy ?? t("eventLogs.notAcknowledged") },
          { title: t("eventLogs.acknowledgedAt"), render: (_, e) => (e.acknowledgedAt ? dateTime(e.acknowledgedAt) : "") },
          { title: t("eventLogs.snapshot"), render: (_, e) => (e.snapshotPath ? <Snapshot fire id={e.id} /> : "–") },
        ]}
      />
    </Space>
  );
}
