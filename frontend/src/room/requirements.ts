/**
 * The seed instruction's requirements for the consultation, checked on the
 * patient's (or doctor's) device: the browser and its version, and WebRTC.
 *
 * For PC: Google Chrome 73+ (and other Chromium-based browsers), Mozilla Firefox 66+,
 * Opera 59+, Safari 12+, Яндекс.Браузер 19+. Android: Chrome 73+, Firefox 66+,
 * Opera for Android 50+, Яндекс.Браузер 19+. iOS: Safari 12.4.6+.
 */

export type Verdict = 'ok' | 'warn' | 'fail' | 'pending'

export type BrowserName =
  | 'chrome'
  | 'chromium'
  | 'edge'
  | 'firefox'
  | 'opera'
  | 'safari'
  | 'yandex'
  | 'samsung'
  | 'iosOther'
  | 'unknown'

export type Platform = 'desktop' | 'android' | 'ios'

export interface BrowserInfo {
  name: BrowserName
  platform: Platform
  /** Dotted version as the user agent says it ('' when unknown); for Safari on iOS, the iOS version. */
  version: string
}

export type BrowserReason = 'supported' | 'outdated' | 'unlisted' | 'iosOther' | 'noWebrtc'

export interface BrowserCheck {
  verdict: Verdict
  reason: BrowserReason
  browser: BrowserInfo
  /** The lowest version the seed lists for this browser on this platform, when it lists it. */
  minimum: string | null
}

export interface WebRtcSupport {
  peerConnection: boolean
  getUserMedia: boolean
}

/** The seed's table: the lowest supported version per platform and browser. */
const MINIMUM: Record<Platform, Partial<Record<BrowserName, string>>> = {
  desktop: { chrome: '73', chromium: '73', edge: '79', firefox: '66', opera: '59', safari: '12', yandex: '19' },
  android: { chrome: '73', firefox: '66', opera: '50', yandex: '19' },
  ios: { safari: '12.4.6' },
}

/** -1, 0 or 1, comparing dotted versions number by number ('12.4' < '12.4.6'). */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map((part) => parseInt(part, 10) || 0)
  const right = b.split('.').map((part) => parseInt(part, 10) || 0)
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const x = left[i] || 0
    const y = right[i] || 0
    if (x !== y) return x < y ? -1 : 1
  }
  return 0
}

function versionAfter(ua: string, token: string): string {
  const match = new RegExp(`${token}/(\\d+(?:\\.\\d+)*)`).exec(ua)
  return match ? match[1] : ''
}

/**
 * Which browser the user agent names. `maxTouchPoints` tells an iPad in its
 * default "desktop" mode (it says Macintosh) from a Mac.
 */
export function detectBrowser(ua: string, maxTouchPoints = 0): BrowserInfo {
  const iPadAsMac = /Macintosh/.test(ua) && maxTouchPoints > 1
  if (/iPhone|iPad|iPod/.test(ua) || iPadAsMac) {
    const os = /OS (\d+)_(\d+)(?:_(\d+))? like Mac OS X/.exec(ua)
    // iPadOS 13+ in desktop mode names no iOS version; its Safari version matches the system's.
    const version = os ? [os[1], os[2], os[3] || '0'].join('.') : versionAfter(ua, 'Version')
    const other = /CriOS|FxiOS|EdgiOS|OPiOS|OPT\/|YaBrowser|GSA\/|FBAN|FBAV|Instagram|YaApp|Mail\.RU/.test(ua)
    return { name: other ? 'iosOther' : 'safari', platform: 'ios', version }
  }
  const platform: Platform = /Android/.test(ua) ? 'android' : 'desktop'
  if (/YaBrowser\//.test(ua)) return { name: 'yandex', platform, version: versionAfter(ua, 'YaBrowser') }
  if (/OPR\//.test(ua)) return { name: 'opera', platform, version: versionAfter(ua, 'OPR') }
  if (/SamsungBrowser\//.test(ua)) return { name: 'samsung', platform, version: versionAfter(ua, 'SamsungBrowser') }
  if (/Edg\//.test(ua)) return { name: 'edge', platform, version: versionAfter(ua, 'Edg') }
  if (/EdgA\/|Edge\//.test(ua)) return { name: 'unknown', platform, version: '' }
  if (/Firefox\//.test(ua) && !/Seamonkey/.test(ua)) return { name: 'firefox', platform, version: versionAfter(ua, 'Firefox') }
  // An Android WebView (an app's built-in browser) says Chrome too, with "; wv)".
  if (platform === 'android' && /; wv\)/.test(ua)) return { name: 'unknown', platform, version: '' }
  if (/Chromium\//.test(ua)) return { name: 'chromium', platform, version: versionAfter(ua, 'Chromium') }
  if (/Chrome\//.test(ua)) return { name: 'chrome', platform, version: versionAfter(ua, 'Chrome') }
  if (/Safari\//.test(ua) && /Version\//.test(ua) && platform === 'desktop') {
    return { name: 'safari', platform, version: versionAfter(ua, 'Version') }
  }
  return { name: 'unknown', platform, version: '' }
}

/** Whether this browser can make the call at all (present in every browser the seed lists). */
export function webRtcSupport(win: Window = window): WebRtcSupport {
  const w = win as unknown as { RTCPeerConnection?: unknown; webkitRTCPeerConnection?: unknown }
  const media = win.navigator.mediaDevices
  return {
    peerConnection: typeof w.RTCPeerConnection === 'function',
    getUserMedia: !!media && typeof media.getUserMedia === 'function',
  }
}

/** The verdict on the browser: supported (✓), not in the seed's list (⚠), too old or without WebRTC (✕). */
export function checkBrowser(ua: string, support: WebRtcSupport, maxTouchPoints = 0): BrowserCheck {
  const browser = detectBrowser(ua, maxTouchPoints)
  const minimum = MINIMUM[browser.platform][browser.name] || null
  if (!support.peerConnection || !support.getUserMedia) {
    return { verdict: 'fail', reason: 'noWebrtc', browser, minimum }
  }
  if (browser.name === 'iosOther') return { verdict: 'warn', reason: 'iosOther', browser, minimum: '12.4.6' }
  if (!minimum || !browser.version) return { verdict: 'warn', reason: 'unlisted', browser, minimum }
  if (compareVersions(browser.version, minimum) < 0) return { verdict: 'fail', reason: 'outdated', browser, minimum }
  return { verdict: 'ok', reason: 'supported', browser, minimum }
}

/** The major version (or, for iOS, the full one) as people read it on the browser's About page. */
export function shortVersion(browser: BrowserInfo): string {
  if (!browser.version) return ''
  if (browser.platform === 'ios' || browser.name === 'safari') return browser.version.replace(/\.0$/, '')
  return browser.version.split('.')[0]
}

// --- Upstream -----------------------------------------------------------------------------

/** The seed's lower bound of the outgoing channel. */
export const MIN_UPSTREAM_KBPS = 128
/** Enough for the best picture the room sends. */
export const GOOD_UPSTREAM_KBPS = 640

/** Kilobits per second from bytes sent in `ms` milliseconds. */
export function kbps(bytes: number, ms: number): number {
  return ms > 0 ? (bytes * 8) / ms : Infinity
}

export function upstreamVerdict(kbitPerSecond: number): Verdict {
  return kbitPerSecond >= MIN_UPSTREAM_KBPS ? 'ok' : 'fail'
}

// --- Camera -------------------------------------------------------------------------------

/** A picture of at least 360 lines is what the call sends at the lowest bitrate. */
export function cameraVerdict(height: number): Verdict {
  return height >= 360 ? 'ok' : 'warn'
}
