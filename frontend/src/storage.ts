// Storage can be unavailable (disabled cookies, some private modes) or throw on
// write; remembering a preference is never worth breaking the page for.

export function readStored(key: string): string | null {
  try {
    return window.localStorage.getItem(key)
  } catch {
    return null
  }
}

export function writeStored(key: string, value: string | null): void {
  try {
    if (value === null) window.localStorage.removeItem(key)
    else window.localStorage.setItem(key, value)
  } catch {
    // ignored: see above
  }
}
