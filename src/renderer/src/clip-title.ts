// The whole text of a cut-off list cell (render.ts `clipped`) on hover, as the browser's own tooltip.
// One listener for the window: the title is set only on a cell the pointer reaches, and only when its
// text does not fit, so lists pay nothing for it while they render.

function onOver(e: MouseEvent): void {
  const cell = (e.target as Element | null)?.closest?.('.clip')
  if (!(cell instanceof HTMLElement)) return
  const text = cell.textContent?.trim() ?? ''
  if (cell.scrollWidth > cell.clientWidth && text) cell.title = text
  else cell.removeAttribute('title')
}

export function showClippedText(target: Document = document): void {
  target.addEventListener('mouseover', onOver, { passive: true })
}
