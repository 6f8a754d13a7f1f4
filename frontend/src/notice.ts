import { ref } from 'vue'

/** A one-time message carried to the next page (e.g. «Пароль сохранён» after a change). */
export type NoticeKey = 'notice.passwordChanged'

const pendingNotice = ref<NoticeKey | null>(null)

export function setNotice(key: NoticeKey): void {
  pendingNotice.value = key
}

/** Returns the message once and forgets it. */
export function takeNotice(): NoticeKey | null {
  const key = pendingNotice.value
  pendingNotice.value = null
  return key
}
