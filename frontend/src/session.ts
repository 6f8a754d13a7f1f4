import { computed, readonly, ref } from 'vue'
import { ApiError, apiFetch } from './api'
import { isRole, type Role } from './roles'
import { readStored, writeStored } from './storage'

export interface User {
  id: string
  full_name: string
  email: string
  roles: Role[]
  must_change_password: boolean
}

type MeResponse = Omit<User, 'roles'> & { roles: string[] }

const ROLE_STORAGE_KEY = 'telemed.role'

const currentUser = ref<User | null>(null)
const preferredRole = ref<Role | null>(readPreferredRole())

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

export function setActiveRole(role: Role): void {
  preferredRole.value = role
  writeStored(ROLE_STORAGE_KEY, role)
}

export function setUser(me: MeResponse | null): void {
  currentUser.value = me && { ...me, roles: me.roles.filter(isRole) }
}

/** Asks the server who is signed in; a 401 means nobody. Other errors propagate. */
export async function loadSession(): Promise<User | null> {
  try {
    setUser(await apiFetch<MeResponse>('/me'))
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error
    setUser(null)
  }
  return currentUser.value
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
