import type { Ref } from 'vue'
import { useMessage } from 'naive-ui'
import { errorText } from '../format'

export interface ApiActionOptions {
  /** True while the work runs: the spinner of the button that started it. */
  busy?: Ref<boolean>
  /** Told of the failure before the toast: a field to mark, a stale view to clear. */
  onError?: (err: unknown) => void
}

/**
 * What a screen does with a call to main that a person started: a failure becomes a toast with main's
 * sentence in the window's language (`errorText`) and is not thrown further, since an event handler
 * that rejects would only reach the console. The returned `attempt` answers the work's value, or
 * `undefined` when it failed.
 */
export function useApiAction() {
  const message = useMessage()

  return async function attempt<T>(
    work: () => Promise<T>,
    options: ApiActionOptions = {},
  ): Promise<T | undefined> {
    const { busy, onError } = options
    if (busy) busy.value = true
    try {
      return await work()
    } catch (err) {
      onError?.(err)
      message.error(errorText(err))
      return undefined
    } finally {
      if (busy) busy.value = false
    }
  }
}
