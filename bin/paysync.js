#!/usr/bin/env node
// The `paysync` command. Works in a checkout right after `npm install`, with no build step: the
// sources are bundled on first use (bin/bundle.js).
import { runBundled } from './bundle.js'

await runBundled('src/main/server/cli/main.ts', 'paysync', ['src/main', 'src/shared'], {
  'import-worker': 'src/main/files/import/worker.ts',
})
