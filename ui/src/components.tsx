// Small pieces the screens share.
import { FileExcelOutlined } from "@ant-design/icons";
import { Button, Input, Segmented, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Language } from "./bindings";
import { useNotify } from "./notify";

export function BrandMark({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
      <rect x="1" y="1" width="30" height="30" rx="6" fill="#12355b" />
      <rect x="9" y="7" width="4" height="17" fill="#fff" />
      <rect x="9" y="21" width="13" height="3" fill="#fff" />
      <rect x="5" y="14.5" width="22" height="2" fill="#2ec4b6" />
    </svg>
  );
}

/** 한국어 / English, stored per machine by the Rust side. */
export function LanguageSwitch() {
  const { i18n } = useTranslation();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const change = async (language: Language) => {
    setBusy(true);
    try {
      await commands.setLanguage(language); // the settingsChanged event applies it
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Segmented<Language>
      data-testid="language-switch"
      size="small"
      disabled={busy}
      value={i18n.language === "en" ? "en" : "ko"}
      onChange={(v) => void change(v)}
      options={[
        { label: <span data-testid="lang-ko">한국어</span>, value: "ko" },
        { label: <span data-testid="lang-en">English</span>, value: "en" },
      ]}
    />
  );
}

/**
 * A range of local days, both included, as YYYY-MM-DD ("" = open). The
 * platform's own date inputs: antd's DatePicker (dayjs) cannot run under
 * the app's frozen prototypes.
 */
export function DayRange({
  first,
  last,
  onChange,
}: {
  first: string;
  last: string;
  onChange: (first: string, last: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <>
      <Input
        type="date"
        style={{ width: 160 }}
        value={first}
        aria-label={t("history.firstDay")}
        onChange={(e) => onChange(e.target.value, last)}
      />
      <Typography.Text type="secondary">~</Typography.Text>
      <Input
        type="date"
        style={{ width: 160 }}
        value={last}
        aria-label={t("history.lastDay")}
        onChange={(e) => onChange(first, e.target.value)}
      />
    </>
  );
}

/** Writes a list to an Excel file with `run` and says where it went. */
export function ExportButton({ run, testId }: { run: () => Promise<string>; testId: string }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const click = async () => {
    setBusy(true);
    try {
      notify.success(t("history.exported", { path: await run() }));
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button icon={<FileExcelOutlined />} loading={busy} onClick={() => void click()} data-testid={testId}>
      {t("history.export")}
    </Button>
  );
}
