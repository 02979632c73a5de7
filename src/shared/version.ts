// The version of this build, as package.json says. npm's `npm_package_version` is set only while
// npm runs a script, so a packaged app or a `paysync` started from cron would not see it. The
// bundlers (electron-vite, bin/bundle.js) keep only this field of package.json.
export { version as APP_VERSION } from '../../package.json'
