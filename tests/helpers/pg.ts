import pg from 'pg'
import { inject } from 'vitest'

// What a PostgreSQL suite needs from the global setup (pg-global-setup.ts): whether it runs, why not,
// and a database of its own on the test server.

const url = inject('pgUrl')

/** True when the suite must skip; it says why on standard error, once per file. */
export function pgMissing(): boolean {
  if (url) return false
  process.stderr.write(
    `PostgreSQL suites skipped: ${inject('pgWhyNot')}. Set PAYSYNC_PG_URL to a server whose user may ` +
      "create databases, or install Debian's postgresql and run the tests as root.\n",
  )
  return true
}

let made = 0

/**
 * A new empty database on the test server, and its address. `languageLocale` makes it sort text by
 * ICU's en-US rules ('a b' < 'alpha' < 'Zeta'), as a team's database made with a language locale does.
 */
export async function freshDatabase(
  prefix = 'paysync_test',
  options: { languageLocale?: boolean } = {},
): Promise<string> {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${made++}`
  const admin = new pg.Client(url)
  await admin.connect()
  try {
    await admin.query(
      options.languageLocale
        ? `CREATE DATABASE ${name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`
        : `CREATE DATABASE ${name}`,
    )
  } finally {
    await admin.end()
  }
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

/** The server's address with another user, password or database. */
export function serverUrl(parts: { user?: string; password?: string; database?: string } = {}): string {
  const u = new URL(url)
  if (parts.user !== undefined) u.username = parts.user
  if (parts.password !== undefined) u.password = parts.password
  if (parts.database !== undefined) u.pathname = `/${parts.database}`
  return u.toString()
}
