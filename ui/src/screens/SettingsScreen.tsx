import { ReloadOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Descriptions, Form, Input, Select, Space, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type AppInfo, type CameraDevice, type Session } from "../bindings";
import { LanguageSwitch } from "../components";
import { useNotify } from "../notify";

interface Values {
  stationName: string;
  cameraDevice: string;
}

const NO_CAMERA = "";

/** Per-machine settings: language, station name and camera. */
export default function SettingsScreen({ session, info }: { session: Session; info: AppInfo }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [form] = Form.useForm<Values>();
  const [cameras, setCameras] = useState<CameraDevice[]>([]);
  const [busy, setBusy] = useState(false);
  const isAdmin = session.user.role === "admin";

  const loadCameras = useCallback(async () => {
    try {
      setCameras(await commands.cameras());
    } catch (e) {
      notify.error(e);
    }
  }, [notify]);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const [settings, found] = await Promise.all([commands.getSettings(), commands.cameras()]);
        if (cancelled) return;
        form.setFieldsValue({ stationName: settings.stationName, cameraDevice: settings.cameraDevice ?? NO_CAMERA });
        setCameras(found);
      } catch (e) {
        notify.error(e);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [form, notify]);

  const save = async ({ stationName, cameraDevice }: Values) => {
    setBusy(true);
    try {
      await commands.saveStationSettings(stationName, cameraDevice === NO_CAMERA ? null : cameraDevice);
      notify.success(t("common.saved"));
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space orientation="vertical" size="large" style={{ maxWidth: 640, width: "100%" }}>
      <Typography.Paragraph type="secondary">{t("settings.intro")}</Typography.Paragraph>
      <Card size="small">
        <Space>
          <Typography.Text strong>{t("common.language")}</Typography.Text>
          <LanguageSwitch />
        </Space>
      </Card>
      <Card size="small">
        {!isAdmin && <Alert type="info" showIcon title={t("settings.adminOnly")} style={{ marginBottom: 16 }} />}
        <Form<Values> form={form} layout="vertical" disabled={!isAdmin} onFinish={(v) => void save(v)}>
          <Form.Item name="stationName" label={t("settings.stationName")} extra={t("settings.stationNameHelp")}>
            <Input maxLength={50} data-testid="settings-station-name" />
          </Form.Item>
          <Form.Item label={t("settings.camera")}>
            <Space.Compact style={{ width: "100%" }}>
              <Form.Item name="cameraDevice" noStyle>
                <Select
                  data-testid="settings-camera"
                  notFoundContent={t("settings.noCameraFound")}
                  options={[
                    { value: NO_CAMERA, label: t("settings.noCamera") },
                    ...cameras.map((c) => ({ value: c.path, label: `${c.name} (${c.path})` })),
                  ]}
                />
              </Form.Item>
              <Button icon={<ReloadOutlined />} onClick={() => void loadCameras()} title={t("settings.refresh")} />
            </Space.Compact>
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="settings-save">
            {t("common.save")}
          </Button>
        </Form>
      </Card>
      <Descriptions size="small" column={1} bordered>
        <Descriptions.Item label={t("settings.machine")}>{info.machine}</Descriptions.Item>
        <Descriptions.Item label={t("settings.dataDir")}>{info.dataDir}</Descriptions.Item>
        <Descriptions.Item label={t("settings.version")}>{info.version}</Descriptions.Item>
      </Descriptions>
    </Space>
  );
}
