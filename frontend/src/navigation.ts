/**
 * Leaves the site for another one (YooKassa's payment page). Kept apart so
 * that tests can replace it: jsdom cannot navigate.
 */
export function leaveSite(url: string): void {
  window.location.assign(url)
}
