import type { Db } from '../db'

// A cancelled or paused batch is left alone, by the schedules too (docs/domain.md 6.7): each trade
// names the batch whose pause or cancel keeps it out of them, until a person takes it back. The
// schedules' due index leaves held trades out, so their query reads only what it will sync; the
// held ones have indexes of their own: by batch for the batch's count, and by creation time for the
// lists' filter, newest first, without sorting them all.
export function scheduleHolds(db: Db): void {
  db.exec(`
    ALTER TABLE pay_orders ADD COLUMN held_by_batch INTEGER;
    ALTER TABLE refund_orders ADD COLUMN held_by_batch INTEGER;

    DROP INDEX idx_pay_orders_due;
    CREATE INDEX idx_pay_orders_due ON pay_orders (next_sync_at)
      WHERE status = 'progress' AND held_by_batch IS NULL;
    DROP INDEX idx_refund_orders_due;
    CREATE INDEX idx_refund_orders_due ON refund_orders (next_sync_at)
      WHERE status = 'progress' AND held_by_batch IS NULL;

    CREATE INDEX idx_pay_orders_held ON pay_orders (held_by_batch) WHERE held_by_batch IS NOT NULL;
    CREATE INDEX idx_refund_orders_held ON refund_orders (held_by_batch) WHERE held_by_batch IS NOT NULL;
    CREATE INDEX idx_pay_orders_held_created ON pay_orders (created_at) WHERE held_by_batch IS NOT NULL;
    CREATE INDEX idx_refund_orders_held_created ON refund_orders (created_at) WHERE held_by_batch IS NOT NULL;
  `)
}
