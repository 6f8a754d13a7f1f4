import {
  createRouter,
  createWebHistory,
  type RouteLocationNormalized,
  type RouteRecordRaw,
  type RouterHistory,
} from 'vue-router'
import { loadMessages, MESSAGE_GROUPS, type MessageGroup } from './i18n'
import { isTokenHash, tokenFromHash, tokenOutOfQuery } from './linkToken'
import { ensureSession } from './session'
import HomeView from './views/HomeView.vue'
// The sign-in page is the second page most people open and only 2 KB: in the first bundle, it paints without
// waiting for a chunk of its own (Lighthouse mobile on /login: 85 with it lazy).
import LoginView from './views/LoginView.vue'

declare module 'vue-router' {
  interface RouteMeta {
    /** Locale key of the page title (used for the heading and document.title). */
    titleKey?:
      | 'home.title'
      | 'booking.title'
      | 'cabinet.title'
      | 'personal.title'
      | 'bookings.title'
      | 'bookingDetail.title'
      | 'paymentReturn.title'
      | 'doctorDay.title'
      | 'login.title'
      | 'changePassword.title'
      | 'forgotPassword.title'
      | 'resetPassword.title'
      | 'request.title'
      | 'registry.requests.title'
      | 'registry.newPatient.title'
      | 'registry.findPatient.title'
      | 'schedule.title'
      | 'notFound.title'
      | 'room.title'
      | 'consultation.title'
      | 'verify.title'
      | 'audit.title'
      | 'reconciliation.title'
      | 'mail.title'
    /** Locale key of a placeholder page's text. */
    textKey?: 'placeholder.text'
    /**
     * Only for a signed-in person: others are sent to /login?next=… A function
     * decides by the address (the booking wizard's intro is public, its steps are not).
     */
    auth?: boolean | ((to: RouteLocationNormalized) => boolean)
    /**
     * The parts of the Russian messages the page uses beyond those always loaded (src/i18n.ts); fetched
     * with the page's code. Without it, all of them: say fewer only for a page that must load fast.
     */
    messages?: readonly MessageGroup[]
  }
}

// Every page but the home page is its own chunk, fetched when first opened: `() => import('./views/…')`
// (new routes too). The build turns these import() calls into module scripts (build/moduleScriptChunks.ts),
// so Firefox 66, which has no import(), runs them as well.
export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: HomeView, meta: { titleKey: 'home.title', messages: [] } },
  {
    path: '/booking',
    name: 'booking',
    component: () => import('./views/BookingView.vue'),
    meta: { titleKey: 'booking.title', auth: (to) => typeof to.query.step === 'string' && to.query.step !== '' },
  },
  {
    path: '/cabinet',
    name: 'cabinet',
    component: () => import('./views/CabinetView.vue'),
    meta: { titleKey: 'cabinet.title', auth: true },
  },
  // The SMS reminder's short link (chalicelib/sms/text.py): the cabinet, after signing in if need be.
  { path: '/c', redirect: { name: 'cabinet' } },
  {
    path: '/cabinet/personal',
    name: 'personal',
    component: () => import('./views/PersonalView.vue'),
    meta: { titleKey: 'personal.title', auth: true },
  },
  {
    path: '/bookings',
    name: 'bookings',
    component: () => import('./views/BookingsView.vue'),
    meta: { titleKey: 'bookings.title', auth: true },
  },
  {
    path: '/bookings/:id',
    name: 'booking-detail',
    component: () => import('./views/BookingDetailView.vue'),
    meta: { titleKey: 'bookingDetail.title', auth: true },
  },
  {
    path: '/bookings/:id/payment',
    name: 'payment-return',
    component: () => import('./views/PaymentReturnView.vue'),
    meta: { titleKey: 'paymentReturn.title', auth: true },
  },
  {
    path: '/doctor/today',
    name: 'doctor-today',
    component: () => import('./views/DoctorDayView.vue'),
    meta: { titleKey: 'doctorDay.title', auth: true },
  },
  {
    path: '/login',
    name: 'login',
    component: LoginView,
    meta: { titleKey: 'login.title', messages: [] },
  },
  {
    path: '/change-password',
    name: 'change-password',
    component: () => import('./views/ChangePasswordView.vue'),
    meta: { titleKey: 'changePassword.title', auth: true },
  },
  {
    path: '/forgot-password',
    name: 'forgot-password',
    component: () => import('./views/ForgotPasswordView.vue'),
    meta: { titleKey: 'forgotPassword.title', messages: [] },
  },
  {
    path: '/reset-password',
    name: 'reset-password',
    component: () => import('./views/ResetPasswordView.vue'),
    meta: { titleKey: 'resetPassword.title' },
  },
  {
    path: '/request',
    name: 'request',
    component: () => import('./views/RequestView.vue'),
    meta: { titleKey: 'request.title' },
  },
  {
    path: '/registry/requests',
    name: 'registry-requests',
    component: () => import('./views/RegistryRequestsView.vue'),
    meta: { titleKey: 'registry.requests.title', auth: true },
  },
  {
    path: '/registry/patients/new',
    name: 'registry-new-patient',
    component: () => import('./views/RegistryNewPatientView.vue'),
    meta: { titleKey: 'registry.newPatient.title', auth: true },
  },
  {
    path: '/registry/patients/find',
    name: 'registry-find-patient',
    component: () => import('./views/RegistryFindPatientView.vue'),
    meta: { titleKey: 'registry.findPatient.title', auth: true },
  },
  {
    path: '/schedule',
    name: 'schedule',
    component: () => import('./views/ScheduleView.vue'),
    meta: { titleKey: 'schedule.title', auth: true },
  },
  {
    path: '/doctor/consultations/:bookingId',
    name: 'doctor-consultation',
    component: () => import('./views/ConsultationView.vue'),
    meta: { titleKey: 'consultation.title', auth: true },
  },
  {
    path: '/verify',
    name: 'verify',
    component: () => import('./views/VerifyView.vue'),
    meta: { titleKey: 'verify.title' },
  },
  {
    path: '/admin/audit',
    name: 'admin-audit',
    component: () => import('./views/AuditView.vue'),
    meta: { titleKey: 'audit.title', auth: true },
  },
  {
    path: '/admin/reconciliation',
    name: 'admin-reconciliation',
    component: () => import('./views/ReconciliationView.vue'),
    meta: { titleKey: 'reconciliation.title', auth: true },
  },
  {
    path: '/registry/mail',
    name: 'registry-mail',
    component: () => import('./views/MailView.vue'),
    meta: { titleKey: 'mail.title', auth: true },
  },
  {
    // The patient comes by the emailed link (its token, no sign-in); the doctor (or a signed-in patient) by session.
    path: '/room/:roomId',
    name: 'room',
    component: () => import('./views/RoomView.vue'),
    meta: { titleKey: 'room.title', auth: (to) => !tokenFromHash(to.hash), messages: ['room'] },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('./views/NotFoundView.vue'),
    meta: { titleKey: 'notFound.title', messages: [] },
  },
]

