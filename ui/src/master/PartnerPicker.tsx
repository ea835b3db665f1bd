import { CloseCircleOutlined, SearchOutlined } from "@ant-design/icons";
import { Button, Modal, Space, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Partner } from "../bindings";
import MasterList from "./MasterList";
import { partnerColumns } from "./columns";

/** The partner list in a dialog: a click on a row picks it. Other screens reuse it. */
export function PartnerPicker({
  onPick,
  onClose,
}: {
  onPick: (p: Partner) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Modal open title={t("master.pickPartner")} onCancel={onClose} footer={null} width={860} destroyOnHidden>
      <MasterList<Partner> testId="partner-picker" columns={partnerColumns(t)} list={commands.listPartners} onPick={onPick} />
    </Modal>
  );
}

/** A form input holding a partner's id, chosen in the picker dialog. */
export function PartnerField({
  value,
  onChange,
  initialName,
  testId,
}: {
  value?: number | null;
  onChange?: (id: number | null) => void;
  initialName: string | null;
  testId: string;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState(initialName);
  const [picking, setPicking] = useState(false);
  return (
    <Space>
      <Typography.Text data-testid={`${testId}-name`}>{value != null ? name : t("master.none")}</Typography.Text>
      <Button size="small" icon={<SearchOutlined />} onClick={() => setPicking(true)} data-testid={`${testId}-pick`}>
        {t("master.choose")}
      </Button>
      {value != null && <Button size="small" type="text" icon={<CloseCircleOutlined />} onClick={() => onChange?.(null)} />}
      {picking && (
        <PartnerPicker
          onClose={() => setPicking(false)}
          onPick={(p) => {
            setName(p.name);
            onChange?.(p.id);
            setPicking(false);
          }}
        />
      )}
    </Space>
  );
}
