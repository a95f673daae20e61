// One way for a list page to load its rows: now, and again whenever its filters change.
import { ref, watch, type Ref, type WatchSource } from 'vue'

/** Runs `load` at once and whenever `source` changes; a failure is shown in the returned error text. */
export function reloadOn(source: WatchSource<unknown> | object, load: () => Promise<void>): Ref<string> {
  const error = ref('')
  watch(
    source as WatchSource<unknown>,
    async () => {
      error.value = ''
      try {
        await load()
      } catch (failure) {
        error.value = String(failure)
      }
    },
    { immediate: true },
  )
  return error
}
