import { Checkbox, Form, Input, InputNumber, Modal, Space } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Item, type SalesLineInput, type SalesOrderDetail } from "../bindings";
import { ImportButton } from "../components";
import { ALL_IN_USE } from "../master/MasterList";
import { PartnerField } from "../master/PartnerPicker";
import { useNotify } from "../notify";
import { today } from "../production/common";
import LinesEditor, { BLANK_LINE } from "./LinesEditor";

interface Header {
  name: string;
  customerId: number | null;
  orderDate: string;
  dueDate: string;
  export: boolean;
  gaCost: number;
  finalPrice: number | null;
  quotation: boolean;
  remarks: string;
}

/** Adds (editing null) or changes a sales order: header and every line, saved together. */
export default function SalesOrderDialog({ editing, onClose, onSaved }: { editing: SalesOrderDetail | null; onClose: () => void; onSaved: (d: SalesOrderDetail) => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const o = editing?.order;
  const [header, setHeader] = useState<Header>({
    name: o?.name ?? "",
    customerId: o?.customerId ?? null,
    orderDate: o?.orderDate ?? today(),
    dueDate: o?.dueDate ?? today(21),
    export: o?.export ?? false,
    gaCost: o?.gaCost ?? 0,
    finalPrice: o?.finalPrice ?? null,
    quotation: false,
    remarks: o?.remarks ?? "",
  });
  const [lines, setLines] = useState<SalesLineInput[]>(
    editing?.lines.map((l) => ({ id: l.id, itemId: l.itemId, partNo: l.partNo, name: l.name, spec: l.spec, unitPrice: l.unitPrice, qty: l.qty, outsourced: l.outsourced, note: l.note })) ?? [BLANK_LINE],
  );
  const [items, setItems] = useState<Item[]>([]);
  const [busy, setBusy] = useState(false);
  // The id of the order once stored: saving again changes it, never adds a second one.
  const [savedId, setSavedId] = useState<number | null>(o?.id ?? null);

  useEffect(() => {
    commands.listItems(ALL_IN_USE).then((p) => setItems(p.rows), notify.error);
  }, [notify]);

  const change = (patch: Partial<Header>) => setHeader((h) => ({ ...h, ...patch }));

  const save = async () => {
    if (header.customerId === null) return;
    setBusy(true);
    try {
      const saved = await commands.saveSalesOrder(savedId, {
        name: header.name,
        customerId: header.customerId,
        orderDate: header.orderDate,
        dueDate: header.dueDate,
        export: header.export,
        gaCost: header.gaCost,
        finalPrice: header.finalPrice,
        quotation: header.quotation,
        remarks: header.remarks.trim() || null,
        lines,
      });
      setSavedId(saved.order.id);
      notify.success(t("sales.saved", { no: saved.order.no }));
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
      width={1120}
      title={editing === null ? t("sales.newOrder") : t("sales.editOrder", { no: editing.order.no })}
      onCancel={onClose}
      onOk={() => void save()}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      okButtonProps={{ loading: busy, disabled: header.customerId === null || lines.length === 0, ...{ "data-testid": "so-save" } }}
      destroyOnHidden
    >
      <Form layout="vertical">
        <Space align="start" wrap>
          <Form.Item label={t("sales.orderName")} required>
            <Input style={{ width: 280 }} maxLength={100} value={header.name} onChange={(e) => change({ name: e.target.value })} data-testid="so-name" />
          </Form.Item>
          <Form.Item label={t("sales.customer")} required>
            <PartnerField value={header.customerId} onChange={(id) => change({ customerId: id })} initialName={o?.customerName ?? null} testId="so-customer" />
          </Form.Item>
          <Form.Item label={t("sales.orderDate")} required>
            <Input type="date" value={header.orderDate} onChange={(e) => change({ orderDate: e.target.value })} data-testid="so-order-date" />
          </Form.Item>
          <Form.Item label={t("sales.dueDate")} required>
            <Input type="date" value={header.dueDate} onChange={(e) => change({ dueDate: e.target.value })} data-testid="so-due-date" />
          </Form.Item>
        </Space>
        <Space align="start" wrap>
          <Form.Item label={t("sales.gaCost")}>
            <InputNumber style={{ width: 150 }} min={0} precision={0} value={header.gaCost} onChange={(v) => change({ gaCost: v ?? 0 })} />
          </Form.Item>
          <Form.Item label={t("sales.finalPrice")}>
            <InputNumber style={{ width: 170 }} min={0} precision={0} value={header.finalPrice} onChange={(v) => change({ finalPrice: v })} data-testid="so-final-price" />
          </Form.Item>
          <Form.Item label=" ">
            <Checkbox checked={header.export} onChange={(e) => change({ export: e.target.checked })}>
              {t("sales.export")}
            </Checkbox>
          </Form.Item>
          {editing === null && (
            <Form.Item label=" ">
              <Checkbox checked={header.quotation} onChange={(e) => change({ quotation: e.target.checked })} data-testid="so-quotation">
                {t("sales.asQuotation")}
              </Checkbox>
            </Form.Item>
          )}
          <Form.Item label={t("master.remarks")}>
            <Input style={{ width: 300 }} maxLength={500} value={header.remarks} onChange={(e) => change({ remarks: e.target.value })} />
          </Form.Item>
        </Space>
      </Form>
      <Space style={{ marginBottom: 8 }}>
        <ImportButton
          testId="so-lines-import"
          run={async (base64) => {
            const imported = await commands.importSalesLines(base64);
            // Imported lines follow the ones already filled in; an untouched blank line goes.
            setLines((all) => [...all.filter((l) => l.itemId !== null || l.name.trim() !== ""), ...imported]);
            return imported.length;
          }}
          onDone={() => undefined}
        />
      </Space>
      <LinesEditor lines={lines} onChange={setLines} items={items} withOutsourced testId="so-lines" />
    </Modal>
  );
}
