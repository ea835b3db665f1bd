import { Button, Input, Segmented, Space, Table, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type SalesOrder, type Session } from "../bindings";
import { ExportButton } from "../components";
import { dateTime } from "../format";
import { useNotify } from "../notify";
import { canPlan, today } from "../production/common";
import { SalesStatusTag, useSalesOrders } from "./SalesOrdersScreen";

/** Shipments (제품출고관리): completed orders with when their work ran; mark the chosen ones shipped on a date. */
export default function ShipmentsScreen({ session }: { session: Session }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const list = useSalesOrders("completed");
  const [chosen, setChosen] = useState<number[]>([]);
  const [shipDate, setShipDate] = useState(today());
  const [busy, setBusy] = useState(false);
  const pending = list.status === "completed";

  const ship = async () => {
    setBusy(true);
    try {
      const shipped = await commands.shipSalesOrders(chosen, shipDate);
      notify.success(t("shipments.shipped", { count: shipped.length }));
      setChosen([]);
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space orientation="vertical" size="small" style={{ width: "100%" }} data-testid="shipments-screen">
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {t("shipments.intro")}
      </Typography.Paragraph>
      <Space wrap>
        <Segmented
          value={list.status ?? "completed"}
          onChange={(v) => (list.setStatus(v as "completed" | "shipped"), list.setPage(1), setChosen([]))}
          options={[
            { value: "completed", label: t("shipments.toShip") },
            { value: "shipped", label: t("shipments.done") },
          ]}
          data-testid="shipments-view"
        />
        <ExportButton run={() => commands.exportSalesOrders({ ...list.query, offset: 0 })} testId="shipments-export" />
        {pending && canPlan(session) && (
          <>
            <Typography.Text>{t("shipments.shipDate")}</Typography.Text>
            <Input type="date" style={{ width: 160 }} value={shipDate} onChange={(e) => setShipDate(e.target.value)} data-testid="shipments-date" />
            <Button type="primary" disabled={chosen.length === 0 || !shipDate} loading={busy} onClick={() => void ship()} data-testid="shipments-ship">
              {t("shipments.ship", { count: chosen.length })}
            </Button>
          </>
        )}
      </Space>
      <Table<SalesOrder>
        size="small"
        className="one-line-table"
        scroll={{ x: "max-content" }}
        rowKey="id"
        dataSource={list.data.rows}
        data-testid="shipments-table"
        rowSelection={pending && canPlan(session) ? { selectedRowKeys: chosen, onChange: (keys) => setChosen(keys as number[]) } : undefined}
        pagination={{ current: list.page, pageSize: 20, total: list.data.total, showSizeChanger: false, onChange: list.setPage }}
        columns={[
          { title: t("sales.no"), dataIndex: "no" },
          { title: t("sales.orderName"), dataIndex: "name" },
          { title: t("sales.customer"), dataIndex: "customerName" },
          { title: t("sales.dueDate"), dataIndex: "dueDate" },
          { title: t("shipments.workStart"), render: (_, o) => (o.workStartedAt ? dateTime(o.workStartedAt) : "–") },
          { title: t("shipments.workEnd"), render: (_, o) => (o.workFinishedAt ? dateTime(o.workFinishedAt) : "–") },
          { title: t("sales.statusLabel"), render: (_, o) => <SalesStatusTag status={o.status} /> },
          { title: t("shipments.shipDate"), render: (_, o) => o.shipDate ?? "–" },
        ]}
      />
    </Space>
  );
}
