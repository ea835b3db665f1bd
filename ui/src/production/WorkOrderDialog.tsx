import { Alert, Form, Input, InputNumber, Modal, Select, Space, Table, Typography } from "antd";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Equipment, type Item, type RoutingStep, type WorkOrderDetail } from "../bindings";
import { ALL_IN_USE } from "../master/MasterList";
import { PartnerField } from "../master/PartnerPicker";
import { useNotify } from "../notify";
import { today } from "./common";

interface Header {
  itemId: number | null;
  /** Null while the field is being retyped. */
  quantity: number | null;
  orderDate: string;
  dueDate: string;
  customerId: number | null;
  remarks: string;
}

/** One operation as the planner edits it. */
interface PlannedOp {
  step: RoutingStep;
  planDate: string;
  equipmentId: number | null;
  plannedQty: number;
}

/**
 * Plans a new work order (editing null) or changes a planned one: item,
 * quantity, dates and customer; the operations follow the item's routing
 * with plan dates proposed from the lead-time table, each editable.
 */
export default function WorkOrderDialog({ editing, onClose, onSaved }: { editing: WorkOrderDetail | null; onClose: () => void; onSaved: (d: WorkOrderDetail) => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [items, setItems] = useState<Item[]>([]);
  const [equipment, setEquipment] = useState<Equipment[]>([]);
  const wo = editing?.workOrder;
  const [header, setHeader] = useState<Header>({
    itemId: wo?.itemId ?? null,
    quantity: wo?.quantity ?? 10,
    orderDate: wo?.orderDate ?? today(),
    dueDate: wo?.dueDate ?? today(14),
    customerId: wo?.customerId ?? null,
    remarks: wo?.remarks ?? "",
  });
  const [ops, setOps] = useState<PlannedOp[]>(
    editing?.operations.map((o) => ({
      step: {
        seq: o.seq,
        processId: o.processId,
        processName: o.processName,
        workCenter: o.workCenter,
        equipmentId: o.equipmentId,
        equipmentName: o.equipmentName,
        cycleSeconds: o.cycleSeconds,
        stationId: o.stationId,
        stationName: null,
      },
      planDate: o.planDate,
      equipmentId: o.equipmentId,
      plannedQty: o.plannedQty,
    })) ?? [],
  );
  const [uncovered, setUncovered] = useState(false);
  /** The order quantity before the one being typed: operations equal to it follow the new one. */
  const lastQuantity = useRef(header.quantity);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    Promise.all([commands.listItems(ALL_IN_USE), commands.listEquipment(ALL_IN_USE)]).then(([i, e]) => {
      setItems(i.rows);
      setEquipment(e.rows);
    }, notify.error);
  }, [notify]);

  /** New plan dates whenever the item or the dates change (a new order only). */
  const propose = async (h: Header) => {
    if (editing !== null || h.itemId === null || !h.orderDate || !h.dueDate) return;
    try {
      const plan = await commands.proposePlan(h.itemId, null, h.orderDate, h.dueDate);
      setUncovered(!plan.covered);
      setOps(plan.operations.map((o) => ({ step: o.step, planDate: o.planDate, equipmentId: o.step.equipmentId, plannedQty: h.quantity ?? 1 })));
    } catch (e) {
      setOps([]);
      notify.error(e);
    }
  };

  const change = (patch: Partial<Header>) => {
    const next = { ...header, ...patch };
    // Operations planned for the whole order follow its quantity.
    const quantity = patch.quantity;
    if (quantity != null) {
      const before = lastQuantity.current;
      setOps((all) => all.map((o) => (o.plannedQty === before ? { ...o, plannedQty: quantity } : o)));
      lastQuantity.current = quantity;
    }
    setHeader(next);
    if (patch.itemId !== undefined || patch.orderDate !== undefined || patch.dueDate !== undefined) void propose(next);
  };

  const setOp = (i: number, patch: Partial<PlannedOp>) => setOps((all) => all.map((o, j) => (j === i ? { ...o, ...patch } : o)));

  const save = async () => {
    if (header.itemId === null || header.quantity === null) return; // saving is off until both are there
    const input = {
      itemId: header.itemId,
      routingId: null,
      quantity: header.quantity,
      orderDate: header.orderDate,
      dueDate: header.dueDate,
      customerId: header.customerId,
      remarks: header.remarks.trim() || null,
      operations: ops.map((o) => ({ planDate: o.planDate, equipmentId: o.equipmentId, plannedQty: o.plannedQty })),
    };
    setBusy(true);
    try {
      const saved = editing === null ? await commands.createWorkOrder(input) : await commands.updateWorkOrder(editing.workOrder.id, input);
      notify.success(t("production.savedWorkOrder", { no: saved.workOrder.no }));
      onSaved(saved);
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      width={980}
      title={editing === null ? t("production.newWorkOrder") : t("production.editWorkOrder", { no: editing.workOrder.no })}
      onCancel={onClose}
      onOk={() => void save()}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      okButtonProps={{ loading: busy, disabled: ops.length === 0 || header.quantity === null, ...{ "data-testid": "wo-save" } }}
      destroyOnHidden
    >
      <Form layout="vertical">
        <Space align="start" wrap>
          <Form.Item label={t("production.item")} required>
            <Select
              showSearch
              disabled={editing !== null}
              style={{ width: 300 }}
              value={header.itemId ?? undefined}
              onChange={(v: number) => change({ itemId: v })}
              optionFilterProp="label"
              options={items.map((i) => ({ value: i.id, label: `${i.partNo} ${i.name}` }))}
              data-testid="wo-item"
            />
          </Form.Item>
          <Form.Item label={t("production.quantity")} required>
            <InputNumber min={1} max={1000000} precision={0} value={header.quantity} onChange={(v) => change({ quantity: v })} data-testid="wo-quantity" />
          </Form.Item>
          <Form.Item label={t("production.orderDate")} required>
            <Input type="date" value={header.orderDate} onChange={(e) => change({ orderDate: e.target.value })} data-testid="wo-order-date" />
          </Form.Item>
          <Form.Item label={t("production.dueDate")} required>
            <Input type="date" value={header.dueDate} onChange={(e) => change({ dueDate: e.target.value })} data-testid="wo-due-date" />
          </Form.Item>
        </Space>
        <Space align="start" wrap>
          <Form.Item label={t("production.customer")}>
            <PartnerField value={header.customerId} onChange={(id) => change({ customerId: id })} initialName={wo?.customerName ?? null} testId="wo-customer" />
          </Form.Item>
          <Form.Item label={t("master.remarks")}>
            <Input style={{ width: 420 }} maxLength={500} value={header.remarks} onChange={(e) => change({ remarks: e.target.value })} />
          </Form.Item>
        </Space>
      </Form>
      {uncovered && <Alert type="warning" showIcon title={t("production.leadUncovered")} style={{ marginBottom: 8 }} data-testid="wo-lead-uncovered" />}
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {t("production.operations")}
      </Typography.Title>
      <Table<PlannedOp>
        size="small"
        className="one-line-table"
        scroll={{ x: "max-content" }}
        pagination={false}
        rowKey={(o) => o.step.seq}
        dataSource={ops}
        data-testid="wo-plan"
        locale={{ emptyText: t("production.chooseItemFirst") }}
        columns={[
          { title: "#", render: (_, o) => o.step.seq, width: 40 },
          { title: t("production.process"), render: (_, o) => o.step.processName },
          { title: t("production.workCenter"), render: (_, o) => o.step.workCenter ?? "–" },
          {
            title: t("production.planDate"),
            render: (_, o, i) => (
              <Input type="date" value={o.planDate} min={header.orderDate} max={header.dueDate} onChange={(e) => setOp(i, { planDate: e.target.value })} data-testid={`wo-plan-date-${i}`} />
            ),
          },
          {
            title: t("production.equipment"),
            render: (_, o, i) => (
              <Select
                allowClear
                style={{ width: 200 }}
                value={o.equipmentId ?? undefined}
                onChange={(v: number | undefined) => setOp(i, { equipmentId: v ?? null })}
                options={equipment.map((e) => ({ value: e.id, label: `${e.code} ${e.name}` }))}
              />
            ),
          },
          {
            title: t("production.plannedQty"),
            render: (_, o, i) => <InputNumber min={1} max={1000000} precision={0} value={o.plannedQty} onChange={(v) => setOp(i, { plannedQty: v ?? 1 })} />,
          },
          { title: t("production.cycle"), render: (_, o) => `${o.step.cycleSeconds ?? "–"}s` },
        ]}
      />
    </Modal>
  );
}
