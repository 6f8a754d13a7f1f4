/**
 * A link's secret (a room's or a password reset's) sits in the address's fragment,
 * `#token=…`: browsers never send a fragment to a server, so it stays out of access
 * logs and proxies. It reaches the API in a header or a body.
 */
import type { RouteLocationNormalized, RouteLocationRaw } from 'vue-router'

const PREFIX = '#token='

export function tokenFromHash(hash: string): string | null {
  if (hash.indexOf(PREFIX) !== 0) return null
  const raw = hash.slice(PREFIX.length)
  let token = raw
  try {
    token = decodeURIComponent(raw)
  } catch {
    return null
  }
  return token !== '' ? token : null
}

export function isTokenHash(hash: string): boolean {
  return hash.indexOf(PREFIX) === 0
}

/** Links sent before the token moved: `?token=` becomes `#token=` before the page asks anything. */
export function tokenOutOfQuery(to: RouteLocationNormalized): RouteLocationRaw | null {
  const token = to.query.token
  if (typeof token !== 'string' || token === '') return null
  const query = { ...to.query }
  delete query.token
  return { path: to.path, query, hash: `${PREFIX}${encodeURIComponent(token)}`, replace: true }
}
