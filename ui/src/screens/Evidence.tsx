import { Image, Modal, Space, Typography } from "antd";
import { useState, type ReactElement } from "react";
import { useTranslation } from "react-i18next";
import { commands, type InspectionRow } from "../bindings";
import { dateTime } from "../format";
import { useNotify } from "../notify";

interface Shown {
  row: InspectionRow;
  image: string | null;
  heatmap: string | null;
}

/**
 * A stored inspection's evidence, the part and its heatmap side by side:
 * `show(row)` loads both and opens the dialog that `dialog` renders.
 */
export function useEvidence(title: string, caption?: (row: InspectionRow) => string): {
  show: (row: InspectionRow) => Promise<void>;
  dialog: ReactElement;
} {
  const { t } = useTranslation();
  const notify = useNotify();
  const [open, setOpen] = useState<Shown | null>(null);

  const show = async (row: InspectionRow) => {
    try {
      const [image, heatmap] = await Promise.all([
        commands.inspectionImage(row.id, false),
        commands.inspectionImage(row.id, true),
      ]);
      setOpen({ row, image, heatmap });
    } catch (e) {
      notify.error(e);
    }
  };

  const dialog = (
    <Modal open={open !== null} onCancel={() => setOpen(null)} footer={null} width={760} title={title}>
      {open !== null && (
        <Space orientation="vertical">
          <Space>
            {open.image !== null && <Image src={open.image} width={340} alt="part" />}
            {open.heatmap !== null && <Image src={open.heatmap} width={340} alt="heatmap" data-testid="evidence-heatmap" />}
          </Space>
          <Typography.Text>
            {t("monitor.score", {
              score: open.row.score?.toFixed(2) ?? "–",
              threshold: open.row.threshold?.toFixed(2) ?? "–",
            })}
            {" · "}
            {dateTime(open.row.at)}
            {caption !== undefined && ` · ${caption(open.row)}`} · {open.row.modelVersion}
          </Typography.Text>
        </Space>
      )}
    </Modal>
  );
  return { show, dialog };
}
