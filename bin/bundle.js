// Runs a TypeScript entry of this package as one bundled ES module, built on first use and again
// whenever a source file is newer than the bundle. A bundle starts in a fraction of the time tsx
// needs and runs without a module-loader hook in the way; tsx remains the fallback.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

function newestSource(dirs) {
  let newest = 0
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(p)
      else if (/\.(ts|js|json)$/.test(entry.name)) newest = Math.max(newest, fs.statSync(p).mtimeMs)
    }
  }
  for (const d of dirs) if (fs.existsSync(d)) walk(d)
  return Math.max(newest, fs.statSync(path.join(ROOT, 'package.json')).mtimeMs)
}

export async function runBundled(entry, outName, sourceDirs) {
  const out = path.join(ROOT, 'out', 'node', `${outName}.mjs`)
  try {
    const fresh =
      fs.existsSync(out) &&
      fs.statSync(out).mtimeMs >= newestSource(sourceDirs.map((d) => path.join(ROOT, d)))
    if (!fresh) {
      const { build } = await import('esbuild')
      // Written beside and renamed, so two processes starting at once never run a half-written file.
      const tmp = `${out}.${process.pid}.tmp.mjs`
      await build({
        entryPoints: [path.join(ROOT, entry)],
        outfile: tmp,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        packages: 'external',
        sourcemap: 'inline',
        logLevel: 'warning',
      })
      fs.renameSync(tmp, out)
    }
  } catch (err) {
    process.stderr.write(`(running from sources: ${err.message})\n`)
    const { register } = await import('tsx/esm/api')
    register()
    return import(pathToFileURL(path.join(ROOT, entry)).href)
  }
  return import(pathToFileURL(out).href)
}
