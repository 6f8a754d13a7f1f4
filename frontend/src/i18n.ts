import { createI18n } from 'vue-i18n'
import en from './locales/en.json'
import ru from './locales/ru.json'
import { readStored, writeStored } from './storage'

export const LOCALES = ['ru', 'en'] as const
export type Locale = (typeof LOCALES)[number]
const DEFAULT_LOCALE: Locale = 'ru'

type MessageSchema = typeof ru

declare module 'vue-i18n' {
  // Types tm() results and lets editors complete keys from ru.json.
  export interface DefineLocaleMessage extends MessageSchema {}
}

const STORAGE_KEY = 'telemed.locale'

function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).indexOf(value) !== -1
}

function initialLocale(): Locale {
  const stored = readStored(STORAGE_KEY)
  return isLocale(stored) ? stored : DEFAULT_LOCALE
}

export const i18n = createI18n<[MessageSchema], Locale, false>({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: DEFAULT_LOCALE,
  messages: { ru, en },
})

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  writeStored(STORAGE_KEY, locale)
}
