// Money in minor units, times in the viewer's clock, deadlines as countdowns.
import { ref } from 'vue'
import { locale } from './i18n'

/** `amount_minor` (fen for CNY) written as money, e.g. ¥35,000.00. */
export function money(amountMinor: number | null | undefined, currency = 'CNY'): string {
  if (amountMinor === null || amountMinor === undefined) return '—'
  return new Intl.NumberFormat(locale.value, { style: 'currency', currency, currencyDisplay: 'narrowSymbol' }).format(
    amountMinor / 100,
  )
}

export function moneyOf(amounts: Record<string, number> | undefined): string {
  const entries = Object.entries(amounts ?? {})
  if (!entries.length) return money(0)
  return entries.map(([currency, amount]) => money(amount, currency)).join(' + ')
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—'
  return new Date(iso).toLocaleString(locale.value, { hour12: false })
}

/** A clock that ticks every second, for countdowns. */
export const now = ref(Date.now())
window.setInterval(() => (now.value = Date.now()), 1_000)

export function span(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000)
  const days = Math.floor(total / 86400)
  const hours = Math.floor((total % 86400) / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const seconds = total % 60
  const clock = `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`
  return days ? `${days}d ${clock}` : clock
}

export function duration(seconds: number): string {
  return span(seconds * 1000)
}
