import { CloudUploadOutlined, ExperimentOutlined, RollbackOutlined, VideoCameraAddOutlined } from "@ant-design/icons";
import {
  Alert,
  Button,
  Card,
  Descriptions,
  InputNumber,
  Popconfirm,
  Progress,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from "antd";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, events, type ModelInfo, type Session, type StationView, type TeachStatus } from "../bindings";
import { dateTime } from "../format";
import { useNotify } from "../notify";
import { base64Of } from "../components";

const percent = (x: number | null) => (x === null ? "–" : `${(x * 100).toFixed(1)} %`);

/** Teaching a station's model: good images in, a new model out, activated or rolled back. */
export default function ModelsScreen({ session }: { session: Session }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [stations, setStations] = useState<StationView[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [status, setStatus] = useState<TeachStatus | null>(null);
  const [models, setModels] = useState<ModelInfo[]>([]);
  const [collectCount, setCollectCount] = useState<number | null>(50);
  const [importing, setImporting] = useState<{ done: number; total: number } | null>(null);
  const [progress, setProgress] = useState<{ stage: string; done: number; total: number } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const selectedRef = useRef<number | null>(null);
  const canRun = session.user.role !== "viewer";
  const canActivate = session.user.role === "admin" || session.user.role === "manager";
  const station = stations.find((s) => s.id === selected) ?? null;

  const refresh = useCallback(
    (id: number) => {
      Promise.all([commands.listStations(), commands.listModels(), commands.teachStatus(id)]).then(([list, found, st]) => {
        if (selectedRef.current !== id) return;
        setStations(list);
        setModels(found);
        setStatus(st);
      }, notify.error);
    },
    [notify],
  );

  const choose = useCallback(
    (id: number) => {
      selectedRef.current = id;
      setSelected(id);
      setProgress(null);
      refresh(id);
    },
    [refresh],
  );

  useEffect(() => {
    let cancelled = false;
    commands.listStations().then((list) => {
      if (cancelled) return;
      setStations(list);
      if (list[0] !== undefined) choose(list[0].id);
    }, notify.error);
    return () => {
      cancelled = true;
    };
  }, [choose, notify]);

  useEffect(() => {
    const mine = (id: number) => id === selectedRef.current;
    const unlisten = [
      events.teachProgress.listen((e) => {
        if (mine(e.payload.stationId)) setProgress(e.payload);
      }),
      events.teachFinished.listen((e) => {
        const p = e.payload;
        if (!mine(p.stationId)) return;
        setProgress(null);
        if (p.model !== null) notify.success(t("models.taught", { name: p.model }));
        else notify.error(p.error ?? "");
        refresh(p.stationId);
      }),
      // Collected images arrive with the parts: the count follows the verdicts.
      events.stationVerdict.listen((e) => {
        if (mine(e.payload.stationId)) commands.teachStatus(e.payload.stationId).then(setStatus, () => undefined);
      }),
    ];
    return () => {
      unlisten.forEach((u) => void u.then((f) => f()));
    };
  }, [notify, refresh, t]);

  const act = async (f: () => Promise<unknown>, done?: string) => {
    if (selected === null) return;
    try {
      await f();
      if (done) notify.success(done);
    } catch (e) {
      notify.error(e);
    } finally {
      refresh(selected);
    }
  };

  const importFiles = async (files: FileList | null) => {
    if (selected === null || files === null || files.length === 0) return;
    const list = Array.from(files);
    setImporting({ done: 0, total: list.length });
    let failed = 0;
    for (const [i, file] of list.entries()) {
      try {
        await commands.importGoodImage(selected, file.name, await base64Of(file));
      } catch (e) {
        failed += 1;
        notify.error(e);
      }
      setImporting({ done: i + 1, total: list.length });
    }
    setImporting(null);
    if (fileInput.current) fileInput.current.value = "";
    notify.success(t("models.imported", { count: list.length - failed }));
    refresh(selected);
  };

  const mine = models.filter((m) => m.origin === "shipped" || m.name.startsWith(`station${selected}-`));
  const current = station?.settings.model;
  const previous = station?.settings.previousModel ?? null;
  const enough = status !== null && status.goodImages >= status.minGoodImages;

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Typography.Paragraph type="secondary">{t("models.intro")}</Typography.Paragraph>
      <Space wrap>
        <Select
          style={{ minWidth: 260 }}
          value={selected}
          onChange={choose}
          options={stations.map((s) => ({ value: s.id, label: s.name }))}
          data-testid="models-station"
        />
        {station !== null && (
          <Typography.Text>
            {t("models.current")}: <Tag color="blue">{current}</Tag>
          </Typography.Text>
        )}
      </Space>

      <Card size="small" title={t("models.images")}>
        <Space orientation="vertical" style={{ width: "100%" }}>
          <Descriptions size="small" column={3}>
            <Descriptions.Item label={t("models.goodImages")}>
              <span data-testid="models-good-count">{status?.goodImages ?? 0}</span>
              {status !== null && !enough && (
                <Typography.Text type="warning"> ({t("models.needAtLeast", { count: status.minGoodImages })})</Typography.Text>
              )}
            </Descriptions.Item>
            <Descriptions.Item label={t("models.escapeImages")}>{status?.escapeImages ?? 0}</Descriptions.Item>
            <Descriptions.Item label={t("models.collecting")}>
              <span data-testid="models-collecting">{status?.collecting ?? 0}</span>
            </Descriptions.Item>
          </Descriptions>
          <Space wrap>
            <InputNumber min={1} max={1000} value={collectCount} onChange={setCollectCount} data-testid="models-collect-count" />
            <Button
              icon={<VideoCameraAddOutlined />}
              disabled={!canRun || !station?.running || !collectCount}
              title={station?.running ? undefined : t("models.startStationFirst")}
              onClick={() => void act(() => commands.collectGoodImages(selected ?? 0, collectCount ?? 0))}
              data-testid="models-collect"
            >
              {t("models.collect")}
            </Button>
            {(status?.collecting ?? 0) > 0 && (
              <Button onClick={() => void act(() => commands.collectGoodImages(selected ?? 0, 0))}>{t("models.stopCollecting")}</Button>
            )}
            <input
              ref={fileInput}
              type="file"
              accept="image/png,image/jpeg"
              multiple
              hidden
              onChange={(e) => void importFiles(e.target.files)}
              data-testid="models-import-input"
            />
            <Button icon={<CloudUploadOutlined />} disabled={!canRun || importing !== null} onClick={() => fileInput.current?.click()}>
              {importing === null ? t("models.import") : t("models.importing", importing)}
            </Button>
            <Popconfirm title={t("models.clearConfirm")} onConfirm={() => void act(() => commands.clearTeachingSet(selected ?? 0))}>
              <Button danger disabled={!canRun || status?.training}>
                {t("models.clear")}
              </Button>
            </Popconfirm>
          </Space>
          <Typography.Text type="secondary">{t("models.reviewsHelp")}</Typography.Text>
        </Space>
      </Card>

      <Card size="small" title={t("models.training")}>
        {progress !== null || status?.training ? (
          <Space orientation="vertical" style={{ width: "100%" }}>
            <Typography.Text>{t(`models.stage.${progress?.stage ?? "features"}`)}</Typography.Text>
            <Progress
              percent={progress === null || progress.total === 0 ? 0 : Math.round((100 * progress.done) / progress.total)}
              data-testid="models-progress"
            />
            <Button onClick={() => void act(() => commands.cancelTeaching(selected ?? 0))} data-testid="models-cancel">
              {t("models.cancel")}
            </Button>
          </Space>
        ) : (
          <Button
            type="primary"
            icon={<ExperimentOutlined />}
            disabled={!canRun || !enough}
            onClick={() => void act(() => commands.startTeaching(selected ?? 0))}
            data-testid="models-train"
          >
            {t("models.train")}
          </Button>
        )}
      </Card>

      <Card
        size="small"
        title={t("models.models")}
        extra={
          previous !== null && (
            <Popconfirm
              title={t("models.rollBackConfirm", { name: previous })}
              onConfirm={() => void act(() => commands.activateModel(selected ?? 0, previous), t("models.activated", { name: previous }))}
            >
              <Button icon={<RollbackOutlined />} disabled={!canActivate} data-testid="models-roll-back">
                {t("models.rollBack", { name: previous })}
              </Button>
            </Popconfirm>
          )
        }
      >
        {!canActivate && <Alert type="info" showIcon title={t("models.managersActivate")} style={{ marginBottom: 8 }} />}
        <Table<ModelInfo>
          rowKey="name"
          size="small"
          pagination={false}
          dataSource={mine}
          data-testid="models-table"
          columns={[
            {
              title: t("models.name"),
              dataIndex: "name",
              render: (name: string, m) => (
                <Space size={4}>
                  {name}
                  {name === current && <Tag color="blue">{t("models.inUse")}</Tag>}
                  {m.origin === "shipped" && <Tag>{t("models.shipped")}</Tag>}
                </Space>
              ),
            },
            { title: t("models.createdAt"), dataIndex: "createdAt", render: (at: string) => dateTime(at) },
            { title: t("models.trainedOn"), render: (_, m) => `${m.goodImages} / ${m.defectImages}` },
            { title: t("models.threshold"), dataIndex: "threshold", render: (x: number) => x.toFixed(2) },
            { title: t("models.falseRejects"), dataIndex: "falseRejectRate", render: percent },
            { title: t("models.escapes"), dataIndex: "escapeRate", render: percent },
            { title: "AUROC", dataIndex: "imageAuroc", render: (x: number | null) => (x === null ? "–" : x.toFixed(3)) },
            {
              title: "",
              render: (_, m) =>
                m.name !== current && (
                  <Button
                    size="small"
                    disabled={!canActivate}
                    onClick={() => void act(() => commands.activateModel(selected ?? 0, m.name), t("models.activated", { name: m.name }))}
                    data-testid={`models-activate-${m.name}`}
                  >
                    {t("models.activate")}
                  </Button>
                ),
            },
          ]}
        />
      </Card>
    </Space>
  );
}
