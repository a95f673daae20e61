// The one way the console talks to the API: same origin, JSON, the session's bearer token, problem+json errors.
import { session, signOut } from '../session'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

type Query = Record<string, string | number | boolean | null | undefined | string[]>

function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === '') continue
    for (const one of Array.isArray(value) ? value : [value]) params.append(name, String(one))
  }
  const text = params.toString()
  return text ? `${path}?${text}` : path
}

async function send<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (session.token) headers.Authorization = `Bearer ${session.token}`
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const answer = await fetch(withQuery(`/api/v1${path}`, query), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (answer.status === 401 && session.token && path !== '/auth/token') signOut(true)
  if (!answer.ok) {
    let detail = answer.statusText
    try {
      const problem = (await answer.json()) as { detail?: unknown; title?: string }
      detail = typeof problem.detail === 'string' ? problem.detail : (problem.title ?? detail)
    } catch {
      // not JSON: keep the status text
    }
    throw new ApiError(answer.status, detail)
  }
  if (answer.status === 204) return undefined as T
  return (await answer.json()) as T
}

/** Download a list as an Excel workbook made by the server (GET /exports/xlsx?list=…, the list's own filters). */
async function exportList(list: string, query: Query = {}): Promise<void> {
  const headers: Record<string, string> = session.token ? { Authorization: `Bearer ${session.token}` } : {}
  const answer = await fetch(withQuery('/api/v1/exports/xlsx', { ...query, list }), { headers })
  if (!answer.ok) throw new ApiError(answer.status, answer.statusText)
  const name = /filename="([^"]+)"/.exec(answer.headers.get('Content-Disposition') ?? '')?.[1] ?? `${list}.xlsx`
  const link = document.createElement('a')
  link.href = URL.createObjectURL(await answer.blob())
  link.download = name
  link.click()
  URL.revokeObjectURL(link.href)
}

export const api = {
  get: <T>(path: string, query?: Query) => send<T>('GET', path, undefined, query),
  post: <T>(path: string, body: unknown, query?: Query) => send<T>('POST', path, body, query),
  exportList,
}
