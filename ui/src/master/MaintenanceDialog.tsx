import { Button, Input, Modal, Space, Table } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Equipment, type Maintenance, type Session } from "../bindings";
import { useNotify } from "../notify";
import { canEditMaster } from "./SimpleMaster";

/** Today as YYYY-MM-DD in local time. */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** A machine's maintenance history (보전 이력): read, and add to; entries are never changed. */
export default function MaintenanceDialog({ session, equipment, onClose }: { session: Session; equipment: Equipment; onClose: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [rows, setRows] = useState<Maintenance[]>([]);
  const [day, setDay] = useState(today());
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const reload = useCallback(() => {
    commands.listMaintenance(equipment.id).then(setRows, notify.error);
  }, [equipment.id, notify]);
  useEffect(reload, [reload]);
  const add = async () => {
    setBusy(true);
    try {
      await commands.addMaintenance(equipment.id, day, text);
      setText("");
      reload();
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={t("master.equipment.maintenanceTitle", { name: equipment.name })} onCancel={onClose} footer={null} width={720} destroyOnHidden>
      {canEditMaster(session) && (
        <Space.Compact style={{ width: "100%", marginBottom: 12 }}>
          <Input type="date" style={{ width: 170 }} value={day} onChange={(e) => setDay(e.target.value)} aria-label={t("master.equipment.doneOn")} />
          <Input value={text} maxLength={1000} onChange={(e) => setText(e.target.value)} placeholder={t("master.equipment.maintenanceText")} data-testid="maintenance-text" />
          <Button type="primary" loading={busy} onClick={() => void add()} data-testid="maintenance-add">
            {t("master.add")}
          </Button>
        </Space.Compact>
      )}
      <Table<Maintenance>
        rowKey="id"
        size="small"
        dataSource={rows}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        data-testid="maintenance-table"
        columns={[
          { title: t("master.equipment.doneOn"), dataIndex: "doneOn", width: 120 },
          { title: t("master.equipment.maintenanceText"), dataIndex: "text" },
          { title: t("master.equipment.by"), dataIndex: "displayName", width: 120 },
        ]}
      />
    </Modal>
  );
}
