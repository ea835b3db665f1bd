import { Button } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Routing, type Session } from "../bindings";
import { routingColumns } from "./columns";
import MasterList from "./MasterList";
import RoutingDialog from "./RoutingDialog";
import { canEditMaster } from "./SimpleMaster";

/** Every item's routings; new ones are added from the item list. */
export default function RoutingsScreen({ session }: { session: Session }) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState<Routing | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  return (
    <>
      <MasterList<Routing>
        testId="routings"
        columns={routingColumns(t)}
        list={commands.listRoutings}
        exportList={commands.exportRoutings}
        reloadKey={reloadKey}
        actions={(r) =>
          canEditMaster(session) && (
            <Button size="small" onClick={() => setEditing(r)} data-testid="routings-edit">
              {t("master.edit")}
            </Button>
          )
        }
      />
      {editing !== null && (
        <RoutingDialog
          item={{ id: editing.itemId, partNo: editing.partNo, name: editing.itemName }}
          routingId={editing.id}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            setReloadKey((k) => k + 1);
          }}
        />
      )}
    </>
  );
}
