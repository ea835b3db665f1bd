import { CameraOutlined, DeleteOutlined, EditOutlined, PauseCircleOutlined, PlayCircleOutlined } from "@ant-design/icons";
import { Alert, App, Button, Card, Col, Descriptions, Empty, Modal, Row, Select, Space, Statistic, Tag, Typography } from "antd";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  commands,
  events,
  type Alarm,
  type CountingLine,
  type InspectionRow,
  type Session,
  type Health,
  type StationVerdict,
  type StationView,
} from "../bindings";
import { dateTime, timeOfDay } from "../format";
import { useNotify } from "../notify";
import { CountingLineMark } from "./CountingLineMark";
import { beep } from "../sound";
import { hazardKey } from "../workspace/HazardAlerts";
import { useEvidence } from "./Evidence";
import { addVerdict, localDay } from "./dayCounters";

const GALLERY = 12;

/** A station as listed, with the local day its counters are of. */
type Monitored = StationView & { countedDay: string };

/** A station just listed: its counters are of today. */
const listedNow = (s: StationView): Monitored => ({ ...s, countedDay: localDay(new Date()) });

const monitored = (list: StationView[]): Monitored[] => list.filter((s) => s.active).map(listedNow);

/** The live station: preview, verdicts, counters, NG gallery and health. */
export default function InspectionMonitor({ session }: { session: Session }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const { notification } = App.useApp();
  const evidence = useEvidence(t("monitor.ngDetail"));
  const [stations, setStations] = useState<Monitored[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [preview, setPreview] = useState<{ src: string; width: number; height: number } | null>(null);
  const [last, setLast] = useState<StationVerdict | null>(null);
  const [lastHeat, setLastHeat] = useState<{ id: number; src: string } | null>(null);
  const [health, setHealth] = useState<Health | null>(null);
  const [gallery, setGallery] = useState<InspectionRow[]>([]);
  const [alarm, setAlarm] = useState<string | null>(null);
  const [stopLine, setStopLine] = useState<Alarm[]>([]);
  const [busy, setBusy] = useState(false);
  // Drawing a counting line: null when not; else the start point once clicked.
  const [drawing, setDrawing] = useState<{ a: { x: number; y: number } | null } | null>(null);
  // Event handlers registered once read the current selection through this.
  const selectedRef = useRef<number | null>(null);
  // The newest crossing applied per station: events may arrive out of order.
  const lastCrossing = useRef(new Map<number, number>());
  useEffect(() => {
    selectedRef.current = selected;
  }, [selected]);
  const canRun = session.user.role !== "viewer";
  const canConfigure = session.user.role === "admin" || session.user.role === "manager";
  const station = stations.find((s) => s.id === selected) ?? null;

  const loadGallery = useCallback(
    async (id: number) => {
      try {
        setGallery(await commands.recentNg(id, GALLERY));
      } catch (e) {
        notify.error(e);
      }
    },
    [notify],
  );

  const choose = useCallback(
    (id: number) => {
      setSelected(id);
      setAlarm(null);
      setStopLine([]);
      commands.openAlarms(id).then(setStopLine, notify.error);
      setPreview(null);
      setDrawing(null);
      setLast(null);
      setHealth(null);
      void loadGallery(id);
    },
    [loadGallery, notify],
  );

  const reload = useCallback(async () => {
    try {
      setStations(monitored(await commands.listStations()));
    } catch (e) {
      notify.error(e);
    }
  }, [notify]);

  // Past midnight with no part judged yet the day before's counters would
  // stay up: the stations are listed again when the local day changes.
  useEffect(() => {
    let day = localDay(new Date());
    const timer = window.setInterval(() => {
      const now = localDay(new Date());
      if (now === day) return;
      day = now;
      void reload();
    }, 30_000);
    return () => window.clearInterval(timer);
  }, [reload]);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const list = monitored(await commands.listStations());
        if (cancelled) return;
        setStations(list);
        if (list[0] !== undefined) choose(list[0].id);
      } catch (e) {
        notify.error(e);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [notify, choose]);

  useEffect(() => {
    const mine = (id: number) => id === selectedRef.current;
    const unlisten = [
      events.stationPreview.listen((e) => {
        const p = e.payload;
        if (mine(p.stationId)) {
          setPreview({ src: `data:image/jpeg;base64,${p.jpegBase64}`, width: p.frameWidth, height: p.frameHeight });
        }
      }),
      events.stationHealthChanged.listen((e) => {
        if (mine(e.payload.stationId)) setHealth(e.payload.health);
      }),
      events.stationAlarm.listen((e) => {
        const { stationId, message, alarm: stored } = e.payload;
        if (!mine(stationId)) return;
        if (stored !== null) setStopLine((list) => [...list, stored]);
        else setAlarm(message);
      }),
      events.stationCrossing.listen((e) => {
        const c = e.payload;
        // The station's totals for the crossing's day, newest crossing wins
        // (so they start again from zero after midnight).
        if (c.id <= (lastCrossing.current.get(c.stationId) ?? 0)) return;
        lastCrossing.current.set(c.stationId, c.id);
        setStations((list) =>
          list.map((s) => (s.id === c.stationId ? { ...s, crossedToday: { up: c.totalUp, down: c.totalDown } } : s)),
        );
      }),
      events.stationVerdict.listen((e) => {
        const v = e.payload;
        if (!mine(v.stationId)) return;
        setLast(v);
        // A verdict the last listing already counted (its event arrived late) counts once.
        const id = v.id;
        setStations((list) =>
          list.map((s) => {
            if (s.id !== v.stationId || id === null || id <= (s.countedUpTo ?? 0)) return s;
            const { day, counts } = addVerdict({ day: s.countedDay, counts: s.today }, v.ng, new Date(v.at));
            return { ...s, countedUpTo: id, countedDay: day, today: counts };
          }),
        );
        if (v.ng) {
          beep();
          void loadGallery(v.stationId);
          // The NG part's heatmap goes over the live view until the next verdict.
          if (id !== null) {
            commands.inspectionImage(id, true).then(
              (src) => src !== null && setLastHeat({ id, src }),
              () => undefined,
            );
          }
        }
      }),
    ];
    return () => {
      for (const u of unlisten) void u.then((stop) => stop());
    };
  }, [loadGallery]);

  const run = async (start: boolean) => {
    if (station === null) return;
    setBusy(true);
    try {
      if (start) await commands.startStation(station.id);
      else await commands.stopStation(station.id);
      await reload();
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(false);
    }
  };

  const acknowledge = async (a: Alarm) => {
    try {
      await commands.acknowledgeAlarm(a.id);
      setStopLine((list) => list.filter((x) => x.id !== a.id));
      notification.destroy(hazardKey(a.id)); // its notice elsewhere has served
    } catch (e) {
      notify.error(e);
    }
  };

  const saveLine = async (line: CountingLine | null) => {
    if (station === null) return;
    setDrawing(null);
    const current = station.settings.counter ?? null;
    try {
      const saved = await commands.setCountingLine(
        station.id,
        line === null ? null : { place: current?.place ?? station.name, sensitivity: current?.sensitivity ?? 0.5, line },
      );
      setStations((list) => list.map((s) => (s.id === saved.id ? listedNow(saved) : s)));
      notify.success(t("monitor.lineSaved"));
    } catch (e) {
      notify.error(e);
    }
  };

  /** A click on the live view while drawing: the line's start, then its end. */
  const pickPoint = (e: React.MouseEvent<SVGSVGElement>) => {
    if (drawing === null) return;
    const svg = e.currentTarget;
    const ctm = svg.getScreenCTM();
    if (ctm === null) return;
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(ctm.inverse());
    const { width, height } = svg.viewBox.baseVal;
    const at = { x: Math.min(1, Math.max(0, p.x / width)), y: Math.min(1, Math.max(0, p.y / height)) };
    const round = (v: number) => Math.round(v * 1000) / 1000;
    if (drawing.a === null) setDrawing({ a: at });
    else void saveLine({ a: { x: round(drawing.a.x), y: round(drawing.a.y) }, b: { x: round(at.x), y: round(at.y) } });
  };

  if (stations.length === 0) {
    return <Empty description={t("monitor.noStations")} />;
  }
  const today = station?.today ?? { total: 0, ok: 0, ng: 0 };
  const rate = today.total > 0 ? (100 * today.ng) / today.total : 0;
  const camera = station?.running ? (health?.camera ?? "starting") : "stopped";
  const roi = station?.settings.roi ?? null;
  const counter = station?.settings.counter ?? null;
  const openAlarm = stopLine[0];
  const alarmTitle =
    openAlarm?.kind === "fire" ? t("monitor.fireAlarm") : openAlarm?.kind === "smoke" ? t("monitor.smokeAlarm") : t("monitor.stopLine");

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Space wrap>
        <Select
          style={{ minWidth: 240 }}
          value={selected}
          onChange={choose}
          // Stations added since this tab opened show up when the list opens.
          onOpenChange={(open) => open && void reload()}
          options={stations.map((s) => ({ value: s.id, label: s.name }))}
          data-testid="monitor-station"
        />
        {station?.running ? (
          <Button icon={<PauseCircleOutlined />} disabled={!canRun} loading={busy} onClick={() => void run(false)} data-testid="monitor-stop">
            {t("monitor.stop")}
          </Button>
        ) : (
          <Button type="primary" icon={<PlayCircleOutlined />} disabled={!canRun} loading={busy} onClick={() => void run(true)} data-testid="monitor-start">
            {t("monitor.start")}
          </Button>
        )}
        {station?.settings.trigger.mode === "manual" && station.running && (
          <Button icon={<CameraOutlined />} disabled={!canRun} onClick={() => void commands.inspectNow(station.id).catch(notify.error)}>
            {t("monitor.inspectNow")}
          </Button>
        )}
        <Tag color={camera === "running" ? "green" : camera === "lost" ? "red" : "default"} data-testid="monitor-camera">
          {t(`monitor.camera.${camera}`, { defaultValue: camera })}
        </Tag>
      </Space>
      {alarm !== null && (
        <Alert type="error" showIcon closable title={alarm} onClose={() => setAlarm(null)} data-testid="monitor-alarm" />
      )}
      <Row gutter={16}>
        <Col flex="520px">
          <Card size="small" title={t("monitor.live")}>
            <div className="monitor-preview" data-verdict={last === null ? "none" : last.ng ? "ng" : "ok"}>
              {preview !== null ? (
                <img src={preview.src} alt={t("monitor.live")} data-testid="monitor-preview" />
              ) : (
                <div className="monitor-preview-empty">{station?.running ? t("monitor.waiting") : t("monitor.stopped")}</div>
              )}
              {preview !== null && roi !== null && (
                <RoiBox roi={roi} frame={preview} heatmap={last?.ng && lastHeat?.id === last.id ? lastHeat.src : null} />
              )}
              {preview !== null && (counter !== null || drawing !== null) && (
                <svg
                  className="monitor-overlay"
                  viewBox={`0 0 ${preview.width} ${preview.height}`}
                  preserveAspectRatio="xMidYMid meet"
                  data-drawing={drawing !== null}
                  onClick={pickPoint}
                  data-testid="monitor-overlay"
                >
                  {counter !== null && drawing === null && (
                    <CountingLineMark line={counter.line} width={preview.width} height={preview.height} totals={station?.crossedToday} />
                  )}
                  {drawing?.a != null && (
                    <circle cx={drawing.a.x * preview.width} cy={drawing.a.y * preview.height} r={preview.height / 60} fill="#ffd60a" />
                  )}
                </svg>
              )}
            </div>
            {drawing !== null && (
              <Alert
                style={{ marginTop: 8 }}
                type="info"
                showIcon
                title={t("monitor.drawLineHelp")}
                action={<Button size="small" onClick={() => setDrawing(null)}>{t("monitor.cancelDraw")}</Button>}
                data-testid="monitor-draw-help"
              />
            )}
            {last !== null && (
              <Space style={{ marginTop: 8 }}>
                <Tag color={last.ng ? "red" : "green"} data-testid="monitor-last-verdict">
                  {last.ng ? "NG" : "OK"}
                </Tag>
                <Typography.Text type="secondary">
                  {t("monitor.score", { score: last.score?.toFixed(2) ?? "–", threshold: last.threshold?.toFixed(2) ?? "–" })}
                </Typography.Text>
                {last.defectType !== null && <Tag>{last.defectType}</Tag>}
              </Space>
            )}
          </Card>
        </Col>
        <Col flex="auto">
          <Card size="small" title={t("monitor.today")}>
            <Row gutter={16}>
              <Col span={6}>
                <Statistic title={t("monitor.total")} value={today.total} data-testid="monitor-total" />
              </Col>
              <Col span={6}>
                <Statistic title="OK" value={today.ok} styles={{ content: { color: "#389e0d" } }} />
              </Col>
              <Col span={6}>
                <Statistic title="NG" value={today.ng} styles={{ content: { color: "#cf1322" } }} data-testid="monitor-ng" />
              </Col>
              <Col span={6}>
                <Statistic title={t("monitor.defectRate")} value={rate} precision={1} suffix="%" />
              </Col>
            </Row>
          </Card>
          <Card
            size="small"
            title={counter !== null ? `${t("monitor.counting")} · ${counter.place}` : t("monitor.counting")}
            style={{ marginTop: 16 }}
            extra={
              <Space size={4}>
                <Button
                  size="small"
                  icon={<EditOutlined />}
                  disabled={!canConfigure || preview === null}
                  onClick={() => setDrawing({ a: null })}
                  data-testid="monitor-draw-line"
                >
                  {t("monitor.drawLine")}
                </Button>
                {counter !== null && (
                  <Button size="small" icon={<DeleteOutlined />} disabled={!canConfigure} onClick={() => void saveLine(null)}>
                    {t("monitor.removeLine")}
                  </Button>
                )}
              </Space>
            }
          >
            {counter === null ? (
              <Typography.Text type="secondary">{t("monitor.noLine")}</Typography.Text>
            ) : (
              <Row gutter={16}>
                <Col span={12}>
                  <Statistic title={t("eventLogs.up")} value={station?.crossedToday.up ?? 0} data-testid="monitor-up" />
                </Col>
                <Col span={12}>
                  <Statistic title={t("eventLogs.down")} value={station?.crossedToday.down ?? 0} data-testid="monitor-down" />
                </Col>
              </Row>
            )}
          </Card>
          <Card size="small" title={t("monitor.health")} style={{ marginTop: 16 }}>
            <Descriptions size="small" column={2}>
              <Descriptions.Item label={t("monitor.framesIn")}>{health?.framesIn ?? "–"}</Descriptions.Item>
              <Descriptions.Item label={t("monitor.dropped")}>{health?.framesDropped ?? "–"}</Descriptions.Item>
              <Descriptions.Item label={t("monitor.latency")}>
                {health?.latencyP50Ms != null ? `${health.latencyP50Ms.toFixed(0)} / ${(health.latencyP95Ms ?? 0).toFixed(0)} ms` : "–"}
              </Descriptions.Item>
              <Descriptions.Item label={t("monitor.corrupt")}>{health?.framesCorrupt ?? "–"}</Descriptions.Item>
              {(counter !== null || station?.settings.fire != null) && (
                <Descriptions.Item label={t("monitor.unwatched")}>{health?.framesUnwatched ?? "–"}</Descriptions.Item>
              )}
              {health?.lastError != null && (
                <Descriptions.Item label={t("monitor.lastError")} span={2}>
                  {health.lastError}
                </Descriptions.Item>
              )}
            </Descriptions>
          </Card>
        </Col>
      </Row>
      <Card size="small" title={t("monitor.gallery")}>
        {gallery.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("monitor.noNg")} />
        ) : (
          <Space wrap data-testid="monitor-gallery">
            {gallery.map((row) => (
              <Button key={row.id} onClick={() => void evidence.show(row)} style={{ height: "auto" }}>
                <Space orientation="vertical" size={0}>
                  <Typography.Text strong type="danger">
                    NG {row.defectType ?? ""}
                  </Typography.Text>
                  <Typography.Text type="secondary">{timeOfDay(row.at)}</Typography.Text>
                  <Typography.Text type="secondary">{row.score?.toFixed(2) ?? "–"}</Typography.Text>
                </Space>
              </Button>
            ))}
          </Space>
        )}
      </Card>
      <Modal
        open={stopLine.length > 0}
        closable={false}
        maskClosable={false}
        keyboard={false}
        title={alarmTitle}
        footer={
          <Button type="primary" danger disabled={!canRun} onClick={() => void acknowledge(openAlarm as Alarm)} data-testid="monitor-acknowledge">
            {t("monitor.acknowledge")}
          </Button>
        }
      >
        {openAlarm !== undefined && (
          <Alert
            type="error"
            showIcon
            title={
              openAlarm.kind === "stop_line"
                ? t("monitor.stopLineText", { count: station?.settings.stopAfterNg ?? 0 })
                : t("monitor.hazardText", { message: openAlarm.message })
            }
            description={dateTime(openAlarm.raisedAt)}
          />
        )}
      </Modal>
      {evidence.dialog}
    </Space>
  );
}

/** The inspected region drawn on the live view; the last NG part's heatmap fills it. */
function RoiBox({
  roi,
  frame,
  heatmap,
}: {
  roi: [number, number, number, number];
  frame: { width: number; height: number };
  heatmap: string | null;
}) {
  const [x, y, w, h] = roi;
  return (
    <div
      className="monitor-roi"
      style={{
        left: `${(100 * x) / frame.width}%`,
        top: `${(100 * y) / frame.height}%`,
        width: `${(100 * w) / frame.width}%`,
        height: `${(100 * h) / frame.height}%`,
      }}
    >
      {heatmap !== null && (
        <img src={heatmap} alt="" style={{ width: "100%", height: "100%", opacity: 0.75 }} data-testid="monitor-heatmap" />
      )}
    </div>
  );
}
