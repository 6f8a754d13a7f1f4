import { describe, expect, it } from 'vitest'
import { canEnterRoom, roomToEnter } from '../src/room/autoEnter'
import { clockOffset, countdownParts, delayUntil, msUntil } from '../src/room/clock'
import {
  clampBitrate,
  degradationPreferences,
  effectiveBitrate,
  mediaConstraints,
  scaleDownBy,
  targetHeight,
  videoEncoding,
  withStartBitrate,
  DEFAULT_VIDEO,
} from '../src/room/quality'
import { checkBrowser, compareVersions, detectBrowser, upstreamVerdict, kbps } from '../src/room/requirements'
import { summarize } from '../src/room/stats'

describe('the room clock follows the server, not the device', () => {
  const device = Date.parse('2026-11-26T06:00:00Z')

  it('measures the offset when the answer arrives', () => {
    // The phone is 3 minutes 20 seconds slow.
    expect(clockOffset('2026-11-26T09:03:20+03:00', device)).toBe(200000)
    expect(clockOffset('2026-11-26T05:59:50.123456+00:00', device)).toBe(-9877)
    expect(clockOffset('not a time', device)).toBe(0)
  })

  it('counts down to the start by the server’s clock', () => {
    const offset = clockOffset('2026-11-26T09:03:20+03:00', device)
    // The start is 10 minutes after the server's now: the device's own clock would say 13:20.
    expect(msUntil('2026-11-26T09:13:20+03:00', offset, device)).toBe(600000)
    expect(countdownParts(600000)).toEqual({ days: 0, hours: 0, minutes: 10, seconds: 0 })
    expect(msUntil('2026-11-26T09:13:20+03:00', offset, device + 1500)).toBe(598500)
    // A part of a second left still shows as a second.
    expect(countdownParts(598500)).toEqual({ days: 0, hours: 0, minutes: 9, seconds: 59 })
    expect(countdownParts(-5000)).toEqual({ days: 0, hours: 0, minutes: 0, seconds: 0 })
    expect(countdownParts(((26 * 60 + 5) * 60 + 7) * 1000)).toEqual({ days: 1, hours: 2, minutes: 5, seconds: 7 })
  })

  it('never asks a timer for more than it can hold', () => {
    expect(delayUntil('2030-01-01T00:00:00Z', 0, device)).toBe(0x7fffffff)
    expect(delayUntil('2020-01-01T00:00:00Z', 0, device)).toBe(0)
  })
})

