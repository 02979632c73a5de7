import type { Db } from '../db'

// When the gateway says the money moved (a payment's paid time, a refund's finish time), as the
// anomaly was last seen. A person who decides "paid" or "refunded" records that time, not the moment
// of the click: period cut-offs and reconciliation against the gateway's bills depend on it.
export function anomalyGatewayTime(db: Db): void {
  db.exec('ALTER TABLE anomalies ADD COLUMN gateway_time INTEGER')
}
