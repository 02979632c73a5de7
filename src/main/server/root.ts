import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The folder of this package (where package.json is), from sources or from a bundle in out/. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const manifest = path.join(dir, 'package.json')
    if (fs.existsSync(manifest) && /"name":\s*"paysync-desk"/.test(fs.readFileSync(manifest, 'utf8')))
      return dir
    const up = path.dirname(dir)
    if (up === dir) throw new Error('cannot find the PaySync Desk package folder')
    dir = up
  }
}
