import { shallowReactive } from 'vue'
import type { VideoLimits } from './quality'
import type { Role, RoomStatus, SignalingStatus } from './signaling'

/** What the page shows of the room: one reactive object that the room's parts (session.ts) write and the page reads. */

export interface RoomInfo {
  room_id: string
  /** `ended`: the consultation is over before the close (roomClient turns it into an `consultation_ended` error). */
  status: RoomStatus | 'ended'
  role: Role
  opens_at: string
  starts_at: string
  ends_at: string
  closes_at: string
  server_time: string
  doctor: { full_name: string; specialty?: string } | null
  patient?: { full_name: string } | null
  /** The invited guest (one per booking), to everyone in the room. */
  guest?: { name: string; relation: 'representative' | 'relative' | 'interpreter' } | null
  booking_id?: string | null
  /** To the patient only: this booking's own address for documents by email. */
  documents_address?: string | null
  video?: VideoLimits
  ice_servers: RTCIceServer[]
  signaling_url: string | null
  /** Ended (over before the close): when the doctor ended it (null: by the conclusion's signing). */
  ended_at?: string | null
  /** Ended: the conclusion is signed (the patient is shown where to read it). */
  conclusion_ready?: boolean
  /** Ended: the doctor may go back in (ended by him, nothing signed, the room still open). */
  can_reopen?: boolean
}

export type Phase = 'loading' | 'error' | 'scheduled' | 'lobby' | 'open' | 'closed' | 'left'
export type MediaState = 'idle' | 'asking' | 'ready' | 'failed'
/** What the call looks like to the person: waiting for the other one, connecting, on, or recovering. */
export type ConnectionView = 'waiting' | 'connecting' | 'connected' | 'recovering'

export interface ChatMessage {
  id: number
  mine: boolean
  text: string
  /** ISO time (the server's for received messages). */
  at: string
}

export interface RoomMarks {
  /** Epoch ms when the server first answered this side's "join". */
  joined: number | null
  /** Epoch ms when this side learned that both are present in the open room. */
  bothPresent: number | null
  /** Epoch ms of the first offer sent or received here, the first answer, the first ICE connection. */
  offer: number | null
  answer: number | null
  connected: number | null
  /** Epoch ms of the first frame of the other one's video shown here. */
  firstRemoteFrame: number | null
}

export interface RoomState {
  phase: Phase
  info: RoomInfo | null
  /** Add to Date.now() to read the server's clock. */
  offset: number
  error: string
  errorCode: string
  peerPresent: boolean
  signaling: SignalingStatus | 'off'
  iceState: string
  connection: ConnectionView
  media: MediaState
  mediaError: string
  localStream: MediaStream | null
  remoteStream: MediaStream | null
  /** The guest's pairs in a three-way call (mesh.ts): each remote's stream by its role. */
  remotes: Partial<Record<Role, MediaStream>>
  micMuted: boolean
  cameraOff: boolean
  facing: 'user' | 'environment'
  cameraCount: number
  chat: ChatMessage[]
  bitrate: number
}

export function newRoomState(bitrate: number): RoomState {
  return shallowReactive<RoomState>({
    phase: 'loading',
    info: null,
    offset: 0,
    error: '',
    errorCode: '',
    peerPresent: false,
    signaling: 'off',
    iceState: 'new',
    connection: 'waiting',
    media: 'idle',
    mediaError: '',
    localStream: null,
    remoteStream: null,
    remotes: {},
    micMuted: false,
    cameraOff: false,
    facing: 'user',
    cameraCount: 0,
    chat: [],
    bitrate,
  })
}

export function newRoomMarks(): RoomMarks {
  return { joined: null, bothPresent: null, offer: null, answer: null, connected: null, firstRemoteFrame: null }
}

export function isHealthy(iceState: string): boolean {
  return iceState === 'connected' || iceState === 'completed'
}
