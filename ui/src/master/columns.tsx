// The columns of each master list; `key` is the sort name the store knows.
import type { ColumnsType } from "antd/es/table/interface";
import type { TFunction } from "i18next";
import type { Code, CodeGroup, DefectCode, DowntimeReason, Equipment, Item, Partner, Process, Routing } from "../bindings";
import { won } from "../format";

/** Codes and numbers stay on one line. */
const nowrap = { onCell: () => ({ style: { whiteSpace: "nowrap" as const } }) };

/** "2208162517" as printed: 220-81-62517. */
export function bizNo(b: string | null): string {
  return b === null ? "" : `${b.slice(0, 3)}-${b.slice(3, 5)}-${b.slice(5)}`;
}

export const partnerColumns = (t: TFunction): ColumnsType<Partner> => [
  { title: t("master.partner.kind"), key: "kind", dataIndex: "kind", sorter: true, width: 110, render: (k: string) => t(`master.partner.kinds.${k}`) },
  { title: t("master.partner.name"), key: "name", dataIndex: "name", sorter: true },
  { title: t("master.partner.bizNo"), key: "bizNo", dataIndex: "bizNo", sorter: true, render: bizNo, ...nowrap },
  { title: t("master.partner.phone"), dataIndex: "phone", ...nowrap },
  { title: t("master.partner.ceo"), key: "ceo", dataIndex: "ceo", sorter: true },
  { title: t("master.partner.address"), dataIndex: "address", ellipsis: true },
];

export const itemColumns = (t: TFunction): ColumnsType<Item> => [
  { title: t("master.item.partNo"), key: "partNo", dataIndex: "partNo", sorter: true, ...nowrap },
  { title: t("master.item.name"), key: "name", dataIndex: "name", sorter: true },
  { title: t("master.item.spec"), dataIndex: "spec" },
  { title: t("master.item.unit"), dataIndex: "unit", width: 70 },
  { title: t("master.item.defaultRouting"), dataIndex: "defaultRoutingName" },
  { title: t("master.item.serialized"), dataIndex: "serialized", width: 110, render: (on: boolean) => (on ? "✓" : "") },
];

export const routingColumns = (t: TFunction): ColumnsType<Routing> => [
  { title: t("master.item.partNo"), key: "partNo", dataIndex: "partNo", sorter: true },
  { title: t("master.item.name"), dataIndex: "itemName" },
  { title: t("master.routing.name"), key: "name", dataIndex: "name", sorter: true },
  { title: t("master.routing.default"), dataIndex: "isDefault", width: 70, render: (d: boolean) => (d ? "✓" : "") },
  { title: t("master.routing.summary"), dataIndex: "summary" },
];

export const processColumns = (t: TFunction): ColumnsType<Process> => [
  { title: t("master.order"), key: "seq", dataIndex: "seq", sorter: true, width: 80 },
  { title: t("master.code"), key: "code", dataIndex: "code", sorter: true, width: 100 },
  { title: t("master.process.name"), key: "name", dataIndex: "name", sorter: true },
  { title: t("master.process.inspection"), dataIndex: "inspection", render: (v: boolean) => (v ? "✓" : "") },
  { title: t("master.remarks"), dataIndex: "remarks", ellipsis: true },
];

export const equipmentColumns = (t: TFunction): ColumnsType<Equipment> => [
  { title: t("master.equipment.code"), key: "code", dataIndex: "code", sorter: true, ...nowrap },
  { title: t("master.equipment.name"), key: "name", dataIndex: "name", sorter: true },
  { title: t("master.equipment.maker"), dataIndex: "maker" },
  { title: t("master.equipment.supplier"), dataIndex: "supplierName" },
  { title: t("master.equipment.installedOn"), key: "installedOn", dataIndex: "installedOn", sorter: true, ...nowrap },
  { title: t("master.equipment.manager"), dataIndex: "manager", ...nowrap },
  { title: t("master.equipment.price"), key: "price", dataIndex: "price", sorter: true, align: "right", render: (p: number | null) => (p === null ? "" : won(p)), ...nowrap },
  { title: t("master.equipment.calibrationDue"), key: "calibrationDue", dataIndex: "calibrationDue", sorter: true, ...nowrap },
];

export const codeGroupColumns = (t: TFunction): ColumnsType<CodeGroup> => [
  { title: t("master.codes.groupCode"), key: "code", dataIndex: "code", sorter: true },
  { title: t("master.codes.groupName"), key: "name", dataIndex: "name", sorter: true },
  { title: t("master.codes.count"), dataIndex: "codeCount", width: 80 },
];

export const codeColumns = (t: TFunction): ColumnsType<Code> => [
  { title: t("master.order"), key: "seq", dataIndex: "seq", sorter: true, width: 70 },
  { title: t("master.code"), key: "code", dataIndex: "code", sorter: true },
  { title: t("master.codes.name"), key: "name", dataIndex: "name", sorter: true },
  { title: t("master.codes.attr1"), dataIndex: "attr1" },
  { title: t("master.codes.attr2"), dataIndex: "attr2" },
  { title: t("master.codes.attr3"), dataIndex: "attr3" },
];

export const defectCodeColumns = (t: TFunction): ColumnsType<DefectCode> => [
  { title: t("master.code"), key: "code", dataIndex: "code", sorter: true },
  { title: t("master.defect.name"), key: "name", dataIndex: "name", sorter: true },
  { title: t("master.defect.category"), key: "category", dataIndex: "category", sorter: true },
];

export const downtimeReasonColumns = (t: TFunction): ColumnsType<DowntimeReason> => [
  { title: t("master.code"), key: "code", dataIndex: "code", sorter: true },
  { title: t("master.downtime.name"), key: "name", dataIndex: "name", sorter: true },
  { title: t("master.downtime.category"), key: "category", dataIndex: "category", sorter: true, render: (c: string) => t(`master.downtime.categories.${c}`) },
];
