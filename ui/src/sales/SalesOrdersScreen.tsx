import { PaperClipOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Checkbox, Input, InputNumber, Modal, Select, Space, Table, Tag, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  commands,
  events,
  type Owner,
  type SalesOrder,
  type SalesOrderDetail,
  type SalesOrderLine,
  type SalesOrderPage,
  type SalesOrderQuery,
  type SalesStatus,
  type Session,
} from "../bindings";
import { DayRange, ExportButton } from "../components";
import { won } from "../format";
import AttachmentsDialog from "../master/AttachmentsDialog";
import { PartnerField } from "../master/PartnerPicker";
import { useNotify } from "../notify";
import { canPlan, today, useLiveData } from "../production/common";
import type { ScreenKey } from "../menu";
import { useIntent } from "../workspace/intent";
import SalesOrderDialog from "./SalesOrderDialog";

const PAGE = 20;
export const SALES_STATUSES: SalesStatus[] = ["quotation", "received", "in_work", "completed", "shipped"];
const STATUS_COLORS: Record<SalesStatus, string> = { quotation: "default", received: "blue", in_work: "processing", completed: "success", shipped: "purple" };

export function SalesStatusTag({ status }: { status: SalesStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLORS[status]} data-testid={`so-status-${status}`}>
      {t(`sales.status.${status}`)}
    </Tag>
  );
}

/** What a link (the dashboard) asks the order list to show. */
export interface SalesListIntent {
  status: SalesStatus | null;
  first: string;
  last: string;
  receivedOnly: boolean;
}

/**
 * Sales orders with filters, money totals and export; `fixedStatus` narrows
 * the list (shipments); `intentKey` takes filters from links to that screen.
 */
export function useSalesOrders(fixedStatus: SalesStatus | null, intentKey?: ScreenKey) {
  const [search, setSearch] = useState("");
  const [status, setStatus] = useState<SalesStatus | null>(fixedStatus);
  const [range, setRange] = useState({ first: "", last: "" });
  const [receivedOnly, setReceivedOnly] = useState(false);
  const [customerId, setCustomerId] = useState<number | null>(null);
  const [page, setPage] = useState(1);
  const [data, setData] = useState<SalesOrderPage>({ rows: [], total: 0, totals: { estimate: 0, finalPrice: 0, outsourcingCost: 0, gaCost: 0 } });
  const applyIntent = useCallback((i: SalesListIntent) => {
    setSearch("");
    setCustomerId(null);
    setStatus(i.status);
    setRange({ first: i.first, last: i.last });
    setReceivedOnly(i.receivedOnly);
    setPage(1);
  }, []);
  useIntent<SalesListIntent>(intentKey ? [intentKey] : [], applyIntent);
  const query: SalesOrderQuery = { search: search.trim() || null, status, receivedOnly, customerId, from: range.first || null, to: range.last || null, offset: (page - 1) * PAGE, limit: PAGE };
  const key = JSON.stringify(query);
  const fetch = useCallback(() => commands.listSalesOrders(JSON.parse(key) as SalesOrderQuery), [key]);
  const reload = useLiveData(events.salesChanged, fetch, setData);
  return { search, setSearch, status, setStatus, range, setRange, receivedOnly, setReceivedOnly, customerId, setCustomerId, page, setPage, data, query, reload };
}

