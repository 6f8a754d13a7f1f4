import {
  createRouter,
  createWebHistory,
  type RouteLocationNormalized,
  type RouteRecordRaw,
  type RouterHistory,
} from 'vue-router'
import { isTokenHash, tokenFromHash, tokenOutOfQuery } from './linkToken'
import { ensureSession } from './session'
import BookingDetailView from './views/BookingDetailView.vue'
import BookingsView from './views/BookingsView.vue'
import BookingView from './views/BookingView.vue'
import CabinetView from './views/CabinetView.vue'
import ChangePasswordView from './views/ChangePasswordView.vue'
import ForgotPasswordView from './views/ForgotPasswordView.vue'
import HomeView from './views/HomeView.vue'
import LoginView from './views/LoginView.vue'
import MailView from './views/MailView.vue'
import DoctorDayView from './views/DoctorDayView.vue'
import NotFoundView from './views/NotFoundView.vue'
import PaymentReturnView from './views/PaymentReturnView.vue'
import PersonalView from './views/PersonalView.vue'
import RegistryFindPatientView from './views/RegistryFindPatientView.vue'
import RegistryNewPatientView from './views/RegistryNewPatientView.vue'
import RegistryRequestsView from './views/RegistryRequestsView.vue'
import ScheduleView from './views/ScheduleView.vue'
import RequestView from './views/RequestView.vue'
import ResetPasswordView from './views/ResetPasswordView.vue'
import RoomView from './views/RoomView.vue'
import AuditView from './views/AuditView.vue'
import ConsultationView from './views/ConsultationView.vue'
import VerifyView from './views/VerifyView.vue'

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
      | 'mail.title'
    /** Locale key of a placeholder page's text. */
    textKey?: 'placeholder.text'
    /**
     * Only for a signed-in person: others are sent to /login?next=… A function
     * decides by the address (the booking wizard's intro is public, its steps are not).
     */
    auth?: boolean | ((to: RouteLocationNormalized) => boolean)
  }
}

// Views are imported statically: a dynamic import() is ES2020 syntax, and the
// seed's browsers must parse every emitted file.
export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: HomeView, meta: { titleKey: 'home.title' } },
  {
    path: '/booking',
    name: 'booking',
    component: BookingView,
    meta: { titleKey: 'booking.title', auth: (to) => typeof to.query.step === 'string' && to.query.step !== '' },
  },
  { path: '/cabinet', name: 'cabinet', component: CabinetView, meta: { titleKey: 'cabinet.title', auth: true } },
  {
    path: '/cabinet/personal',
    name: 'personal',
    component: PersonalView,
    meta: { titleKey: 'personal.title', auth: true },
  },
  { path: '/bookings', name: 'bookings', component: BookingsView, meta: { titleKey: 'bookings.title', auth: true } },
  {
    path: '/bookings/:id',
    name: 'booking-detail',
    component: BookingDetailView,
    meta: { titleKey: 'bookingDetail.title', auth: true },
  },
  {
    path: '/bookings/:id/payment',
    name: 'payment-return',
    component: PaymentReturnView,
    meta: { titleKey: 'paymentReturn.title', auth: true },
  },
  {
    path: '/doctor/today',
    name: 'doctor-today',
    component: DoctorDayView,
    meta: { titleKey: 'doctorDay.title', auth: true },
  },
  { path: '/login', name: 'login', component: LoginView, meta: { titleKey: 'login.title' } },
  {
    path: '/change-password',
    name: 'change-password',
    component: ChangePasswordView,
    meta: { titleKey: 'changePassword.title', auth: true },
  },
  {
    path: '/forgot-password',
    name: 'forgot-password',
    component: ForgotPasswordView,
    meta: { titleKey: 'forgotPassword.title' },
  },
  {
    path: '/reset-password',
    name: 'reset-password',
    component: ResetPasswordView,
    meta: { titleKey: 'resetPassword.title' },
  },
  { path: '/request', name: 'request', component: RequestView, meta: { titleKey: 'request.title' } },
  {
    path: '/registry/requests',
    name: 'registry-requests',
    component: RegistryRequestsView,
    meta: { titleKey: 'registry.requests.title', auth: true },
  },
  {
    path: '/registry/patients/new',
    name: 'registry-new-patient',
    component: RegistryNewPatientView,
    meta: { titleKey: 'registry.newPatient.title', auth: true },
  },
  {
    path: '/registry/patients/find',
    name: 'registry-find-patient',
    component: RegistryFindPatientView,
    meta: { titleKey: 'registry.findPatient.title', auth: true },
  },
  {
    path: '/schedule',
    name: 'schedule',
    component: ScheduleView,
    meta: { titleKey: 'schedule.title', auth: true },
  },
  {
    path: '/doctor/consultations/:bookingId',
    name: 'doctor-consultation',
    component: ConsultationView,
    meta: { titleKey: 'consultation.title', auth: true },
  },
  { path: '/verify', name: 'verify', component: VerifyView, meta: { titleKey: 'verify.title' } },
  { path: '/admin/audit', name: 'admin-audit', component: AuditView, meta: { titleKey: 'audit.title', auth: true } },
  { path: '/registry/mail', name: 'registry-mail', component: MailView, meta: { titleKey: 'mail.title', auth: true } },
  {
    // The patient comes by the emailed link (its token, no sign-in); the doctor (or a signed-in patient) by session.
    path: '/room/:roomId',
    name: 'room',
    component: RoomView,
    meta: { titleKey: 'room.title', auth: (to) => !tokenFromHash(to.hash) },
  },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: NotFoundView, meta: { titleKey: 'notFound.title' } },
]

export function createAppRouter(history: RouterHistory = createWebHistory()) {
  const router = createRouter({
    history,
    routes,
    scrollBehavior: (to, _from, savedPosition) =>
      savedPosition ?? (to.hash && !isTokenHash(to.hash) ? { el: to.hash } : { top: 0 }),
  })

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
    if (me.must_change_password && to.name !== 'change-password') return { name: 'change-password' }
    return true
  })

  return router
}
