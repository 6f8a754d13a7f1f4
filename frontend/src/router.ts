import { createRouter, createWebHistory, type RouteRecordRaw, type RouterHistory } from 'vue-router'
import HomeView from './views/HomeView.vue'
import NotFoundView from './views/NotFoundView.vue'
import PlaceholderView from './views/PlaceholderView.vue'

declare module 'vue-router' {
  interface RouteMeta {
    /** Locale key of the page title (used for the heading and document.title). */
    titleKey?: 'home.title' | 'booking.title' | 'cabinet.title' | 'login.title' | 'notFound.title'
    /** Locale key of a placeholder page's text. */
    textKey?: 'placeholder.text' | 'login.text'
  }
}

// Views are imported statically: a dynamic import() is ES2020 syntax, and the
// seed's browsers must parse every emitted file.
export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: HomeView, meta: { titleKey: 'home.title' } },
  {
    path: '/booking',
    name: 'booking',
    component: PlaceholderView,
    meta: { titleKey: 'booking.title', textKey: 'placeholder.text' },
  },
  {
    path: '/cabinet',
    name: 'cabinet',
    component: PlaceholderView,
    meta: { titleKey: 'cabinet.title', textKey: 'placeholder.text' },
  },
  {
    path: '/login',
    name: 'login',
    component: PlaceholderView,
    meta: { titleKey: 'login.title', textKey: 'login.text' },
  },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: NotFoundView, meta: { titleKey: 'notFound.title' } },
]

export function createAppRouter(history: RouterHistory = createWebHistory()) {
  return createRouter({
    history,
    routes,
    scrollBehavior: (to, _from, savedPosition) => savedPosition ?? (to.hash ? { el: to.hash } : { top: 0 }),
  })
}
