// The master-data screens (기준정보) that are a list and a form.
import { PaperClipOutlined, ToolOutlined } from "@ant-design/icons";
import { Button } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import {
  commands,
  type DefectCode,
  type DefectCodeInput,
  type DowntimeReason,
  type DowntimeReasonInput,
  type Equipment,
  type EquipmentInput,
  type Item,
  type ItemInput,
  type Partner,
  type PartnerInput,
  type Process,
  type ProcessInput,
  type Session,
} from "../bindings";
import { ImportButton } from "../components";
import {
  bizNo,
  defectCodeColumns,
  downtimeReasonColumns,
  equipmentColumns,
  itemColumns,
  partnerColumns,
  processColumns,
} from "./columns";
import MaintenanceDialog from "./MaintenanceDialog";
import { PartnerField } from "./PartnerPicker";
import RoutingDialog from "./RoutingDialog";
import SimpleMaster, { canEditMaster } from "./SimpleMaster";
import AttachmentsDialog from "./AttachmentsDialog";

const PARTNER_KINDS = ["customer", "supplier", "both"] as const;
const DOWNTIME_CATEGORIES = ["planned", "availability", "performance", "quality"] as const;

export function PartnersScreen({ session }: { session: Session }) {
  const { t } = useTranslation();
  const blank: PartnerInput = { kind: "customer", name: "", bizNo: null, ceo: null, phone: null, fax: null, address: null, remarks: null, active: true };
  return (
    <SimpleMaster<Partner, PartnerInput>
      session={session}
      testId="partners"
      intro={t("master.partner.intro")}
      noun={t("menu.partners")}
      columns={partnerColumns(t)}
      list={commands.listPartners}
      exportList={commands.exportPartners}
      save={commands.savePartner}
      blank={blank}
      toInput={(p) => ({ ...p, bizNo: p.bizNo === null ? null : bizNo(p.bizNo) })}
      toolbar={(reload) => <ImportButton run={commands.importPartners} testId="partners-import" onDone={reload} />}
      fields={() => [
        { name: "kind", label: t("master.partner.kind"), kind: "select", options: PARTNER_KINDS.map((k) => ({ value: k, label: t(`master.partner.kinds.${k}`) })) },
        { name: "name", label: t("master.partner.name"), kind: "text", required: true, max: 100 },
        { name: "bizNo", label: t("master.partner.bizNo"), kind: "text", max: 12 },
        { name: "ceo", label: t("master.partner.ceo"), kind: "text", max: 50 },
        { name: "phone", label: t("master.partner.phone"), kind: "text", max: 20 },
        { name: "fax", label: t("master.partner.fax"), kind: "text", max: 20 },
        { name: "address", label: t("master.partner.address"), kind: "text", max: 200 },
        { name: "remarks", label: t("master.remarks"), kind: "textarea", max: 500 },
        { name: "active", label: t("master.inUse"), kind: "switch" },
      ]}
    />
  );
}

export function ItemsScreen({ session }: { session: Session }) {
  const { t } = useTranslation();
  const [routingFor, setRoutingFor] = useState<Item | null>(null);
  const [routingsSaved, setRoutingsSaved] = useState(0);
  const [filesOf, setFilesOf] = useState<Item | null>(null);
  const blank: ItemInput = { partNo: "", name: "", spec: null, unit: "EA", remarks: null, active: true, serialized: false };
  return (
    <>
      <SimpleMaster<Item, ItemInput>
        session={session}
        testId="items"
        intro={t("master.item.intro")}
        noun={t("menu.items")}
        columns={itemColumns(t)}
        list={commands.listItems}
        exportList={commands.exportItems}
        save={commands.saveItem}
        blank={blank}
        toInput={(i) => i}
        reloadKey={routingsSaved}
        toolbar={(reload) => <ImportButton run={commands.importItems} testId="items-import" onDone={reload} />}
        actions={(item) => (
          <>
            <Button size="small" icon={<PaperClipOutlined />} onClick={() => setFilesOf(item)} data-testid={`items-files-${item.partNo}`}>
              {t("master.item.drawings")}
            </Button>
            {canEditMaster(session) && (
              <Button size="small" onClick={() => setRoutingFor(item)} data-testid={`items-routing-${item.partNo}`}>
                {t("master.item.addRouting")}
              </Button>
            )}
          </>
        )}
        fields={() => [
          { name: "partNo", label: t("master.item.partNo"), kind: "text", required: true, max: 40 },
          { name: "name", label: t("master.item.name"), kind: "text", required: true, max: 100 },
          { name: "spec", label: t("master.item.spec"), kind: "text", max: 100 },
          { name: "unit", label: t("master.item.unit"), kind: "text", required: true, max: 10 },
          { name: "serialized", label: t("master.item.serialized"), kind: "check" },
          { name: "remarks", label: t("master.remarks"), kind: "textarea", max: 500 },
          { name: "active", label: t("master.inUse"), kind: "switch" },
        ]}
      />
      {filesOf !== null && (
        <AttachmentsDialog
          session={session}
          owner="item"
          ownerId={filesOf.id}
          title={t("master.item.drawingsTitle", { partNo: filesOf.partNo, name: filesOf.name })}
          onClose={() => setFilesOf(null)}
        />
      )}
      {routingFor !== null && (
        <RoutingDialog item={{ id: routingFor.id, partNo: routingFor.partNo, name: routingFor.name }} routingId={null} onClose={() => setRoutingFor(null)}
          onSaved={() => {
            setRoutingFor(null);
            setRoutingsSaved((n) => n + 1);
          }}
        />
      )}
    </>
  );
}

