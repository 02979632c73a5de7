import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CONTENT_SECURITY_POLICY } from '../../src/shared/csp'

// The policy is one constant; the page's own meta tag is the one copy the build cannot import.

const directives = (policy: string) =>
  policy
    .split(';')
    .map((d) => d.trim().replace(/\s+/g, ' '))
    .filter(Boolean)

describe('the Content-Security-Policy', () => {
  it('in the meta tag of the screens is the one the window and browser mode send', () => {
    const html = fs.readFileSync('src/renderer/index.html', 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)
    expect(meta, 'index.html has the policy as a meta tag').not.toBeNull()
    // Browsers ignore frame-ancestors in a meta tag: only the headers can carry it.
    const sent = directives(CONTENT_SECURITY_POLICY).filter((d) => !d.startsWith('frame-ancestors'))
    expect(directives(meta![1]!)).toEqual(sent)
  })

  it('allows scripts from the app only', () => {
    expect(directives(CONTENT_SECURITY_POLICY)).toContain("script-src 'self'")
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/)
    expect(directives(CONTENT_SECURITY_POLICY)).toContain("frame-ancestors 'none'")
  })
})
