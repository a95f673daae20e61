// The signed-in user: the API's short-lived token (sessionStorage, so it dies with the tab), renewed one minute
// before it expires through POST /auth/renew; the header shows what GET /auth/me answers.
import { reactive } from 'vue'
import { api } from './api/client'
import type { Me, Token } from './api/types'
import { router } from './router'

const STORAGE = 'fanzha.session'
const RENEW_BEFORE_MS = 60_000
const RENEW_NOT_BEFORE_SHARE = 0.5

interface Stored {
  token: string
  expiresAt: string
  me: Me
}

export const session = reactive<{ token: string | null; expiresAt: Date | null; me: Me | null }>({
  token: null,
  expiresAt: null,
  me: null,
})

let renewTimer: number | undefined

function keep(token: Token, me: Me): void {
  session.token = token.access_token
  session.expiresAt = new Date(token.expires_at)
  session.me = me
  const stored: Stored = { token: token.access_token, expiresAt: token.expires_at, me }
  sessionStorage.setItem(STORAGE, JSON.stringify(stored))
  scheduleRenewal()
}

// Renew a minute before expiry, but never in the first half of a token's life (short tokens are not renewed
// every second).
function scheduleRenewal(): void {
  window.clearTimeout(renewTimer)
  if (!session.expiresAt) return
  const left = session.expiresAt.getTime() - Date.now()
  const wait = Math.max(left - RENEW_BEFORE_MS, left * RENEW_NOT_BEFORE_SHARE, 1_000)
  renewTimer = window.setTimeout(() => void renew(), wait)
}

/** Exchange a fresh token for the current one; sign out when the API refuses. */
export async function renew(): Promise<void> {
  if (!session.token || !session.me) return
  try {
    const token = await api.post<Token>('/auth/renew', {})
    session.token = token.access_token
    keep(token, await api.get<Me>('/auth/me'))
  } catch {
    signOut(true)
  }
}

export async function signIn(username: string, password: string): Promise<void> {
  const token = await api.post<Token>('/auth/token', { username, password })
  session.token = token.access_token
  const me = await api.get<Me>('/auth/me')
  keep(token, me)
}

export function signOut(expired = false): void {
  window.clearTimeout(renewTimer)
  session.token = null
  session.expiresAt = null
  session.me = null
  sessionStorage.removeItem(STORAGE)
  const back = router.currentRoute.value.fullPath
  void router.push({ name: 'login', query: expired && back !== '/login' ? { next: back } : {} })
}

/** Take up the session this tab had (a reload), when its token has not expired. */
export function restoreSession(): void {
  const text = sessionStorage.getItem(STORAGE)
  if (!text) return
  const stored = JSON.parse(text) as Stored
  if (new Date(stored.expiresAt).getTime() <= Date.now()) {
    sessionStorage.removeItem(STORAGE)
    return
  }
  session.token = stored.token
  session.expiresAt = new Date(stored.expiresAt)
  session.me = stored.me
  scheduleRenewal()
}

/** Where a user lands after signing in: the dashboard when the API lets them read the figures, else the tasks. */
export function homePage(): string {
  return canRead('metrics') ? '/dashboard' : '/tasks'
}

/** Whether the API says this user's roles may read ``resource`` (GET /auth/me `reads`). */
export function canRead(resource: string): boolean {
  return !!session.me?.reads?.includes(resource)
}