describe('the seed’s browser requirements', () => {
  const webrtc = { peerConnection: true, getUserMedia: true }
  const cases: [string, string, string, string][] = [
    // [user agent, name, platform, verdict]
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/73.0.3683.86 Safari/537.36',
      'chrome',
      'desktop',
      'ok',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.121 Safari/537.36',
      'chrome',
      'desktop',
      'fail',
    ],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:66.0) Gecko/20100101 Firefox/66.0', 'firefox', 'desktop', 'ok'],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:65.0) Gecko/20100101 Firefox/65.0', 'firefox', 'desktop', 'fail'],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/73.0.3683.103 Safari/537.36 OPR/60.0.3255.59',
      'opera',
      'desktop',
      'ok',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.121 Safari/537.36 OPR/58.0.3135.118',
      'opera',
      'desktop',
      'fail',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0 Safari/605.1.15',
      'safari',
      'desktop',
      'ok',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/11.1.2 Safari/605.1.15',
      'safari',
      'desktop',
      'fail',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.121 YaBrowser/19.3.1.828 Yowser/2.5 Safari/537.36',
      'yandex',
      'desktop',
      'ok',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 YaBrowser/18.11.1.805 Yowser/2.5 Safari/537.36',
      'yandex',
      'desktop',
      'fail',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91',
      'edge',
      'desktop',
      'ok',
    ],
    [
      'Mozilla/5.0 (Linux; Android 9; SM-G960F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/73.0.3683.90 Mobile Safari/537.36',
      'chrome',
      'android',
      'ok',
    ],
    ['Mozilla/5.0 (Android 9; Mobile; rv:66.0) Gecko/66.0 Firefox/66.0', 'firefox', 'android', 'ok'],
    [
      'Mozilla/5.0 (Linux; Android 9; SM-G960F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.80 Mobile Safari/537.36 OPR/50.2.2426.144673',
      'opera',
      'android',
      'ok',
    ],
    [
      'Mozilla/5.0 (Linux; Android 8.0; SM-A520F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.121 YaBrowser/19.3.4.339.00 Mobile Safari/537.36',
      'yandex',
      'android',
      'ok',
    ],
    [
      'Mozilla/5.0 (Linux; Android 9; SM-G960F) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/9.2 Chrome/67.0.3396.87 Mobile Safari/537.36',
      'samsung',
      'android',
      'warn',
    ],
    [
      'Mozilla/5.0 (Linux; Android 9; Pixel 3 Build/PQ1A.181205.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/73.0.3683.90 Mobile Safari/537.36',
      'unknown',
      'android',
      'warn',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 12_4_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1',
      'safari',
      'ios',
      'ok',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 12_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1',
      'safari',
      'ios',
      'fail',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/114.0.5735.124 Mobile/15E148 Safari/604.1',
      'iosOther',
      'ios',
      'warn',
    ],
  ]

  it.each(cases)('%s → %s on %s: %s', (ua, name, platform, verdict) => {
    const result = checkBrowser(ua, webrtc)
    expect(result.browser.name).toBe(name)
    expect(result.browser.platform).toBe(platform)
    expect(result.verdict).toBe(verdict)
  })

  it('takes an iPad in desktop mode (it says Macintosh) for iOS', () => {
    const ua = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.0 Safari/605.1.15'
    expect(detectBrowser(ua, 0).platform).toBe('desktop')
    expect(detectBrowser(ua, 5)).toEqual({ name: 'safari', platform: 'ios', version: '14.0' })
    expect(checkBrowser(ua, webrtc, 5).verdict).toBe('ok')
  })

  it('fails any browser without WebRTC, and says which minimum applies', () => {
    const chrome = cases[0][0]
    expect(checkBrowser(chrome, { peerConnection: false, getUserMedia: true })).toMatchObject({ verdict: 'fail', reason: 'noWebrtc' })
    expect(checkBrowser(chrome, { peerConnection: true, getUserMedia: false }).reason).toBe('noWebrtc')
    expect(checkBrowser(cases[1][0], webrtc)).toMatchObject({ reason: 'outdated', minimum: '73' })
    expect(checkBrowser(cases[18][0], webrtc)).toMatchObject({ reason: 'outdated', minimum: '12.4.6' })
    expect(checkBrowser('curl/8.0', webrtc)).toMatchObject({ verdict: 'warn', reason: 'unlisted' })
  })

  it('compares versions number by number', () => {
    expect(compareVersions('12.4', '12.4.6')).toBe(-1)
    expect(compareVersions('12.4.6', '12.4.6')).toBe(0)
    expect(compareVersions('12.10', '12.4.6')).toBe(1)
    expect(compareVersions('100.0.1', '73')).toBe(1)
  })

  it('judges the upstream against the seed’s 128 kbit/s', () => {
    expect(kbps(64 * 1024, 1000)).toBeCloseTo(524.288)
    expect(upstreamVerdict(128)).toBe('ok')
    expect(upstreamVerdict(127.9)).toBe('fail')
  })
})

