import { vi } from 'vitest'

// Every component test talks to the fake API instead of main: the screens' only way out is the
// bridge module, so it is the one thing replaced, here once for all of tests/renderer. Each test file
// calls installFakeApi() in beforeEach and answers what its screen asks.
vi.mock('../../src/renderer/src/bridge', async () => (await import('./helpers')).fakeBridge)
