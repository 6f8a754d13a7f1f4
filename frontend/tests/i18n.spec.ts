import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, vi } from 'vitest'
import { i18n, setLocale } from '../src/i18n'

type Messages = { [key: string]: string | Messages | Array<string | Messages> }

const localesDir = join(dirname(fileURLToPath(import.meta.url)), '../src/locales')

/** The raw JSON: imports of it are compiled to message functions by the i18n plugin. */
function readLocale(name: string): Messages {
  return JSON.parse(readFileSync(join(localesDir, `${name}.json`), 'utf8')) as Messages
}

/** Every leaf as a vue-i18n key path, e.g. `home.steps.items[0].title`. */
function leafKeys(node: Messages | Messages[string], prefix = ''): string[] {
  if (typeof node === 'string') return [prefix]
  if (Array.isArray(node)) return node.flatMap((child, index) => leafKeys(child, `${prefix}[${index}]`))
  return Object.keys(node).flatMap((key) => leafKeys(node[key], prefix ? `${prefix}.${key}` : key))
}

const ru = readLocale('ru')
const en = readLocale('en')

describe('i18n', () => {
  it('uses Russian by default', async () => {
    vi.resetModules()
    const fresh = await import('../src/i18n')
    expect(fresh.i18n.global.locale.value).toBe('ru')
    expect(fresh.i18n.global.t('nav.booking')).toBe('Запись к врачу')
  })

  it('starts in the remembered language', async () => {
    window.localStorage.setItem('telemed.locale', 'en')
    vi.resetModules()
    const fresh = await import('../src/i18n')
    expect(fresh.i18n.global.locale.value).toBe('en')
  })

  it('ignores a remembered value that is not a supported language', async () => {
    window.localStorage.setItem('telemed.locale', 'de')
    vi.resetModules()
    const fresh = await import('../src/i18n')
    expect(fresh.i18n.global.locale.value).toBe('ru')
  })

  it('has every Russian key in English', () => {
    const missing = leafKeys(ru).filter((key) => leafKeys(en).indexOf(key) === -1)
    expect(missing).toEqual([])
  })

  it('has every English key in Russian', () => {
    const missing = leafKeys(en).filter((key) => leafKeys(ru).indexOf(key) === -1)
    expect(missing).toEqual([])
  })

  it.each(['ru', 'en'] as const)('resolves every %s message to text', (locale) => {
    setLocale(locale)
    const keys = leafKeys(locale === 'ru' ? ru : en)
    const unresolved = keys.filter((key) => {
      const text = i18n.global.t(key, { address: 'A', email: 'E', name: 'N' })
      return text === '' || text === key
    })
    expect(keys.length).toBeGreaterThan(50)
    expect(unresolved).toEqual([])
  })

  it('keeps “@” literal where the text needs it', () => {
    expect(i18n.global.t('registry.findPatient.hint')).toContain('ivanova@mail.ru')
    expect(i18n.global.t('home.requirements.quality.value')).toBe('до 1080p@30fps')
  })

  it('switches language and remembers it', () => {
    setLocale('en')
    expect(i18n.global.t('nav.login')).toBe('Sign in')
    expect(window.localStorage.getItem('telemed.locale')).toBe('en')
  })
})