describe('the video cap and the picture size chosen for it', () => {
  it('keeps the cap within 128–640 kbit/s and lets ?bitrate= only lower it', () => {
    expect(clampBitrate(50000)).toBe(128000)
    expect(clampBitrate(2000000)).toBe(640000)
    expect(effectiveBitrate(640000, null)).toBe(640000)
    expect(effectiveBitrate(640000, '128000')).toBe(128000)
    expect(effectiveBitrate(640000, '1000')).toBe(128000)
    expect(effectiveBitrate(300000, '640000')).toBe(300000)
    expect(effectiveBitrate(640000, 'fast')).toBe(640000)
    expect(effectiveBitrate(undefined, '256000')).toBe(256000)
  })

  it('picks 360, 540 or 720 lines by the cap and scales the camera down to it (never up)', () => {
    expect(targetHeight(128000)).toBe(360)
    expect(targetHeight(200000)).toBe(360)
    expect(targetHeight(200001)).toBe(540)
    expect(targetHeight(400000)).toBe(540)
    expect(targetHeight(640000)).toBe(720)
    expect(scaleDownBy(1080, 128000)).toBe(3)
    expect(scaleDownBy(1080, 300000)).toBe(2)
    expect(scaleDownBy(1080, 640000)).toBe(1.5)
    expect(scaleDownBy(720, 640000)).toBe(1)
    expect(scaleDownBy(480, 640000)).toBe(1)
    expect(scaleDownBy(480, 128000)).toBe(1.333)
    expect(scaleDownBy(0, 128000)).toBe(1)
    expect(videoEncoding(640000, 1080)).toEqual({ maxBitrate: 640000, maxFramerate: 30, scaleResolutionDownBy: 1.5 })
  })

  it('keeps the frame rate, and at the 360-line floor the resolution too', () => {
    expect(degradationPreferences(640000)).toEqual(['maintain-framerate'])
    expect(degradationPreferences(400000)).toEqual(['maintain-framerate'])
    expect(degradationPreferences(128000)).toEqual(['maintain-framerate-and-resolution', 'maintain-framerate'])
  })

  it('starts the bandwidth estimate at the cap on every picture codec, and on nothing else', () => {
    const sdp = [
      'v=0',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      'a=rtpmap:111 opus/48000/2',
      'a=fmtp:111 minptime=10;useinbandfec=1',
      'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 45',
      'a=rtpmap:96 VP8/90000',
      'a=rtpmap:97 rtx/90000',
      'a=fmtp:97 apt=96',
      'a=rtpmap:98 H264/90000',
      'a=fmtp:98 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
      'a=rtpmap:99 red/90000',
      'a=rtpmap:45 AV1/90000',
      'a=fmtp:45 level-idx=5;profile=0;tier=0',
      '',
    ].join('\r\n')
    const munged = withStartBitrate(sdp, 640000).split('\r\n')
    expect(munged).toContain('a=fmtp:96 x-google-start-bitrate=640')
    expect(munged).toContain('a=fmtp:98 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f;x-google-start-bitrate=640')
    expect(munged).toContain('a=fmtp:45 level-idx=5;profile=0;tier=0;x-google-start-bitrate=640')
    expect(munged).toContain('a=fmtp:97 apt=96')
    expect(munged).toContain('a=fmtp:111 minptime=10;useinbandfec=1')
    expect(munged.filter((line) => line.indexOf('x-google') >= 0)).toHaveLength(3)
    expect(munged.indexOf('a=fmtp:96 x-google-start-bitrate=640')).toBe(munged.indexOf('a=rtpmap:96 VP8/90000') + 1)
    // Applied twice (an ICE restart re-sends the description), and kept within the allowed caps.
    expect(withStartBitrate(withStartBitrate(sdp, 640000), 640000)).toBe(withStartBitrate(sdp, 640000))
    expect(withStartBitrate(sdp, 50000)).toContain('x-google-start-bitrate=128')
  })

  it('asks the camera for up to 1080p at 30 fps and speech-tuned sound', () => {
    expect(mediaConstraints(DEFAULT_VIDEO)).toEqual({
      video: { width: { ideal: 1920 }, height: { ideal: 1080 }, frameRate: { ideal: 30, max: 30 }, facingMode: 'user' },
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    })
  })
})

