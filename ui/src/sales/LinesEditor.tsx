import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Checkbox, Input, InputNumber, Select, Space, Table, Typography } from "antd";
import { useTranslation } from "react-i18next";
import type { Item, SalesLineInput } from "../bindings";
import { won } from "../format";

export const BLANK_LINE: SalesLineInput = { id: null, itemId: null, partNo: null, name: "", spec: null, unitPrice: 0, qty: 1, outsourced: false, note: null };

/** Σ price × quantity, as the store computes it. */
export function linesTotal(lines: SalesLineInput[]): number {
  return lines.reduce((sum, l) => sum + l.unitPrice * l.qty, 0);
}

/**
 * The lines of a sales or purchase order: an item from the master (its part
 * number, name and spec follow it) or a one-off part typed in, unit price,
 * quantity and the amount the store will compute.
 */
export default function LinesEditor({
  lines,
  onChange,
  items,
  withOutsourced,
  testId,
}: {
  lines: SalesLineInput[];
  onChange: (lines: SalesLineInput[]) => void;
  items: Item[];
  withOutsourced: boolean;
  testId: string;
}) {
  const { t } = useTranslation();
  const set = (i: number, patch: Partial<SalesLineInput>) => onChange(lines.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  const pick = (i: number, itemId: number | undefined) => {
    const item = items.find((it) => it.id === itemId);
    set(i, item ? { itemId: item.id, partNo: item.partNo, name: item.name, spec: item.spec } : { itemId: null });
  };
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Table<SalesLineInput>
        size="small"
        className="one-line-table"
        scroll={{ x: "max-content" }}
        pagination={false}
        rowKey={(_, i) => String(i)}
        dataSource={lines}
        data-testid={testId}
        columns={[
          { title: "#", render: (_, __, i) => i + 1, width: 36 },
          {
            title: t("sales.item"),
            render: (_, l, i) => (
              <Select
                allowClear
                showSearch
                optionFilterProp="label"
                style={{ width: 200 }}
                placeholder={t("sales.oneOff")}
                value={l.itemId ?? undefined}
                onChange={(v: number | undefined) => pick(i, v)}
                options={items.map((it) => ({ value: it.id, label: `${it.partNo} ${it.name}` }))}
                data-testid={`${testId}-item-${i}`}
              />
            ),
          },
          {
            title: t("sales.partNo"),
            render: (_, l, i) => <Input style={{ width: 110 }} disabled={l.itemId !== null} value={l.partNo ?? ""} onChange={(e) => set(i, { partNo: e.target.value || null })} />,
          },
          {
            title: t("sales.name"),
            render: (_, l, i) => (
              <Input style={{ width: 150 }} disabled={l.itemId !== null} value={l.name} onChange={(e) => set(i, { name: e.target.value })} data-testid={`${testId}-name-${i}`} />
            ),
          },
          {
            title: t("sales.spec"),
            render: (_, l, i) => <Input style={{ width: 130 }} disabled={l.itemId !== null} value={l.spec ?? ""} onChange={(e) => set(i, { spec: e.target.value || null })} />,
          },
          {
            title: t("sales.unitPrice"),
            render: (_, l, i) => (
              <InputNumber
                style={{ width: 130 }}
                min={0}
                precision={0}
                value={l.unitPrice}
                formatter={(v) => `${v ?? ""}`.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}
                parser={(v) => Number((v ?? "").replace(/,/g, "")) || 0}
                onChange={(v) => set(i, { unitPrice: v ?? 0 })}
                data-testid={`${testId}-price-${i}`}
              />
            ),
          },
          {
            title: t("sales.qty"),
            render: (_, l, i) => <InputNumber style={{ width: 90 }} min={1} precision={0} value={l.qty} onChange={(v) => set(i, { qty: v ?? 1 })} data-testid={`${testId}-qty-${i}`} />,
          },
          { title: t("sales.amount"), align: "right", render: (_, l) => won(l.unitPrice * l.qty) },
          ...(withOutsourced
            ? [
                {
                  title: t("sales.outsourced"),
                  render: (_: unknown, l: SalesLineInput, i: number) => <Checkbox checked={l.outsourced} onChange={(e) => set(i, { outsourced: e.target.checked })} />,
                },
              ]
            : []),
          {
            title: t("sales.note"),
            render: (_, l, i) => <Input style={{ width: 140 }} value={l.note ?? ""} onChange={(e) => set(i, { note: e.target.value || null })} />,
          },
          {
            title: "",
            render: (_, __, i) => <Button type="text" icon={<DeleteOutlined />} aria-label={t("sales.removeLine")} onClick={() => onChange(lines.filter((_, j) => j !== i))} />,
          },
        ]}
      />
      <Space style={{ width: "100%", justifyContent: "space-between" }}>
        <Button icon={<PlusOutlined />} onClick={() => onChange([...lines, BLANK_LINE])} data-testid={`${testId}-add`}>
          {t("sales.addLine")}
        </Button>
        <Typography.Text strong data-testid={`${testId}-total`}>
          {t("sales.linesTotal", { amount: won(linesTotal(lines)) })}
        </Typography.Text>
      </Space>
    </Space>
  );
}
