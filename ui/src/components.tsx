// Small pieces the screens share.
import { Segmented } from "antd";
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
