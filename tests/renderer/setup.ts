import { afterAll, vi } from 'vitest'

// Every component test talks to the fake API instead of main: the screens' only way out is the
// bridge module, so it is the one thing replaced, here once for all of tests/renderer. Each test file
// calls installFakeApi() in beforeEach and answers what its screen asks.
vi.mock('../../src/renderer/src/bridge', async () => (await import('./helpers')).fakeBridge)

// naive-ui's messages hide on a window timer that their unmount does not clear (8 s for the note
// that the window left the sandbox). One still pending when a file's last test ended fired after
// happy-dom's window was gone: "window is not defined", an unhandled error that failed a CI run with
// every test passed. The window timers a file leaves are cleared when it ends.
const pending = new Set<number>()
const setWindowTimeout = window.setTimeout.bind(window)
window.setTimeout = ((handler: TimerHandler, timeout?: number, ...args: unknown[]) => {
  const id: number = setWindowTimeout(
    (...a: unknown[]) => {
      pending.delete(id)
      if (typeof handler === 'function') (handler as (...b: unknown[]) => void)(...a)
    },
    timeout,
    ...args,
  )
  pending.add(id)
  return id
}) as typeof window.setTimeout
afterAll(() => {
  for (const id of pending) window.clearTimeout(id)
  pending.clear()
})
