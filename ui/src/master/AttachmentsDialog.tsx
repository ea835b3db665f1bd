import { DeleteOutlined, DownloadOutlined, EyeOutlined, InboxOutlined } from "@ant-design/icons";
import { Button, Image, Modal, Popconfirm, Space, Table, Typography, Upload } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Attachment, type Owner, type Session } from "../bindings";
import { base64Of } from "../components";
import { dateTime } from "../format";
import { useNotify } from "../notify";
import { canEditMaster } from "./SimpleMaster";

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The files kept with a record (도면): drop many at once, save a copy, look at images, remove. */
export default function AttachmentsDialog({
  session,
  owner,
  ownerId,
  title,
  onClose,
}: {
  session: Session;
  owner: Owner;
  ownerId: number;
  title: string;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [rows, setRows] = useState<Attachment[]>([]);
  const [uploading, setUploading] = useState(0);
  const [preview, setPreview] = useState<string | null>(null);
  const editable = canEditMaster(session);

  const reload = useCallback(() => {
    commands.listAttachments(owner, ownerId).then(setRows, notify.error);
  }, [owner, ownerId, notify]);
  useEffect(reload, [reload]);

  const upload = async (file: File) => {
    setUploading((n) => n + 1);
    try {
      await commands.addAttachment(owner, ownerId, file.name, await base64Of(file));
      reload();
    } catch (e) {
      notify.error(e);
    } finally {
      setUploading((n) => n - 1);
    }
  };
  const saveCopy = async (a: Attachment) => {
    try {
      notify.success(t("master.files.saved", { path: await commands.saveAttachmentCopy(a.id) }));
    } catch (e) {
      notify.error(e);
    }
  };
  const show = async (a: Attachment) => {
    try {
      setPreview(await commands.attachmentPreview(a.id));
    } catch (e) {
      notify.error(e);
    }
  };
  const remove = async (a: Attachment) => {
    try {
      await commands.removeAttachment(a.id);
      reload();
    } catch (e) {
      notify.error(e);
    }
  };

  return (
    <Modal open title={title} onCancel={onClose} footer={null} width={820} destroyOnHidden>
      <Space orientation="vertical" style={{ width: "100%" }}>
        {editable && (
          <Upload.Dragger
            multiple
            showUploadList={false}
            beforeUpload={(file) => {
              void upload(file);
              return false;
            }}
            data-testid="files-drop"
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <Typography.Text>{t("master.files.drop")}</Typography.Text>
            <br />
            <Typography.Text type="secondary">{t("master.files.kinds")}</Typography.Text>
          </Upload.Dragger>
        )}
        <Table<Attachment>
          rowKey="id"
          size="small"
          loading={uploading > 0}
          dataSource={rows}
          pagination={false}
          data-testid="files-table"
          columns={[
            { title: t("master.files.name"), dataIndex: "name" },
            { title: t("master.files.size"), dataIndex: "size", width: 90, align: "right", render: size },
            { title: t("master.files.by"), dataIndex: "displayName", width: 100 },
            { title: t("master.files.at"), dataIndex: "createdAt", width: 170, render: (at: string) => dateTime(at) },
            {
              title: "",
              width: 130,
              render: (_, a) => (
                <Space size={2}>
                  {(a.mediaType === "image/png" || a.mediaType === "image/jpeg") && (
                    <Button size="small" type="text" icon={<EyeOutlined />} onClick={() => void show(a)} aria-label={t("master.files.show")} />
                  )}
                  <Button size="small" type="text" icon={<DownloadOutlined />} onClick={() => void saveCopy(a)} aria-label={t("master.files.save")} data-testid="files-save" />
                  {editable && (
                    <Popconfirm title={t("master.files.removeConfirm", { name: a.name })} onConfirm={() => void remove(a)} okText={t("master.files.remove")} cancelText={t("common.cancel")}>
                      <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t("master.files.remove")} />
                    </Popconfirm>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Space>
      {preview !== null && <Image src={preview} style={{ display: "none" }} preview={{ open: true, onOpenChange: (open) => !open && setPreview(null) }} />}
    </Modal>
  );
}
