// Small pieces the screens share.
import { FileExcelOutlined, UploadOutlined } from "@ant-design/icons";
import { Button, Input, Modal, Segmented, Typography } from "antd";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Language } from "./bindings";
import { isAppError } from "./errors";
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

/** The bytes of a picked file as base64, for an import command. */
export async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * Imports an Excel file picked on this computer with `run`; a refused file's
 * report (every bad row) opens in a dialog, since nothing was stored.
 */
export function ImportButton({ run, testId, onDone }: { run: (base64: string) => Promise<number>; testId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<string | null>(null);
  const pick = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    try {
      const count = await run(await base64Of(file));
      notify.success(t("master.imported", { count }));
      onDone();
    } catch (e) {
      if (isAppError(e) && e.code === "import_refused") setReport(e.message);
      else notify.error(e);
    } finally {
      setBusy(false);
      if (input.current) input.current.value = "";
    }
  };
  return (
    <>
      <input
        ref={input}
        type="file"
        accept=".xlsx"
        style={{ display: "none" }}
        onChange={(e) => void pick(e.target.files?.[0])}
        data-testid={`${testId}-input`}
      />
      <Button icon={<UploadOutlined />} loading={busy} onClick={() => input.current?.click()} data-testid={testId}>
        {t("master.import")}
      </Button>
      {report !== null && (
        <Modal open title={t("master.importRefused")} onCancel={() => setReport(null)} onOk={() => setReport(null)} cancelButtonProps={{ style: { display: "none" } }}>
          <Typography.Paragraph style={{ whiteSpace: "pre-wrap" }} data-testid={`${testId}-report`}>
            {report}
          </Typography.Paragraph>
        </Modal>
      )}
    </>
  );
}