export function createAppRouter(history: RouterHistory = createWebHistory()) {
  const router = createRouter({
    history,
    routes,
    scrollBehavior: (to, _from, savedPosition) =>
      savedPosition ?? (to.hash && !isTokenHash(to.hash) ? { el: to.hash } : { top: 0 }),
  })

  // The page's code and words are fetched at once, while the next guard asks who is signed in.
  let preparing: Promise<unknown> = Promise.resolve()
  router.beforeEach((to) => {
    preparing = prepare(to)
  })
  router.beforeResolve(() => preparing.then(() => true))

  router.beforeEach(async (to) => {
    const moved = tokenOutOfQuery(to)
    if (moved) return moved
    const auth = to.meta.auth
    if (!auth || (typeof auth === 'function' && !auth(to))) return true
    let me
    try {
      me = await ensureSession()
    } catch {
      // The server could not say who is signed in: the page itself shows why and offers to retry.
      return true
    }
    if (!me) return { name: 'login', query: { next: to.fullPath } }
    // The temporary password from the email only lets the person choose their own.
    if (me.must_change_password && to.name !== 'change-password') return { name: 'change-password', query: { next: to.fullPath } }
    return true
  })

  router.onError((error, to) => reloadAfterFailedChunk(error, to.fullPath))
  // A page that opened clears the mark: a later deploy may reload it once again.
  router.afterEach((_to, _from, failure) => {
    if (!failure) writeSession(RELOADED_KEY, null)
  })

  return router
}

function prepare(to: RouteLocationNormalized): Promise<unknown> {
  for (const record of to.matched) {
    const view = record.components?.default
    // A lazy view: start fetching it now (the router's own call later gets the same chunk).
    if (typeof view === 'function') (view as () => Promise<unknown>)().catch(() => undefined)
  }
  return loadMessages(to.meta.messages ?? MESSAGE_GROUPS)
}

const RELOADED_KEY = 'telemed.chunkReload'

/** A page's code could not be fetched: a browser's own words for it, or our module-script loader's. */
export function isChunkLoadError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error)
  return /dynamically imported module|Importing a module script failed|Unable to preload CSS/i.test(message)
}

/**
 * A deploy replaced the files this page was built with: the next page's chunk is gone. Loading the
 * address afresh fetches the new build. Once only: if that fails too (the network is down), the error
 * stays with the router instead of reloading in a loop.
 */
export function reloadAfterFailedChunk(error: unknown, path: string, location: Location = window.location): boolean {
  if (!isChunkLoadError(error)) return false
  if (readSession(RELOADED_KEY) === path || !writeSession(RELOADED_KEY, path)) return false
  location.assign(path)
  return true
}

function readSession(key: string): string | null {
  try {
    return window.sessionStorage.getItem(key)
  } catch {
    return null
  }
}

/** Whether it was written: without storage there is no reloading, as nothing could stop a loop. */
function writeSession(key: string, value: string | null): boolean {
  try {
    if (value === null) window.sessionStorage.removeItem(key)
    else window.sessionStorage.setItem(key, value)
    return true
  } catch {
    return false
  }
}
