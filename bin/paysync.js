#!/usr/bin/env node
// The `paysync` command: runs the TypeScript sources through tsx, so it works in a checkout right
// after `npm install` with no build step.
import { register } from 'tsx/esm/api'

register()
await import('../src/main/server/cli/main.ts')
