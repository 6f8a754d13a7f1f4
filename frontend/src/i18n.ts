import { createI18n } from 'vue-i18n'
import type ru from './locales/ru.json'
import { readStored, writeStored } from './storage'
// The words of the header, footer, home page, sign-in and errors (build/messageGroups.ts); the rest below.
import core from 'virtual:messages/ru/core'

export const LOCALES = ['ru', 'en'] as const
export type Locale = (typeof LOCALES)[number]
const DEFAULT_LOCALE: Locale = 'ru'

type MessageSchema = typeof ru

declare module 'vue-i18n' {
  // Types tm() results and lets editors complete keys from ru.json.
  export interface DefineLocaleMessage extends MessageSchema {}
}

const STORAGE_KEY = 'telemed.locale'

// Russian is in the first bundle; another language is its own chunk, fetched only by those who choose it.
const loaders: Record<Exclude<Locale, typeof DEFAULT_LOCALE>, () => Promise<{ default: MessageSchema }>> = {
  en: () => import('./locales/en.json'),
}
const loaded: Locale[] = [DEFAULT_LOCALE]

function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).indexOf(value) !== -1
}

function initialLocale(): Locale {
  const stored = readStored(STORAGE_KEY)
  return isLocale(stored) ? stored : DEFAULT_LOCALE
}

export const i18n = createI18n<[MessageSchema], Locale, false>({
  legacy: false,
  // Until a remembered language's messages arrive (main.ts waits for them before mounting), Russian stands in.
  locale: initialLocale(),
  fallbackLocale: DEFAULT_LOCALE,
  messages: { ru: core } as unknown as { [key in Locale]: MessageSchema },
})

/** Parts of the Russian messages fetched with the pages that use them (build/messageGroups.ts). */
export const MESSAGE_GROUPS = ['room', 'pages'] as const
export type MessageGroup = (typeof MESSAGE_GROUPS)[number]
const groupLoaders: Record<MessageGroup, () => Promise<{ default: unknown }>> = {
  room: () => import('virtual:messages/ru/room'),
  pages: () => import('virtual:messages/ru/pages'),
}
const groupsLoading: Partial<Record<MessageGroup, Promise<void>>> = {}

/** Fetches the groups once each (a failed fetch is tried again on the next call). */
export function loadMessages(groups: readonly MessageGroup[] = MESSAGE_GROUPS): Promise<void> {
  return Promise.all(
    groups.map((group) => {
      let loading = groupsLoading[group]
      if (!loading) {
        loading = groupLoaders[group]().then(
          (module) => i18n.global.mergeLocaleMessage(DEFAULT_LOCALE, module.default as MessageSchema),
          (error: unknown) => {
            delete groupsLoading[group]
            throw error
          },
        )
        groupsLoading[group] = loading
      }
      return loading
    }),
  ).then(() => undefined)
}

// A page asked for a word of a group it did not declare (router.ts meta.messages): fetch them all, and the
// page shows the word a moment later instead of its key.
i18n.global.setMissingHandler((locale) => {
  if (locale === DEFAULT_LOCALE) loadMessages().catch(() => undefined)
})

/** Fetches the language's messages once; a failed fetch may be retried by asking again. */
export async function loadLocale(locale: Locale): Promise<void> {
  if (locale === 'ru' || loaded.indexOf(locale) !== -1) return
  const messages = (await loaders[locale]()).default
  i18n.global.setLocaleMessage(locale, messages)
  if (loaded.indexOf(locale) === -1) loaded.push(locale)
}

let wanted: Locale = i18n.global.locale.value

/**
 * Switches at once when the messages are here, else when they have arrived; a later choice wins. If they
 * cannot be fetched (offline), the page stays in its language and the choice is not remembered.
 */
export function setLocale(locale: Locale): Promise<void> {
  wanted = locale
  if (loaded.indexOf(locale) !== -1) {
    i18n.global.locale.value = locale
    writeStored(STORAGE_KEY, locale)
    return Promise.resolve()
  }
  return loadLocale(locale).then(
    () => {
      if (wanted === locale) setLocale(locale)
    },
    () => undefined,
  )
}
