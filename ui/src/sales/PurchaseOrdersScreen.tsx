import { FilePdfOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Input, Modal, Select, Space, Table, Tag, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  commands,
  events,
  type Item,
  type PurchaseOrder,
  type PurchaseOrderDetail,
  type PurchaseOrderLine,
  type PurchaseOrderPage,
  type PurchaseOrderQuery,
  type PurchaseStatus,
  type SalesLineInput,
  type Session,
} from "../bindings";
import { DayRange, ExportButton } from "../components";
import { won } from "../format";
import { ALL_IN_USE } from "../master/MasterList";
import { PartnerField } from "../master/PartnerPicker";
import type { ScreenKey } from "../menu";
import { useNotify } from "../notify";
import { useIntent } from "../workspace/intent";
import { canPlan, today, useLiveData } from "../production/common";
import LinesEditor, { BLANK_LINE } from "./LinesEditor";

const PAGE = 20;

/** A purchase order of materials or anything not made from a sales order. */
function PurchaseOrderDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [supplierId, setSupplierId] = useState<number | null>(null);
  const [dates, setDates] = useState({ order: today(), due: today(14) });
  const [remarks, setRemarks] = useState("");
  const [lines, setLines] = useState<SalesLineInput[]>([BLANK_LINE]);
  const [items, setItems] = useState<Item[]>([]);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    commands.listItems(ALL_IN_USE).then((p) => setItems(p.rows), notify.error);
  }, [notify]);
  const save = async () => {
    if (supplierId === null) return;
    setBusy(true);
    try {
      const po = await commands.createPurchaseOrder({ supplierId, orderDate: dates.order, dueDate: dates.due, remarks: remarks.trim() || null, lines });
      notify.success(t("purchasing.saved", { no: po.order.no }));
      onClose();
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      width={1080}
      title={t("purchasing.newOrder")}
      onCancel={onClose}
      onOk={() => void save()}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      okButtonProps={{ loading: busy, disabled: supplierId === null || lines.length === 0, ...{ "data-testid": "po-save" } }}
      destroyOnHidden
    >
      <Space wrap style={{ marginBottom: 12 }}>
        <Typography.Text>{t("sales.supplier")}</Typography.Text>
        <PartnerField value={supplierId} onChange={setSupplierId} initialName={null} testId="po-new-supplier" />
        <Typography.Text>{t("purchasing.orderDate")}</Typography.Text>
        <Input type="date" style={{ width: 160 }} value={dates.order} onChange={(e) => setDates((d) => ({ ...d, order: e.target.value }))} />
        <Typography.Text>{t("sales.dueDate")}</Typography.Text>
        <Input type="date" style={{ width: 160 }} value={dates.due} onChange={(e) => setDates((d) => ({ ...d, due: e.target.value }))} />
        <Input style={{ width: 280 }} placeholder={t("master.remarks")} value={remarks} onChange={(e) => setRemarks(e.target.value)} />
      </Space>
      <LinesEditor lines={lines} onChange={setLines} items={items} withOutsourced={false} testId="po-lines" />
    </Modal>
  );
}

/**
 * Purchase orders (발주목록) and goods receipt (입고관리): filters, money
 * totals (supply, VAT, total), export, new orders, and receipt on a date.
 */
/** What a link (the dashboard) asks the purchase-order list to show. */
export interface PurchaseListIntent {
  first: string;
  last: string;
}

