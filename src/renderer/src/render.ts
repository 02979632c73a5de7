import { h, type VNode } from 'vue'
import type { ScheduleHold } from '../../shared/domain'
import type { LabelGroup } from '../../shared/labels'
import { label, t } from './i18n'

// Small cell renderers shared by the lists: coloured status tags, links, amounts.

type TagType = 'default' | 'success' | 'warning' | 'error' | 'info' | 'primary'

export function gatewayStatusType(s: string | null | undefined): TagType {
  if (!s) return 'default'
  if (s === 'sync_error' || s === 'refund_abnormal' || s === 'pay_fail') return 'error'
  if (s.endsWith('success')) return 'success'
  if (s === 'pay_timeout' || s.endsWith('closed') || s.endsWith('not_found') || s === 'pay_refund')
    return 'warning'
  return 'info'
}

export function outcomeType(o: string | null | undefined): TagType {
  switch (o) {
    case 'consistent':
      return 'success'
    case 'repaired':
      return 'info'
    case 'anomaly':
      return 'warning'
    case 'error':
      return 'error'
    default:
      return 'default'
  }
}

export function tradeStatusType(s: string | null | undefined): TagType {
  switch (s) {
    case 'success':
      return 'success'
    case 'progress':
      return 'info'
    case 'fail':
      return 'error'
    default:
      return 'default'
  }
}

export function refundStatusType(s: string | null | undefined): TagType {
  switch (s) {
    case 'refunded':
      return 'warning'
    case 'partial_refund':
    case 'refunding':
      return 'info'
    default:
      return 'default'
  }
}

/** A table's scroll width: the sum of its columns' widths (a column without one adds nothing). */
export function columnsWidth(columns: readonly object[]): number {
  return columns.reduce<number>((n, c) => n + (('width' in c && Number(c.width)) || 0), 0)
}

export function anomalyStatusType(s: string | null | undefined): TagType {
  return s === 'open' ? 'warning' : s === 'resolved' ? 'success' : 'default'
}

export function batchStatusType(s: string | null | undefined): TagType {
  switch (s) {
    case 'running':
      return 'info'
    case 'done':
      return 'success'
    case 'paused':
    case 'interrupted':
      return 'warning'
    case 'cancelled':
      return 'default'
    default:
      return 'default'
  }
}

/** A coloured tag with the code's name; an em dash when there is no code. */
export function codeTag(
  group: LabelGroup,
  code: string | null | undefined,
  type: TagType = 'default',
): VNode | string {
  if (!code) return '—'
  return h('span', { class: `code-tag code-tag--${type}` }, label(group, code))
}

/** Why the schedules skip a trade (docs/domain.md 6.7): 定时同步：已暂停（批次 #12 已取消）. */
export function heldText(hold: ScheduleHold): string {
  return t('trades.held', { id: hold.batchId, status: label('batchStatus', hold.batchStatus) })
}

/** A text button inside a clickable row: it acts and keeps the row's own click from firing. */
export function link(text: string, onClick: () => void): VNode {
  return h(
    'button',
    {
      type: 'button',
      class: 'cell-link',
      onClick: (e: MouseEvent) => {
        e.stopPropagation()
        onClick()
      },
    },
    text,
  )
}

/** The name of a status a repair or anomaly carries: pay, pay refund or refund status. */
export function statusName(tradeType: string, code: string | null | undefined): string {
  if (!code) return ''
  if (tradeType === 'refund') return label('refundStatus', code)
  const pay = label('payStatus', code)
  return pay !== code ? pay : label('payRefundStatus', code)
}

/**
 * Row props that open a detail on click, except when the click ticks the row's checkbox, hits a
 * button or link inside the row, or ends a text selection (people copy order numbers from lists).
 */
export function openOnClick(open: () => void): { style: string; onClick: (e: MouseEvent) => void } {
  return {
    style: 'cursor: pointer',
    onClick: (e: MouseEvent) => {
      const target = e.target as HTMLElement | null
      if (target?.closest('.n-data-table-td--selection, button, a, .n-switch, .n-checkbox')) return
      if (window.getSelection()?.toString()) return
      open()
    },
  }
}

/**
 * A cell cut off with an ellipsis; hovering it shows the whole text (clip-title.ts). Plain CSS: a page
 * of ellipsis components, even ones that mount their tooltip on hover only, was a tenth of the time
 * until a list's first rows showed.
 */
export const clipped = { className: 'clip' } as const
