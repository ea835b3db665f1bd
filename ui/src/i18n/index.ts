import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import type { Language } from "../bindings";
import en from "./en.json";
import ko from "./ko.json";

export const resources = { ko: { translation: ko }, en: { translation: en } } as const;

// Korean is the default; the machine's stored language is applied at start.
void i18n.use(initReactI18next).init({
  resources,
  lng: "ko",
  fallbackLng: "ko",
  interpolation: { escapeValue: false }, // React escapes already
  returnNull: false,
});

export function applyLanguage(language: Language): void {
  if (i18n.language !== language) void i18n.changeLanguage(language);
  document.documentElement.lang = language;
}

export default i18n;
