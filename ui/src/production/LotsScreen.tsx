import { Button, Card, Descriptions, Empty, Image, Input, Space, Table, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type InspectionRow, type Lot, type LotLink, type LotTrace, type Page } from "../bindings";
import { dateTime } from "../format";
import { useNotify } from "../notify";
import { useEvidence } from "../screens/Evidence";
import { useProductionData } from "./common";

const PAGE = 20;

/** An NG inspection's thumbnail; a click opens the part and its heatmap. */
function Thumb({ row, onOpen }: { row: InspectionRow; onOpen: (r: InspectionRow) => void }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    commands.inspectionThumbnail(row.id).then(setSrc, () => setSrc(null));
  }, [row.id]);
  return src ? <Image src={src} width={96} preview={false} style={{ cursor: "pointer" }} onClick={() => onOpen(row)} alt={`NG ${row.id}`} /> : null;
}

/** Lots linked to the traced one, each a link to its own trace. */
function Links({ links, onOpen, testId }: { links: LotLink[]; onOpen: (lotNo: string) => void; testId: string }) {
  const { t } = useTranslation();
  return (
    <Table<LotLink>
      size="small"
      className="one-line-table"
      scroll={{ x: "max-content" }}
      pagination={false}
      rowKey={(l, i) => `${l.lotNo ?? l.material}-${i}`}
      dataSource={links}
      data-testid={testId}
      locale={{ emptyText: t("lots.none") }}
      columns={[
        { title: t("lots.depth"), dataIndex: "depth", width: 60 },
        {
          title: t("lots.lot"),
          render: (_, l) =>
            l.lotNo !== null ? (
              <Button type="link" size="small" onClick={() => onOpen(l.lotNo ?? "")}>
                {l.lotNo}
              </Button>
            ) : (
              <span>
                {l.material} <Typography.Text type="secondary">({t("lots.material")})</Typography.Text>
              </span>
            ),
        },
        { title: t("production.process"), render: (_, l) => l.processName ?? "" },
        { title: t("production.item"), render: (_, l) => l.partNo ?? "" },
        { title: t("production.quantity"), render: (_, l) => l.qty ?? "" },
      ]}
    />
  );
}

/** Lots (로트 추적): find a lot by its number or a material lot, and trace it both ways. */
export default function LotsScreen() {
  const { t } = useTranslation();
  const notify = useNotify();
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const [data, setData] = useState<Page<Lot>>({ rows: [], total: 0 });
  const [trace, setTrace] = useState<LotTrace | null>(null);
  const evidence = useEvidence(t("lots.ngImage"));

  const fetch = useCallback(() => commands.listLots(search.trim() || null, (page - 1) * PAGE, PAGE), [search, page]);
  useProductionData(fetch, setData);

  const open = async (lotNo: string) => {
    try {
      setTrace(await commands.lotTrace(lotNo));
    } catch (e) {
      notify.error(e);
    }
  };

  const op = trace?.operation;
  return (
    <Space orientation="vertical" size="small" style={{ width: "100%" }} data-testid="lots-screen">
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {t("lots.intro")}
      </Typography.Paragraph>
      <Input.Search allowClear style={{ width: 320 }} placeholder={t("lots.search")} onSearch={(v) => (setSearch(v), setPage(1))} data-testid="lots-search" />
      <div style={{ display: "flex", gap: 16, alignItems: "flex-start" }}>
        <Table<Lot>
          style={{ flex: "0 0 44%" }}
          size="small"
        className="one-line-table"
        scroll={{ x: "max-content" }}
          rowKey="lotNo"
          dataSource={data.rows}
          data-testid="lots-table"
          onRow={(l) => ({ onClick: () => void open(l.lotNo), style: { cursor: "pointer" } })}
          pagination={{ current: page, pageSize: PAGE, total: data.total, showSizeChanger: false, onChange: setPage }}
          columns={[
            { title: t("lots.lot"), dataIndex: "lotNo" },
            { title: t("production.item"), render: (_, l) => `${l.partNo} ${l.itemName}` },
            { title: t("production.process"), dataIndex: "processName" },
            { title: t("production.quantity"), dataIndex: "qty", align: "right" },
            { title: t("lots.madeAt"), render: (_, l) => dateTime(l.createdAt) },
          ]}
        />
        <Card style={{ flex: 1 }} data-testid="lot-trace">
          {trace === null || op === undefined ? (
            <Empty description={t("lots.pick")} />
          ) : (
            <Space orientation="vertical" style={{ width: "100%" }}>
              <Typography.Title level={4} style={{ margin: 0 }} data-testid="lot-trace-no">
                {trace.lot.lotNo}
              </Typography.Title>
              <Descriptions size="small" column={2} bordered styles={{ label: { whiteSpace: "nowrap" } }}>
                <Descriptions.Item label={t("production.item")}>{`${trace.lot.partNo} ${trace.lot.itemName}`}</Descriptions.Item>
                <Descriptions.Item label={t("production.workOrderNo")}>{trace.lot.workOrderNo}</Descriptions.Item>
                <Descriptions.Item label={t("production.process")}>{op.processName}</Descriptions.Item>
                <Descriptions.Item label={t("production.equipment")}>{op.equipmentName ?? "–"}</Descriptions.Item>
                <Descriptions.Item label={t("production.operator")}>{op.operatorName ?? "–"}</Descriptions.Item>
                <Descriptions.Item label={t("production.quantity")}>{trace.lot.qty}</Descriptions.Item>
                <Descriptions.Item label={t("production.startedAt")}>{op.startedAt ? dateTime(op.startedAt) : "–"}</Descriptions.Item>
                <Descriptions.Item label={t("production.finishedAt")}>{op.finishedAt ? dateTime(op.finishedAt) : "–"}</Descriptions.Item>
                <Descriptions.Item label={`${t("production.good")} / ${t("production.ng")}`}>{`${op.goodQty} / ${op.ngQty}`}</Descriptions.Item>
                <Descriptions.Item label={t("lots.inspected")}>{t("lots.inspectedCounts", { ok: trace.inspectedOk, ng: trace.inspectedNg })}</Descriptions.Item>
                {trace.serials !== null && (
                  <Descriptions.Item label={t("lots.serials")} span={2}>
                    <span data-testid="lot-serials">{t("lots.serialRange", trace.serials)}</span>
                  </Descriptions.Item>
                )}
                <Descriptions.Item label={t("lots.defects")} span={2}>
                  {trace.defects.length === 0 ? "–" : trace.defects.map((d) => `${d.code} ${d.name} ${d.qty}`).join(", ")}
                </Descriptions.Item>
              </Descriptions>
              {trace.ngInspections.length > 0 && (
                <Space wrap>
                  {trace.ngInspections.map((r) => (
                    <Thumb key={r.id} row={r} onOpen={(row) => void evidence.show(row)} />
                  ))}
                </Space>
              )}
              <Typography.Title level={5}>{t("lots.backward")}</Typography.Title>
              <Links links={trace.backward} onOpen={(n) => void open(n)} testId="lot-backward" />
              <Typography.Title level={5}>{t("lots.forward")}</Typography.Title>
              <Links links={trace.forward} onOpen={(n) => void open(n)} testId="lot-forward" />
            </Space>
          )}
        </Card>
      </div>
      {evidence.dialog}
    </Space>
  );
}
