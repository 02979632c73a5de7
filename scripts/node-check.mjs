// The Node.js the desktop start needs. Electron's install.js loads @electron/get, an ES module, with
// require(): Node runs that without a flag from 20.19 on the 20 line and from 22.12 on (22.0 to 22.11
// and 21 do not), and process.features.require_module says whether this Node does. Electron's
// packages declare 22.12+, yet the download, the native rebuild and electron-vite were run on 20.20
// against a loopback mirror (tests/app/desktop-start.test.ts), so 20.19+ works. Vite 8, which npm test
// and the screens' build need, has the same floor: ^20.19.0 || >=22.12.0, as package.json engines says.
/**
 * One sentence when this Node cannot start the desktop app, else null.
 * @param {string} version process.versions.node
 * @param {boolean | undefined} requireModule process.features.require_module (absent before 20.19)
 * @returns {string | null}
 */
export function desktopNodeProblem(
  version = process.versions.node,
  requireModule = process.features.require_module,
) {
  if (requireModule === true) return null
  const [major = 0, minor = 0] = version.split('.').map(Number)
  const recentEnough = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major >= 23
  if (recentEnough) {
    return (
      `Node.js ${version} runs with require(esm) turned off (--no-experimental-require-module, perhaps in ` +
      `NODE_OPTIONS), which Electron's download tool needs: start again without that flag.`
    )
  }
  return (
    `The desktop app needs Node.js 20.19+ or 22.12+ (Electron's download tool loads ES modules with ` +
    `require()) and this is Node.js ${version}: install Node.js 22 LTS or newer and run npm rebuild.`
  )
}
