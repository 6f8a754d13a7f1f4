// The Russian messages in parts, so that the first page does not carry every page's words.
//
// `virtual:messages/<locale>/<group>` is the locale file's keys of that group, precompiled as
// @intlify/unplugin-vue-i18n does for the whole file. `core` (in the first bundle: the header, footer,
// home page, sign-in, errors, and every page's title) is whatever no lazy group names; src/i18n.ts loads
// the lazy groups a page needs before it shows (router.ts), and all of them if a missing key shows up.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { generateJSON } from '@intlify/bundle-utils'
import type { Plugin } from 'vite'

/** Top-level sections of the locale files fetched only with the pages that use them. */
export const LAZY_GROUPS: Record<string, readonly string[]> = {
  room: ['room'],
  pages: [
    'attachments',
    'audit',
    'booking',
    'bookingDetail',
    'bookings',
    'cabinet',
    'cancel',
    'changePassword',
    'conclusion',
    'consultation',
    'doctorDay',
    'guestInvite',
    'hold',
    'mail',
    'payment',
    'paymentReturn',
    'personal',
    'reconciliation',
    'registry',
    'request',
    'resetPassword',
    'schedule',
    'verify',
  ],
}

/** Keys of lazy sections that the header and footer show on every page, and the pages' titles. */
const ALWAYS = /^(mail\.nav|audit\.nav|reconciliation\.nav|verify\.footerLink|[^.]+(\.[^.]+)?\.title)$/

export function groupOf(keyPath: string): string {
  if (ALWAYS.test(keyPath)) return 'core'
  const section = keyPath.split('.')[0]
  for (const group of Object.keys(LAZY_GROUPS)) {
    if (LAZY_GROUPS[group].indexOf(section) !== -1) return group
  }
  return 'core'
}

const PREFIX = 'virtual:messages/'

export function messageGroups(localesDir: URL): Plugin {
  let production = true
  return {
    name: 'message-groups',
    enforce: 'pre',
    configResolved(config) {
      production = config.isProduction
    },
    resolveId(id) {
      return id.startsWith(PREFIX) ? `\0${id}` : undefined
    },
    load(id) {
      if (!id.startsWith(`\0${PREFIX}`)) return undefined
      const [locale, group] = id.slice(PREFIX.length + 1).split('/')
      if (group !== 'core' && !LAZY_GROUPS[group]) throw new Error(`${id}: no such message group`)
      const path = fileURLToPath(new URL(`${locale}.json`, localesDir))
      this.addWatchFile(path)
      const { code } = generateJSON(readFileSync(path, 'utf8'), {
        type: 'plain',
        filename: path,
        env: production ? 'production' : 'development',
        jit: true,
        strictMessage: true,
        escapeHtml: false,
        forceStringify: false,
        usedKeyFilter: (keyPath) => groupOf(keyPath) === group,
        onError: (message) => {
          throw new Error(`${path}: ${message}`)
        },
      })
      return { code, moduleType: 'js' }
    },
  }
}
