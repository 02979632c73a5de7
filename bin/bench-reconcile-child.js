#!/usr/bin/env node
// One reconciliation of `npm run bench` in a process of its own (its peak memory is its own).
import { runBundled } from './bundle.js'

await runBundled('bench/reconcile-child.ts', 'bench-reconcile-child', ['bench', 'src/main', 'src/shared'])
