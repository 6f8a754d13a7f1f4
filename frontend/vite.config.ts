import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite'
import vue from '@vitejs/plugin-vue'
import type { Plugin } from 'vite'
import { defineConfig } from 'vitest/config'
import { messageGroups } from './build/messageGroups'
import { moduleScriptChunks } from './build/moduleScriptChunks'

const localesDir = fileURLToPath(new URL('./src/locales/', import.meta.url))

// The seed instruction's oldest supported browsers (desktop and iOS).
const browserTargets = ['es2017', 'chrome73', 'firefox66', 'safari12', 'ios12']

// index.html is read before any script runs, so its few words (title, noscript)
// come from the Russian locale at build time instead of being typed twice.
function htmlLocaleText(): Plugin {
  const messages: unknown = JSON.parse(readFileSync(`${localesDir}ru.json`, 'utf8'))
  const lookup = (key: string): string => {
    const value = key.split('.').reduce<unknown>(
      (node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined),
      messages,
    )
    if (typeof value !== 'string') throw new Error(`index.html: no string "${key}" in ru.json`)
    return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
  }
  return {
    name: 'html-locale-text',
    transformIndexHtml: (html) => html.replace(/%t:([\w.]+)%/g, (_, key: string) => lookup(key)),
  }
}

export default defineConfig({
  plugins: [
    messageGroups(new URL('./src/locales/', import.meta.url)),
    vue(),
    VueI18nPlugin({
      include: [`${localesDir}*.json`],
      strictMessage: true,
      // Messages are precompiled: the runtime needs no message compiler (and the CSP allows no eval).
      dropMessageCompiler: true,
    }),
    htmlLocaleText(),
    moduleScriptChunks(),
  ],
  define: {
    // Every component is <script setup>: Vue's Options API is dead weight in the bundle.
    __VUE_OPTIONS_API__: 'false',
  },
  build: {
    target: browserTargets,
    cssTarget: browserTargets,
    // One stylesheet for the whole site: with the ES2017 target and moduleScriptChunks, Vite's preload
    // helper is given no CSS list for a lazy page, so a page's own stylesheet would never be loaded.
    cssCodeSplit: false,
  },
  server: {
    proxy: {
      '/api': process.env.API_PROXY_TARGET ?? 'http://127.0.0.1:8000',
    },
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.spec.ts'],
    setupFiles: ['tests/setup.ts'],
    restoreMocks: true,
    unstubGlobals: true,
  },
})
