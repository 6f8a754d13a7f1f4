import { userRolesValues, type components } from './api-types'

export const ROLES = userRolesValues
export type Role = components['schemas']['User']['roles'][number]

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).indexOf(value) !== -1
}

/** Roles that work in the registry (request queue, medical cards, credentials). */
export const STAFF_ROLES: readonly Role[] = ['registrar', 'admin']

export function isStaffRole(role: Role): boolean {
  return STAFF_ROLES.indexOf(role) !== -1
}
