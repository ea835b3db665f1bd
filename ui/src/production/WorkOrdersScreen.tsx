import { PlusOutlined } from "@ant-design/icons";
import { Button, Input, Modal, Progress, Select, Space, Table, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Operation, type Page, type Session, type WorkOrder, type WorkOrderDetail, type WorkOrderStatus } from "../bindings";
import { DayRange } from "../components";
import { dateTime } from "../format";
import { useNotify } from "../notify";
import { OperationTag, WorkOrderTag, canPlan, useProductionData } from "./common";
import WorkOrderDialog from "./WorkOrderDialog";

const PAGE = 20;
const STATUSES: WorkOrderStatus[] = ["planned", "in_work", "completed", "cancelled"];

/** Asks for a reason, then runs `act` with it (cancel, complete). */
function useReasonPrompt() {
  const { t } = useTranslation();
  const [ask, setAsk] = useState<{ title: string; act: (reason: string) => Promise<void> } | null>(null);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const dialog = ask && (
    <Modal
      open
      title={ask.title}
      onCancel={() => setAsk(null)}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      okButtonProps={{ loading: busy, disabled: !reason.trim(), ...{ "data-testid": "reason-ok" } }}
      onOk={() => {
        setBusy(true);
        void ask.act(reason.trim()).finally(() => {
          setBusy(false);
          setAsk(null);
        });
      }}
    >
      <Input.TextArea rows={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t("production.reason")} data-testid="reason-text" />
    </Modal>
  );
  return {
    prompt: (title: string, act: (reason: string) => Promise<void>) => {
      setReason("");
      setAsk({ title, act });
    },
    dialog,
  };
}

/** The operations of one order: plan against what the floor did. */
export function OperationsTable({ operations }: { operations: Operation[] }) {
  const { t } = useTranslation();
  const when = (iso: string | null) => (iso ? dateTime(iso) : "–");
  return (
    <Table<Operation>
      size="small"
      className="one-line-table"
      scroll={{ x: "max-content" }}
      pagination={false}
      rowKey="id"
      dataSource={operations}
      data-testid="wo-operations"
      columns={[
        { title: "#", dataIndex: "seq", width: 40 },
        { title: t("production.process"), dataIndex: "processName" },
        { title: t("production.workCenter"), render: (_, o) => o.workCenter ?? "–" },
        { title: t("production.equipment"), render: (_, o) => o.equipmentName ?? "–" },
        { title: t("production.planDate"), dataIndex: "planDate" },
        { title: t("production.status"), render: (_, o) => <OperationTag status={o.status} /> },
        { title: t("production.operator"), render: (_, o) => o.operatorName ?? "–" },
        { title: t("production.startedAt"), render: (_, o) => when(o.startedAt) },
        { title: t("production.finishedAt"), render: (_, o) => when(o.finishedAt) },
        { title: t("production.plannedQty"), dataIndex: "plannedQty", align: "right" },
        { title: t("production.good"), dataIndex: "goodQty", align: "right" },
        { title: t("production.ng"), dataIndex: "ngQty", align: "right" },
        { title: t("production.lot"), render: (_, o) => o.lotNo ?? "–" },
      ]}
    />
  );
}

/**
 * Work orders: `plan` (작업지시) plans, edits, releases and cancels them;
 * `results` (생산실적조회) shows each order's operations as the floor ran
 * them and lets the office complete an order early, with a reason.
 */