describe('call statistics', () => {
  function report(entries: Record<string, unknown>[]): RTCStatsReport {
    const map = new Map<string, unknown>()
    entries.forEach((entry) => map.set(String(entry.id), entry))
    return map as unknown as RTCStatsReport
  }

  const base = [
    { id: 'T', type: 'transport', selectedCandidatePairId: 'CP' },
    { id: 'CP', type: 'candidate-pair', localCandidateId: 'L', remoteCandidateId: 'R', currentRoundTripTime: 0.042 },
    { id: 'L', type: 'local-candidate', candidateType: 'relay' },
    { id: 'R', type: 'remote-candidate', candidateType: 'srflx' },
  ]

  it('reads resolution, frame rate, bitrates, RTT, loss and the route', () => {
    const first = summarize(
      report(
        base.concat([
          { id: 'I', type: 'inbound-rtp', kind: 'video', framesDecoded: 100, bytesReceived: 100000, frameWidth: 640, frameHeight: 360, framesPerSecond: 30, packetsReceived: 990, packetsLost: 10 } as never,
          { id: 'O', type: 'outbound-rtp', kind: 'video', bytesSent: 50000, frameWidth: 1280, frameHeight: 720, framesPerSecond: 29, framesSent: 90, qualityLimitationReason: 'bandwidth' } as never,
          { id: 'A', type: 'outbound-rtp', kind: 'audio', bytesSent: 999999 } as never,
        ]),
      ),
      null,
      1000,
    )
    expect(first).toMatchObject({
      framesDecoded: 100,
      inWidth: 640,
      inHeight: 360,
      inFps: 30,
      outHeight: 720,
      outFps: 29,
      bitrateIn: 0,
      rtt: 0.042,
      packetLoss: 1,
      localCandidateType: 'relay',
      remoteCandidateType: 'srflx',
      qualityLimitation: 'bandwidth',
    })
    const second = summarize(
      report(
        base.concat([
          { id: 'I', type: 'inbound-rtp', kind: 'video', framesDecoded: 130, bytesReceived: 180000 } as never,
          { id: 'O', type: 'outbound-rtp', kind: 'video', bytesSent: 130000 } as never,
        ]),
      ),
      first,
      2000,
    )
    expect(second.bitrateIn).toBe(640000)
    expect(second.bitrateOut).toBe(640000)
  })

  it('finds the pair the older way (nominated and succeeded) when the transport does not say', () => {
    const stats = summarize(
      report([
        { id: 'CP', type: 'candidate-pair', nominated: true, state: 'succeeded', localCandidateId: 'L', remoteCandidateId: 'R' },
        { id: 'L', type: 'local-candidate', candidateType: 'host' },
        { id: 'R', type: 'remote-candidate', candidateType: 'host' },
      ]),
    )
    expect(stats.localCandidateType).toBe('host')
    expect(stats.rtt).toBeNull()
  })
})

describe('the doctor is taken into the room that is due', () => {
  const now = Date.parse('2026-11-26T11:00:00Z') // 14:00 in Moscow
  const item = (room: string, start: string, end: string, status = 'paid') => ({
    room_id: room,
    status,
    starts_at: `2026-11-26T${start}:00+03:00`,
    ends_at: `2026-11-26T${end}:00+03:00`,
  })

  it('from 10 minutes before the start until the end, once per room', () => {
    expect(roomToEnter([item('a', '14:11', '14:41')], now, [])).toBeNull()
    expect(roomToEnter([item('a', '14:10', '14:40')], now, [])).toBe('a')
    expect(roomToEnter([item('a', '13:30', '14:00')], now, [])).toBeNull()
    expect(roomToEnter([item('a', '13:31', '14:01')], now, [])).toBe('a')
    expect(roomToEnter([item('a', '14:05', '14:35')], now, ['a'])).toBeNull()
  })

  it('only for paid consultations (or those under way) with a room', () => {
    expect(roomToEnter([item('a', '14:05', '14:35', 'in_progress')], now, [])).toBe('a')
    expect(roomToEnter([item('a', '14:05', '14:35', 'refunded')], now, [])).toBeNull()
    expect(roomToEnter([{ ...item('a', '14:05', '14:35'), room_id: null }], now, [])).toBeNull()
  })

  it('follows the room’s own window when the consultation comes with it', () => {
    const windowed = (opens: string, closes: string) => ({
      ...item('a', '14:20', '14:50'),
      room_opens_at: `2026-11-26T${opens}:00+03:00`,
      room_closes_at: `2026-11-26T${closes}:00+03:00`,
    })
    // A waiting room that opens 20 minutes early is entered at 14:00; one that opens 5 minutes early is not.
    expect(roomToEnter([windowed('14:00', '15:20')], now, [])).toBe('a')
    expect(roomToEnter([windowed('14:15', '15:20')], now, [])).toBeNull()
    // The button stays while the room does: until its own close, not a fixed 15 minutes after the end.
    expect(canEnterRoom({ ...item('a', '13:00', '13:30'), room_closes_at: '2026-11-26T14:05:00+03:00' }, now)).toBe(true)
    expect(canEnterRoom({ ...item('a', '13:00', '13:30'), room_closes_at: '2026-11-26T13:55:00+03:00' }, now)).toBe(false)
    expect(canEnterRoom(item('a', '13:00', '13:30'), now)).toBe(false)
  })

  it('prefers the later one when the end of one overlaps the waiting room of the next', () => {
    expect(roomToEnter([item('a', '13:35', '14:05'), item('b', '14:05', '14:35')], now, [])).toBe('b')
  })
})