export default function PurchaseOrdersScreen({ session, mode, intentKey }: { session: Session; mode: "orders" | "receipt"; intentKey?: ScreenKey }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const editor = canPlan(session);
  const [search, setSearch] = useState("");
  const [status, setStatus] = useState<PurchaseStatus | null>(mode === "receipt" ? "ordered" : null);
  const [range, setRange] = useState({ first: "", last: "" });
  const [supplierId, setSupplierId] = useState<number | null>(null);
  const [page, setPage] = useState(1);
  const [data, setData] = useState<PurchaseOrderPage>({ rows: [], total: 0, totals: { supply: 0, vat: 0, total: 0 } });
  const [details, setDetails] = useState<Record<number, PurchaseOrderDetail>>({});
  const [adding, setAdding] = useState(false);
  const [receiving, setReceiving] = useState<PurchaseOrder | null>(null);
  const [receivedOn, setReceivedOn] = useState(today());
  const query: PurchaseOrderQuery = { search: search.trim() || null, status, supplierId, from: range.first || null, to: range.last || null, offset: (page - 1) * PAGE, limit: PAGE };
  const key = JSON.stringify(query);
  const applyIntent = useCallback((i: PurchaseListIntent) => {
    setSearch("");
    setStatus(null);
    setSupplierId(null);
    setRange({ first: i.first, last: i.last });
    setPage(1);
  }, []);
  useIntent<PurchaseListIntent>(intentKey ? [intentKey] : [], applyIntent);
  const fetch = useCallback(() => commands.listPurchaseOrders(JSON.parse(key) as PurchaseOrderQuery), [key]);
  useLiveData(events.salesChanged, fetch, setData);

  const pdf = async (po: PurchaseOrder) => {
    try {
      notify.success(t("purchasing.pdfSaved", { path: await commands.purchaseOrderPdf(po.id) }));
    } catch (e) {
      notify.error(e);
    }
  };

  const receive = async () => {
    if (receiving === null) return;
    try {
      const po = await commands.receivePurchaseOrder(receiving.id, receivedOn);
      notify.success(t("purchasing.received", { no: po.order.no }));
      setReceiving(null);
    } catch (e) {
      notify.error(e);
    }
  };

  return (
    <Space orientation="vertical" size="small" style={{ width: "100%" }} data-testid={`po-${mode}-screen`}>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {t(mode === "receipt" ? "purchasing.receiptIntro" : "purchasing.intro")}
      </Typography.Paragraph>
      <Space wrap>
        <Input.Search allowClear style={{ width: 240 }} placeholder={t("purchasing.search")} onSearch={(v) => (setSearch(v), setPage(1))} data-testid="po-search" />
        <Select
          allowClear
          style={{ width: 130 }}
          placeholder={t("sales.statusLabel")}
          value={status ?? undefined}
          onChange={(v: PurchaseStatus | undefined) => (setStatus(v ?? null), setPage(1))}
          options={(["ordered", "received"] as const).map((s) => ({ value: s, label: t(`purchasing.status.${s}`) }))}
          data-testid="po-status"
        />
        <DayRange first={range.first} last={range.last} onChange={(first, last) => (setRange({ first, last }), setPage(1))} />
        <PartnerField value={supplierId} onChange={(id) => (setSupplierId(id), setPage(1))} initialName={null} testId="po-filter-supplier" />
        <ExportButton run={() => commands.exportPurchaseOrders(query)} testId="po-export" />
        {editor && mode === "orders" && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="po-add">
            {t("purchasing.newOrder")}
          </Button>
        )}
      </Space>
      <Typography.Text data-testid="po-totals">
        {t("purchasing.totals", { count: data.total, supply: won(data.totals.supply), vat: won(data.totals.vat), total: won(data.totals.total) })}
      </Typography.Text>
      <Table<PurchaseOrder>
        size="small"
        className="one-line-table"
        scroll={{ x: "max-content" }}
        rowKey="id"
        dataSource={data.rows}
        data-testid="po-table"
        pagination={{ current: page, pageSize: PAGE, total: data.total, showSizeChanger: false, onChange: setPage }}
        expandable={{
          onExpand: (open, po) => {
            if (open && !details[po.id]) commands.getPurchaseOrder(po.id).then((d) => setDetails((all) => ({ ...all, [po.id]: d })), notify.error);
          },
          expandedRowRender: (po) => {
            const d = details[po.id];
            return d ? (
              <Table<PurchaseOrderLine>
                size="small"
                pagination={false}
                rowKey="id"
                dataSource={d.lines}
                columns={[
                  { title: "#", dataIndex: "seq" },
                  { title: t("sales.partNo"), render: (_, l) => l.partNo ?? "" },
                  { title: t("sales.name"), dataIndex: "name" },
                  { title: t("sales.unitPrice"), align: "right", render: (_, l) => won(l.unitPrice) },
                  { title: t("sales.qty"), dataIndex: "qty", align: "right" },
                  { title: t("sales.amount"), align: "right", render: (_, l) => won(l.amount) },
                ]}
              />
            ) : (
              t("app.loading")
            );
          },
        }}
        columns={[
          { title: t("purchasing.no"), dataIndex: "no", render: (no: string) => <span data-testid="po-no">{no}</span> },
          { title: t("sales.supplier"), dataIndex: "supplierName" },
          { title: t("purchasing.salesOrder"), render: (_, po) => po.salesOrderNo ?? "–" },
          { title: t("purchasing.orderDate"), dataIndex: "orderDate" },
          { title: t("sales.dueDate"), dataIndex: "dueDate" },
          {
            title: t("sales.statusLabel"),
            render: (_, po) => (
              <Tag color={po.status === "received" ? "success" : "processing"} data-testid={`po-status-${po.status}`}>
                {t(`purchasing.status.${po.status}`)}
              </Tag>
            ),
          },
          { title: t("purchasing.receivedOn"), render: (_, po) => po.receivedOn ?? "–" },
          { title: t("purchasing.supply"), align: "right", render: (_, po) => won(po.supply) },
          { title: t("purchasing.vat"), align: "right", render: (_, po) => won(po.vat) },
          { title: t("purchasing.total"), align: "right", render: (_, po) => won(po.total) },
          {
            title: "",
            fixed: "right",
            render: (_, po) => (
              <Space size={4}>
                <Button size="small" icon={<FilePdfOutlined />} onClick={() => void pdf(po)} data-testid="po-pdf">
                  {t("purchasing.pdf")}
                </Button>
                {editor && po.status === "ordered" && (
                  <Button size="small" type="primary" onClick={() => (setReceivedOn(today()), setReceiving(po))} data-testid="po-receive">
                    {t("purchasing.receive")}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      {adding && <PurchaseOrderDialog onClose={() => setAdding(false)} />}
      {receiving && (
        <Modal open title={t("purchasing.receiveTitle", { no: receiving.no })} onCancel={() => setReceiving(null)} onOk={() => void receive()} okText={t("purchasing.receive")} cancelText={t("common.cancel")} okButtonProps={{ ...{ "data-testid": "po-receive-ok" } }}>
          <Space>
            <Typography.Text>{t("purchasing.receivedOn")}</Typography.Text>
            <Input type="date" value={receivedOn} onChange={(e) => setReceivedOn(e.target.value)} data-testid="po-received-on" />
          </Space>
        </Modal>
      )}
    </Space>
  );
}