export default function WorkOrdersScreen({ session, mode }: { session: Session; mode: "plan" | "results" }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const planner = canPlan(session);
  const testId = mode === "plan" ? "work-orders" : "results";
  const [search, setSearch] = useState("");
  const [typed, setTyped] = useState("");
  const [status, setStatus] = useState<WorkOrderStatus | null>(mode === "plan" ? null : "in_work");
  const [range, setRange] = useState({ first: "", last: "" });
  const [page, setPage] = useState(1);
  const [data, setData] = useState<Page<WorkOrder>>({ rows: [], total: 0 });
  const [details, setDetails] = useState<Record<number, WorkOrderDetail>>({});
  const [expanded, setExpanded] = useState<number[]>([]);
  const [editing, setEditing] = useState<WorkOrderDetail | "new" | null>(null);
  const reasons = useReasonPrompt();

  const fetch = useCallback(
    () =>
      commands.listWorkOrders({
        search: search.trim() || null,
        status,
        from: range.first || null,
        to: range.last || null,
        offset: (page - 1) * PAGE,
        limit: PAGE,
      }),
    [search, status, range, page],
  );
  const show = useCallback((p: Page<WorkOrder>) => {
    setData(p);
    setDetails({});
  }, []);
  const reload = useProductionData(fetch, show);

  // The operations of every expanded order, loaded when it opens.
  useEffect(() => {
    for (const id of expanded) {
      if (details[id]) continue;
      commands.getWorkOrder(id).then((d) => setDetails((all) => ({ ...all, [id]: d })), notify.error);
    }
  }, [expanded, details, notify]);

  const run = async (act: () => Promise<WorkOrderDetail>, done: string) => {
    try {
      const d = await act();
      notify.success(t(done, { no: d.workOrder.no }));
    } catch (e) {
      notify.error(e);
    }
  };

  const actions = (w: WorkOrder) => (
    <Space size={4} wrap>
      {mode === "plan" && w.status === "planned" && planner && (
        <>
          <Button size="small" onClick={() => void commands.getWorkOrder(w.id).then(setEditing, notify.error)} data-testid="wo-edit">
            {t("master.edit")}
          </Button>
          <Button size="small" type="primary" onClick={() => void run(() => commands.releaseWorkOrder(w.id), "production.released")} data-testid="wo-release">
            {t("production.release")}
          </Button>
          <Button size="small" danger onClick={() => reasons.prompt(t("production.cancelTitle", { no: w.no }), (r) => run(() => commands.cancelWorkOrder(w.id, r), "production.cancelled"))} data-testid="wo-cancel">
            {t("production.cancel")}
          </Button>
        </>
      )}
      {mode === "results" && w.status === "in_work" && planner && (
        <Button size="small" onClick={() => reasons.prompt(t("production.completeTitle", { no: w.no }), (r) => run(() => commands.completeWorkOrder(w.id, r), "production.completed"))} data-testid="wo-complete">
          {t("production.complete")}
        </Button>
      )}
    </Space>
  );

  return (
    <Space orientation="vertical" size="small" style={{ width: "100%" }} data-testid={`${testId}-screen`}>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {t(mode === "plan" ? "production.workOrdersIntro" : "production.resultsIntro")}
      </Typography.Paragraph>
      <Space wrap>
        <Input.Search
          allowClear
          style={{ width: 260 }}
          placeholder={t("production.searchWorkOrders")}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          onSearch={(v) => {
            setSearch(v);
            setPage(1);
          }}
          data-testid={`${testId}-search`}
        />
        <Select
          allowClear
          style={{ width: 150 }}
          placeholder={t("production.status")}
          value={status ?? undefined}
          onChange={(v: WorkOrderStatus | undefined) => {
            setStatus(v ?? null);
            setPage(1);
          }}
          options={STATUSES.map((s) => ({ value: s, label: t(`production.woStatus.${s}`) }))}
          data-testid={`${testId}-status`}
        />
        <DayRange
          first={range.first}
          last={range.last}
          onChange={(first, last) => {
            setRange({ first, last });
            setPage(1);
          }}
        />
        {mode === "plan" && planner && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing("new")} data-testid="wo-add">
            {t("production.newWorkOrder")}
          </Button>
        )}
      </Space>
      <Table<WorkOrder>
        size="small"
        className="one-line-table"
        scroll={{ x: "max-content" }}
        rowKey="id"
        dataSource={data.rows}
        data-testid={`${testId}-table`}
        pagination={{ current: page, pageSize: PAGE, total: data.total, showSizeChanger: false, onChange: setPage }}
        expandable={{
          expandedRowKeys: expanded,
          onExpandedRowsChange: (keys) => setExpanded(keys as number[]),
          expandedRowRender: (w) => {
            const detail = details[w.id];
            return detail ? <OperationsTable operations={detail.operations} /> : t("app.loading");
          },
        }}
        columns={[
          { title: t("production.workOrderNo"), dataIndex: "no", render: (no: string) => <span data-testid="wo-no">{no}</span> },
          { title: t("production.item"), render: (_, w) => `${w.partNo} ${w.itemName}` },
          { title: t("production.quantity"), dataIndex: "quantity", align: "right" },
          { title: t("production.orderDate"), dataIndex: "orderDate" },
          { title: t("production.dueDate"), dataIndex: "dueDate" },
          { title: t("production.customer"), render: (_, w) => w.customerName ?? "–" },
          { title: t("production.status"), render: (_, w) => <WorkOrderTag status={w.status} /> },
          {
            title: t("production.progress"),
            render: (_, w) => (
              <Progress
                size="small"
                style={{ width: 120 }}
                percent={w.operationCount ? Math.round((100 * w.finishedCount) / w.operationCount) : 0}
                format={() => `${w.finishedCount}/${w.operationCount}`}
              />
            ),
          },
          { title: t("production.reason"), render: (_, w) => w.completionReason ?? "" },
          { title: "", fixed: "right", render: (_, w) => actions(w) },
        ]}
      />
      {editing !== null && (
        <WorkOrderDialog
          editing={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(d) => {
            setEditing(null);
            // The list shows the order just saved.
            setTyped(d.workOrder.no);
            setSearch(d.workOrder.no);
            setStatus(null);
            setRange({ first: "", last: "" });
            setPage(1);
            reload();
          }}
        />
      )}
      {reasons.dialog}
    </Space>
  );
}