/** Work orders for the chosen in-house lines of an order. */
function IssueDialog({ detail, onClose }: { detail: SalesOrderDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const eligible = detail.lines.filter((l) => l.itemId !== null && !l.outsourced && l.workOrderNos === null);
  const [chosen, setChosen] = useState<number[]>(eligible.map((l) => l.id));
  const [busy, setBusy] = useState(false);
  const issue = async () => {
    setBusy(true);
    try {
      const made = await commands.issueWorkOrders(detail.order.id, chosen);
      notify.success(t("sales.issued", { nos: made.map((w) => w.workOrder.no).join(", ") }));
      onClose();
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={t("sales.issueTitle", { no: detail.order.no })} onCancel={onClose} onOk={() => void issue()} okText={t("sales.issue")} cancelText={t("common.cancel")} okButtonProps={{ loading: busy, disabled: chosen.length === 0, ...{ "data-testid": "so-issue-ok" } }}>
      {eligible.length === 0 ? (
        <Typography.Text type="secondary">{t("sales.nothingToIssue")}</Typography.Text>
      ) : (
        <Checkbox.Group value={chosen} onChange={(v) => setChosen(v as number[])} style={{ display: "flex", flexDirection: "column", gap: 8 }}>
          {eligible.map((l) => (
            <Checkbox key={l.id} value={l.id}>
              {l.seq}. {l.partNo} {l.name} × {l.qty}
            </Checkbox>
          ))}
        </Checkbox.Group>
      )}
    </Modal>
  );
}

/** An outsourcing purchase order for chosen lines, at the supplier's prices. */
function OutsourceDialog({ detail, onClose }: { detail: SalesOrderDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const eligible = detail.lines.filter((l) => l.workOrderNos === null && l.purchaseOrderNos === null);
  const [supplierId, setSupplierId] = useState<number | null>(null);
  const [dueDate, setDueDate] = useState(detail.order.dueDate);
  const [prices, setPrices] = useState<Record<number, number>>(Object.fromEntries(eligible.map((l) => [l.id, l.unitPrice])));
  const [chosen, setChosen] = useState<number[]>(eligible.filter((l) => l.outsourced).map((l) => l.id));
  const [busy, setBusy] = useState(false);
  const order = async () => {
    if (supplierId === null) return;
    setBusy(true);
    try {
      const po = await commands.createOutsourcingOrder({
        salesOrderId: detail.order.id,
        supplierId,
        orderDate: today(),
        dueDate,
        remarks: null,
        lines: chosen.map((id) => ({ salesOrderLineId: id, unitPrice: prices[id] ?? 0 })),
      });
      notify.success(t("sales.outsourceDone", { no: po.order.no }));
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
      width={760}
      title={t("sales.outsourceTitle", { no: detail.order.no })}
      onCancel={onClose}
      onOk={() => void order()}
      okText={t("sales.outsource")}
      cancelText={t("common.cancel")}
      okButtonProps={{ loading: busy, disabled: chosen.length === 0 || supplierId === null, ...{ "data-testid": "so-outsource-ok" } }}
    >
      <Space orientation="vertical" style={{ width: "100%" }}>
        <Space wrap>
          <Typography.Text>{t("sales.supplier")}</Typography.Text>
          <PartnerField value={supplierId} onChange={setSupplierId} initialName={null} testId="po-supplier" />
          <Typography.Text>{t("sales.dueDate")}</Typography.Text>
          <Input type="date" style={{ width: 160 }} value={dueDate} onChange={(e) => setDueDate(e.target.value)} />
        </Space>
        <Table<SalesOrderLine>
          size="small"
          pagination={false}
          rowKey="id"
          dataSource={eligible}
          rowSelection={{ selectedRowKeys: chosen, onChange: (keys) => setChosen(keys as number[]) }}
          columns={[
            { title: "#", dataIndex: "seq" },
            { title: t("sales.name"), render: (_, l) => `${l.partNo ?? ""} ${l.name}` },
            { title: t("sales.qty"), dataIndex: "qty" },
            {
              title: t("sales.supplierPrice"),
              render: (_, l) => (
                <InputNumber min={0} precision={0} value={prices[l.id]} onChange={(v) => setPrices((p) => ({ ...p, [l.id]: v ?? 0 }))} data-testid={`po-price-${l.seq}`} />
              ),
            },
          ]}
        />
      </Space>
    </Modal>
  );
}

/** Sales orders (수주등록, 수주목록): list with filters and totals, the order form, and what an order leads to. */
export default function SalesOrdersScreen({ session, intentKey }: { session: Session; intentKey?: ScreenKey }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const editor = canPlan(session);
  const list = useSalesOrders(null, intentKey);
  const [typed, setTyped] = useState("");
  const [details, setDetails] = useState<Record<number, SalesOrderDetail>>({});
  const [expanded, setExpanded] = useState<number[]>([]);
  const [editing, setEditing] = useState<SalesOrderDetail | "new" | null>(null);
  const [dialog, setDialog] = useState<{ kind: "issue" | "outsource"; detail: SalesOrderDetail } | null>(null);
  const [files, setFiles] = useState<{ owner: Owner; id: number; title: string } | null>(null);

  useEffect(() => {
    let cancelled = false;
    Promise.all(expanded.map((id) => commands.getSalesOrder(id))).then(
      (all) => {
        if (!cancelled) setDetails(Object.fromEntries(all.map((d) => [d.order.id, d])));
      },
      (e) => {
        if (!cancelled) notify.error(e);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [expanded, list.data, notify]);

  const open = (id: number, then: (d: SalesOrderDetail) => void) => void commands.getSalesOrder(id).then(then, notify.error);
  const confirm = async (o: SalesOrder) => {
    try {
      await commands.confirmSalesOrder(o.id);
      notify.success(t("sales.confirmed", { no: o.no }));
    } catch (e) {
      notify.error(e);
    }
  };

  const { totals } = list.data;
  return (
    <Space orientation="vertical" size="small" style={{ width: "100%" }} data-testid="sales-screen">
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {t("sales.intro")}
      </Typography.Paragraph>
      <Space wrap>
        <Input.Search
          allowClear
          style={{ width: 240 }}
          placeholder={t("sales.search")}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          onSearch={(v) => (list.setSearch(v), list.setPage(1))}
          data-testid="so-search"
        />
        <Select
          allowClear
          style={{ width: 150 }}
          placeholder={t("sales.statusLabel")}
          value={list.status ?? undefined}
          onChange={(v: SalesStatus | undefined) => (list.setStatus(v ?? null), list.setPage(1))}
          options={SALES_STATUSES.map((s) => ({ value: s, label: t(`sales.status.${s}`) }))}
          data-testid="so-status"
        />
        <DayRange first={list.range.first} last={list.range.last} onChange={(first, last) => (list.setRange({ first, last }), list.setPage(1))} />
        <Checkbox checked={list.receivedOnly} onChange={(e) => (list.setReceivedOnly(e.target.checked), list.setPage(1))} data-testid="so-received-only">
          {t("sales.receivedOnly")}
        </Checkbox>
        <PartnerField value={list.customerId} onChange={(id) => (list.setCustomerId(id), list.setPage(1))} initialName={null} testId="so-filter-customer" />
        <ExportButton run={() => commands.exportSalesOrders(list.query)} testId="so-export" />
        {editor && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing("new")} data-testid="so-add">
            {t("sales.newOrder")}
          </Button>
        )}
      </Space>
      <Typography.Text data-testid="so-totals">
        {t("sales.totals", { count: list.data.total, estimate: won(totals.estimate), finalPrice: won(totals.finalPrice), outsourcing: won(totals.outsourcingCost) })}
      </Typography.Text>
      <Table<SalesOrder>
        size="small"
        className="one-line-table"
        scroll={{ x: "max-content" }}
        rowKey="id"
        dataSource={list.data.rows}
        data-testid="so-table"
        pagination={{ current: list.page, pageSize: PAGE, total: list.data.total, showSizeChanger: false, onChange: list.setPage }}
        expandable={{
          expandedRowKeys: expanded,
          onExpandedRowsChange: (keys) => setExpanded(keys as number[]),
          expandedRowRender: (o) => {
            const d = details[o.id];
            return d ? (
              <Space orientation="vertical" style={{ width: "100%" }}>
              <ExportButton run={() => commands.exportSalesOrderLines(o.id)} testId="so-lines-export" />
              <Table<SalesOrderLine>
                size="small"
                className="one-line-table"
                pagination={false}
                rowKey="id"
                dataSource={d.lines}
                data-testid="so-lines-view"
                columns={[
                  { title: "#", dataIndex: "seq" },
                  { title: t("sales.partNo"), render: (_, l) => l.partNo ?? "" },
                  { title: t("sales.name"), dataIndex: "name" },
                  { title: t("sales.spec"), render: (_, l) => l.spec ?? "" },
                  { title: t("sales.unitPrice"), align: "right", render: (_, l) => won(l.unitPrice) },
                  { title: t("sales.qty"), dataIndex: "qty", align: "right" },
                  { title: t("sales.amount"), align: "right", render: (_, l) => won(l.amount) },
                  { title: t("sales.outsourced"), render: (_, l) => (l.outsourced ? "✓" : "") },
                  { title: t("sales.workOrders"), render: (_, l) => l.workOrderNos ?? "" },
                  { title: t("sales.purchaseOrders"), render: (_, l) => l.purchaseOrderNos ?? "" },
                  {
                    title: "",
                    render: (_, l) => (
                      <Button size="small" icon={<PaperClipOutlined />} onClick={() => setFiles({ owner: "sales_order_line", id: l.id, title: t("sales.lineFiles", { no: o.no, seq: l.seq, name: l.name }) })} data-testid={`so-line-files-${l.seq}`}>
                        {t("sales.drawings")}
                      </Button>
                    ),
                  },
                ]}
              />
              </Space>
            ) : (
              t("app.loading")
            );
          },
        }}
        columns={[
          { title: t("sales.no"), dataIndex: "no", render: (no: string) => <span data-testid="so-no">{no}</span> },
          { title: t("sales.orderName"), dataIndex: "name" },
          { title: t("sales.customer"), dataIndex: "customerName" },
          { title: t("sales.orderDate"), dataIndex: "orderDate" },
          { title: t("sales.dueDate"), dataIndex: "dueDate" },
          { title: t("sales.market"), render: (_, o) => t(o.export ? "sales.export" : "sales.domestic") },
          { title: t("sales.statusLabel"), render: (_, o) => <SalesStatusTag status={o.status} /> },
          { title: t("sales.estimate"), align: "right", render: (_, o) => won(o.estimate) },
          { title: t("sales.finalPrice"), align: "right", render: (_, o) => (o.finalPrice === null ? "–" : won(o.finalPrice)) },
          { title: t("sales.outsourcingCost"), align: "right", render: (_, o) => won(o.outsourcingCost) },
          {
            title: "",
            fixed: "right",
            render: (_, o) => (
                <Space size={4}>
                  <Button size="small" icon={<PaperClipOutlined />} onClick={() => setFiles({ owner: "sales_order", id: o.id, title: t("sales.orderFiles", { no: o.no, name: o.name }) })} data-testid="so-files">
                    {t("sales.drawings")}
                  </Button>
                  {editor && (o.status === "quotation" || o.status === "received") && (
                    <Button size="small" onClick={() => open(o.id, setEditing)} data-testid="so-edit">
                      {t("master.edit")}
                    </Button>
                  )}
                  {editor && o.status === "quotation" && (
                    <Button size="small" type="primary" onClick={() => void confirm(o)} data-testid="so-confirm">
                      {t("sales.confirm")}
                    </Button>
                  )}
                  {editor && (o.status === "received" || o.status === "in_work") && (
                    <>
                      <Button size="small" onClick={() => open(o.id, (d) => setDialog({ kind: "issue", detail: d }))} data-testid="so-issue">
                        {t("sales.issue")}
                      </Button>
                      <Button size="small" onClick={() => open(o.id, (d) => setDialog({ kind: "outsource", detail: d }))} data-testid="so-outsource">
                        {t("sales.outsource")}
                      </Button>
                    </>
                  )}
                </Space>
              ),
          },
        ]}
      />
      {editing !== null && (
        <SalesOrderDialog
          editing={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(d) => {
            setEditing(null);
            setTyped(d.order.no);
            list.setSearch(d.order.no);
            list.setStatus(null);
            list.setRange({ first: "", last: "" });
            list.setPage(1);
          }}
        />
      )}
      {files && <AttachmentsDialog session={session} owner={files.owner} ownerId={files.id} title={files.title} onClose={() => setFiles(null)} />}
      {dialog?.kind === "issue" && <IssueDialog detail={dialog.detail} onClose={() => setDialog(null)} />}
      {dialog?.kind === "outsource" && <OutsourceDialog detail={dialog.detail} onClose={() => setDialog(null)} />}
    </Space>
  );
}
