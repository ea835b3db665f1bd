import { Alert, App as AntApp, ConfigProvider, Spin } from "antd";
import enUS from "antd/locale/en_US";
import koKR from "antd/locale/ko_KR";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, events, type AppInfo, type Session } from "./bindings";
import { errorText } from "./errors";
import { applyLanguage } from "./i18n";
import LoginScreen from "./screens/LoginScreen";
import SetupScreen from "./screens/SetupScreen";
import Workspace from "./workspace/Workspace";

const theme = { token: { colorPrimary: "#1d4e89", borderRadius: 6 } };

export default function App() {
  const { t, i18n } = useTranslation();
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [session, setSession] = useState<Session | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [createdAdmin, setCreatedAdmin] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      try {
        const [appInfo, settings, current] = await Promise.all([
          commands.appInfo(),
          commands.getSettings(),
          commands.currentSession(),
        ]);
        if (cancelled) return;
        applyLanguage(settings.language);
        setSession(current);
        setInfo(appInfo);
      } catch (e) {
                if (!cancelled) setFailure(errorText(e, (detail) => i18n.t("common.unexpectedError", { detail })));
      }
    };
    void load();
    const unlisten = [
      events.settingsChanged.listen((e) => applyLanguage(e.payload.settings.language)),
      events.sessionChanged.listen((e) => setSession(e.payload.session)),
    ];
    return () => {
      cancelled = true;
      for (const u of unlisten) void u.then((stop) => stop());
    };
  }, [i18n]);

  const body = (() => {
    if (failure) return <Alert type="error" showIcon title={failure} style={{ margin: 24 }} />;
    if (!info) return <Spin fullscreen tip={t("app.loading")} />;
    if (session) return <Workspace session={session} info={info} />;
    if (info.needsSetup) {
      const done = (username: string) => {
        setCreatedAdmin(username);
        setInfo({ ...info, needsSetup: false });
      };
      return <SetupScreen onDone={done} />;
    }
    return <LoginScreen onDone={setSession} createdAdmin={createdAdmin} />;
  })();

  return (
    <ConfigProvider locale={i18n.language === "en" ? enUS : koKR} theme={theme}>
      <AntApp style={{ height: "100%" }}>{body}</AntApp>
    </ConfigProvider>
  );
}
