#!/usr/bin/env node
// `npm run bench`: the speed and memory figures of the README, each beside its limit and goal. Runs
// bundled, as the desktop app runs, so that no loader hook is measured with the engine.
import { runBundled } from './bundle.js'

await runBundled('bench/main.ts', 'bench', ['bench', 'src/main', 'src/shared'])
