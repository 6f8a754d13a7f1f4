import { computed, readonly, ref } from 'vue'
import { ApiError, apiFetch } from './api'
import type { components } from './api-types'
import { isRole, isStaffRole, type Role } from './roles'
import { noteLimits } from './sessionLimits'
import { readStored, writeStored } from './storage'

export type User = components['schemas']['User']

type MeResponse = Omit<User, 'roles'> & { roles: string[] }
type SessionLimitsAnswer = components['schemas']['SessionLimits']

const ROLE_STORAGE_KEY = 'telemed.role'

const currentUser = ref<User | null>(null)
const preferredRole = ref<Role | null>(readPreferredRole())
/** Whether currentUser reflects an answer (or a sign-in/out) rather than the initial guess. */
let known = false
/** Bumped on every change of the user, so that an older /session answer cannot overwrite a newer sign-in. */
let generation = 0
let pending: Promise<User | null> | null = null

function readPreferredRole(): Role | null {
  const stored = readStored(ROLE_STORAGE_KEY)
  return isRole(stored) ? stored : null
}

export const user = readonly(currentUser)
export const isSignedIn = computed(() => currentUser.value !== null)

/** The remembered role if the user still holds it, else their first role. */
export const activeRole = computed<Role | null>(() => {
  const roles = currentUser.value ? currentUser.value.roles : []
  if (preferredRole.value && roles.indexOf(preferredRole.value) !== -1) return preferredRole.value
  return roles.length > 0 ? roles[0] : null
})

/** The registry's pages are for the active role registrar or admin. */
export const isStaffActive = computed(() => activeRole.value !== null && isStaffRole(activeRole.value))

export function setActiveRole(role: Role): void {
  preferredRole.value = role
  writeStored(ROLE_STORAGE_KEY, role)
}

export function setUser(me: MeResponse | null): void {
  generation += 1
  known = true
  currentUser.value = me && { ...me, roles: me.roles.filter(isRole) }
}

/** Back to "not asked yet", e.g. between tests. */
export function forgetSession(): void {
  generation += 1
  known = false
  pending = null
  currentUser.value = null
}

/**
 * Asks the server who is signed in (GET /session: `user` is null for a visitor, so a visit
 * leaves no error in the console); a 401 also means nobody. Other errors propagate.
 */
export async function loadSession(): Promise<User | null> {
  const started = generation
  let me: MeResponse | null
  try {
    const answer = await apiFetch<{ user: MeResponse | null; limits: SessionLimitsAnswer | null }>('/session')
    me = answer.user
    if (generation === started) noteLimits(answer.limits)
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error
    me = null
  }
  // A sign-in or sign-out that happened meanwhile is newer than this answer.
  if (generation === started) setUser(me)
  return currentUser.value
}

/**
 * The user as far as the server knows, asking it at most once: concurrent
 * callers (the router guard, the app shell) share one request.
 */
export function ensureSession(): Promise<User | null> {
  if (known) return Promise.resolve(currentUser.value)
  if (!pending) {
    const request = loadSession()
    pending = request
    const clear = () => {
      if (pending === request) pending = null
    }
    request.then(clear, clear)
  }
  return pending
}

export async function signIn(login: string, password: string): Promise<User> {
  const response = await apiFetch<{ user: MeResponse; limits: SessionLimitsAnswer }>('/auth/login', {
    body: { login, password },
  })
  setUser(response.user)
  noteLimits(response.limits)
  return currentUser.value as User
}

export async function signOut(): Promise<void> {
  try {
    await apiFetch('/auth/logout', { method: 'POST' })
  } catch (error) {
    // Already signed out on the server: the local state just catches up.
    if (!(error instanceof ApiError && error.status === 401)) throw error
  }
  setUser(null)
}
