#!/usr/bin/env node
// One measured task of `npm run bench`, in a process of its own (its peak memory is its own).
import { runBundled } from './bundle.js'

await runBundled('bench/child.ts', 'bench-child', ['bench', 'src/main', 'src/shared'])
