// Code the first screen does not need (the other screens, the detail drawers) is fetched and run
// after that screen is shown, one module per idle moment of the browser, so that neither the first
// rows nor a click meanwhile wait for it, and a later move to another screen finds its code loaded.

/** A screen without a list has no first page to wait for: its deferred code goes after this. */
const FALLBACK_MS = 3000

let markShown!: () => void
const firstScreenShown = new Promise<void>((resolve) => {
  markShown = resolve
  setTimeout(resolve, FALLBACK_MS)
})

/** The first screen's rows are painted (usePagedList): deferred code may run from now on. */
export function screenShown(): void {
  markShown()
}

function idle(): Promise<void> {
  return new Promise((resolve) =>
    typeof requestIdleCallback === 'function'
      ? requestIdleCallback(() => resolve(), { timeout: 2000 })
      : setTimeout(resolve, 50),
  )
}

/**
 * Runs each loader in an idle moment once the first screen is shown. A loader that fails (the
 * server went away) is left: the screen that needs its module asks again and reports the failure.
 */
export function whenIdle(loaders: ReadonlyArray<() => Promise<unknown>>): void {
  void firstScreenShown.then(async () => {
    for (const load of loaders) {
      await idle()
      await load().catch(() => undefined)
    }
  })
}
