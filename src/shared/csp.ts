// The Content-Security-Policy of the screens, wherever they are served: the desktop window (every
// response of its session, app/window.ts) and browser mode (the page's header, server/http/server.ts).
// src/renderer/index.html carries it too, as a meta tag, for a page opened before either applies;
// a test keeps that copy equal to this one (a meta tag cannot say frame-ancestors, so it leaves it out).
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // naive-ui writes its styles at run time (css-render), so inline styles are allowed; scripts are not.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')
