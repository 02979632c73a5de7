import { z } from 'zod'

// A column mapping: which field of an import each header of a file holds, for the files whose headers
// the aliases of docs/cli.md section 3 do not know. Saved per source system by the window's mapping
// editor, read from `--mapping FILE` on the command line, checked by the contract where it enters main.

export const IMPORT_FIELDS = [
  'orderNo',
  'bizOrderNo',
  'gatewayTradeNo',
  'merchant',
  'channel',
  'amountFen',
  'amountYuan',
  'status',
  'title',
  'kind',
  'createdAt',
  'expiredAt',
  'paidAt',
  'refundNo',
  'bizRefundNo',
  'gatewayRefundNo',
  'refundAmountFen',
  'refundAmountYuan',
] as const
export type ImportField = (typeof IMPORT_FIELDS)[number]

export const mappingSchema = z.object({
  /** Header as it appears in the file -> the field it holds (or null to ignore the column). */
  columns: z.record(z.string(), z.enum(IMPORT_FIELDS).nullable()).default({}),
  /** Values for the whole file, when it has no such column. */
  defaults: z
    .object({
      merchant: z.string().optional(),
      channel: z.string().optional(),
      status: z.string().optional(),
    })
    .default({}),
})
export type ColumnMapping = z.infer<typeof mappingSchema>
/** A mapping as a caller writes it: both parts may be left out. */
export type ColumnMappingInput = z.input<typeof mappingSchema>
