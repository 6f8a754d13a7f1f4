import { createApp } from 'vue'
import App from './App.vue'
import { i18n, loadLocale } from './i18n'
import { createAppRouter } from './router'
import './styles/main.css'

function mount(): void {
  createApp(App).use(i18n).use(createAppRouter()).mount('#app')
}

// A remembered language other than Russian: its messages first, so that the page does not change language
// under the reader; if they cannot be fetched, Russian (the fallback) shows.
loadLocale(i18n.global.locale.value).then(mount, mount)
