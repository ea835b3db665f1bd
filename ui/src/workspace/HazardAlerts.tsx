import { FireOutlined } from "@ant-design/icons";
import { App, Button } from "antd";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { events } from "../bindings";
import type { ScreenKey } from "../menu";
import { beep } from "../sound";

/** The notice of a fire or smoke alarm, closed once it is acknowledged. */
export const hazardKey = (alarmId: number) => `hazard-${alarmId}`;

/**
 * Fire and smoke reach whoever is signed in, whatever screen is open: a
 * notice that stays until closed, with a way to the monitor where the
 * alarm is acknowledged, and a tone.
 */
export function HazardAlerts({ open }: { open: (key: ScreenKey) => void }) {
  const { t } = useTranslation();
  const { notification } = App.useApp();
  useEffect(() => {
    const unlisten = events.stationAlarm.listen((e) => {
      const alarm = e.payload.alarm;
      if (alarm === null || alarm.kind === "stop_line") return;
      beep(3);
      notification.error({
        key: hazardKey(alarm.id),
        icon: <FireOutlined style={{ color: "#cf1322" }} />,
        title: alarm.kind === "fire" ? t("monitor.fireAlarm") : t("monitor.smokeAlarm"),
        description: alarm.message,
        duration: 0,
        actions: (
          <Button
            type="primary"
            danger
            size="small"
            onClick={() => {
              notification.destroy(hazardKey(alarm.id));
              open("inspectionMonitor");
            }}
          >
            {t("menu.inspectionMonitor")}
          </Button>
        ),
      });
    });
    return () => void unlisten.then((stop) => stop());
  }, [notification, open, t]);
  return null;
}
