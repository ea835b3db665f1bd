// The menu of the system we replace (see shared/docs/seed-features.md).
// Each leaf is a screen that opens in a tab; labels come from i18n `menu.*`.

export type ScreenKey =
  | "dashboard"
  | "salesOrder" | "salesOrderList" | "drawings" | "shipments"
  | "purchaseOrder" | "purchaseOrderList" | "purchaseOrderForm" | "goodsReceipt"
  | "workOrders" | "terminal" | "productionResults" | "downtime" | "lots" | "equipment"
  | "inspectionMonitor" | "stations" | "models" | "defectLog" | "entranceLog" | "fireLog"
  | "quality" | "oee"
  | "dailyReport" | "planVsActual" | "monthlyOrders" | "monthlyOutsourcing" | "monthlyShipments" | "cumulative"
  | "partners" | "items" | "processes" | "routings" | "users" | "commonCodes" | "defectCodes"
  | "downtimeReasons" | "leadTimes"
  | "machineSettings" | "audit";

export interface MenuGroup {
  key: string;
  screens: ScreenKey[];
}

export const MENU: MenuGroup[] = [
  { key: "sales", screens: ["salesOrder", "salesOrderList", "drawings", "shipments"] },
  { key: "purchasing", screens: ["purchaseOrder", "purchaseOrderList", "purchaseOrderForm", "goodsReceipt"] },
  {
    key: "production",
    screens: ["workOrders", "terminal", "productionResults", "downtime", "lots", "equipment"],
  },
  {
    key: "vision",
    screens: ["inspectionMonitor", "stations", "models", "defectLog", "entranceLog", "fireLog"],
  },
  { key: "quality", screens: ["quality", "oee"] },
  {
    key: "management",
    screens: ["dailyReport", "planVsActual", "monthlyOrders", "monthlyOutsourcing", "monthlyShipments", "cumulative"],
  },
  {
    key: "master",
    screens: ["partners", "items", "processes", "routings", "users", "commonCodes", "defectCodes", "downtimeReasons", "leadTimes"],
  },
  { key: "system", screens: ["machineSettings", "audit"] },
];

export const HOME: ScreenKey = "dashboard";