export function ProcessesScreen({ session }: { session: Session }) {
  const { t } = useTranslation();
  const blank: ProcessInput = { code: "", name: "", seq: 60, inspection: false, remarks: null, active: true };
  return (
    <SimpleMaster<Process, ProcessInput>
      session={session}
      testId="processes"
      intro={t("master.process.intro")}
      noun={t("menu.processes")}
      columns={processColumns(t)}
      list={commands.listProcesses}
      exportList={commands.exportProcesses}
      save={commands.saveProcess}
      blank={blank}
      toInput={(p) => p}
      fields={() => [
        { name: "code", label: t("master.code"), kind: "text", required: true, max: 20 },
        { name: "name", label: t("master.process.name"), kind: "text", required: true, max: 30 },
        { name: "seq", label: t("master.order"), kind: "number", min: 0, max: 9999 },
        { name: "inspection", label: t("master.process.inspection"), kind: "check" },
        { name: "remarks", label: t("master.remarks"), kind: "textarea", max: 500 },
        { name: "active", label: t("master.inUse"), kind: "switch" },
      ]}
    />
  );
}

export function EquipmentScreen({ session }: { session: Session }) {
  const { t } = useTranslation();
  const [maintaining, setMaintaining] = useState<Equipment | null>(null);
  const blank: EquipmentInput = {
    code: "",
    name: "",
    maker: null,
    supplierId: null,
    deliveredOn: null,
    installedOn: null,
    manager: null,
    price: null,
    calibration: false,
    calibrationDue: null,
    remarks: null,
    active: true,
  };
  return (
    <>
      <SimpleMaster<Equipment, EquipmentInput>
        session={session}
        testId="equipment"
        intro={t("master.equipment.intro")}
        noun={t("menu.equipment")}
        columns={equipmentColumns(t)}
        list={commands.listEquipment}
        exportList={commands.exportEquipment}
        save={commands.saveEquipment}
        blank={blank}
        toInput={(e) => e}
        actions={(e) => (
          <Button size="small" icon={<ToolOutlined />} onClick={() => setMaintaining(e)} data-testid={`equipment-maintenance-${e.code}`}>
            {t("master.equipment.maintenance")}
          </Button>
        )}
        fields={(editing) => [
          { name: "code", label: t("master.equipment.code"), kind: "text", required: true, max: 20 },
          { name: "name", label: t("master.equipment.name"), kind: "text", required: true, max: 100 },
          { name: "maker", label: t("master.equipment.maker"), kind: "text", max: 100 },
          {
            name: "supplierId",
            label: t("master.equipment.supplier"),
            kind: "custom",
            render: () => <PartnerField initialName={editing?.supplierName ?? null} testId="equipment-supplier" />,
          },
          { name: "deliveredOn", label: t("master.equipment.deliveredOn"), kind: "date" },
          { name: "installedOn", label: t("master.equipment.installedOn"), kind: "date" },
          { name: "manager", label: t("master.equipment.manager"), kind: "text", max: 50 },
          { name: "price", label: t("master.equipment.price"), kind: "number", min: 0, step: 1000 },
          { name: "calibration", label: t("master.equipment.calibration"), kind: "check" },
          { name: "calibrationDue", label: t("master.equipment.calibrationDue"), kind: "date" },
          { name: "remarks", label: t("master.remarks"), kind: "textarea", max: 500 },
          { name: "active", label: t("master.inUse"), kind: "switch" },
        ]}
      />
      {maintaining !== null && <MaintenanceDialog session={session} equipment={maintaining} onClose={() => setMaintaining(null)} />}
    </>
  );
}

export function DefectCodesScreen({ session }: { session: Session }) {
  const { t } = useTranslation();
  const blank: DefectCodeInput = { code: "", name: "", category: "", active: true };
  return (
    <SimpleMaster<DefectCode, DefectCodeInput>
      session={session}
      testId="defect-codes"
      intro={t("master.defect.intro")}
      noun={t("menu.defectCodes")}
      columns={defectCodeColumns(t)}
      list={commands.listDefectCodes}
      exportList={commands.exportDefectCodes}
      save={commands.saveDefectCode}
      blank={blank}
      toInput={(d) => d}
      fields={() => [
        { name: "code", label: t("master.code"), kind: "text", required: true, max: 20 },
        { name: "name", label: t("master.defect.name"), kind: "text", required: true, max: 50 },
        { name: "category", label: t("master.defect.category"), kind: "text", required: true, max: 30 },
        { name: "active", label: t("master.inUse"), kind: "switch" },
      ]}
    />
  );
}

export function DowntimeReasonsScreen({ session }: { session: Session }) {
  const { t } = useTranslation();
  const blank: DowntimeReasonInput = { code: "", name: "", category: "availability", active: true };
  return (
    <SimpleMaster<DowntimeReason, DowntimeReasonInput>
      session={session}
      testId="downtime-reasons"
      intro={t("master.downtime.intro")}
      noun={t("menu.downtimeReasons")}
      columns={downtimeReasonColumns(t)}
      list={commands.listDowntimeReasons}
      exportList={commands.exportDowntimeReasons}
      save={commands.saveDowntimeReason}
      blank={blank}
      toInput={(d) => d}
      fields={() => [
        { name: "code", label: t("master.code"), kind: "text", required: true, max: 20 },
        { name: "name", label: t("master.downtime.name"), kind: "text", required: true, max: 50 },
        {
          name: "category",
          label: t("master.downtime.category"),
          kind: "select",
          options: DOWNTIME_CATEGORIES.map((c) => ({ value: c, label: t(`master.downtime.categories.${c}`) })),
        },
        { name: "active", label: t("master.inUse"), kind: "switch" },
      ]}
    />
  );
}
