import path from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../src/main/store/connection'
import { MIGRATIONS } from '../../src/main/store/migrations'
import { tempDir } from '../helpers/world'

// Migration 7 adds who did it (system user, transport) to repairs, anomalies, batches and the audit
// log. Rows written before say what can be told of them and nothing more.

describe('migration 7: who did it, on older rows', () => {
  it('reads the command line from cli:<user>, the app schedule from a repair with no operator', () => {
    const file = path.join(tempDir(), 'who.db')
    const raw = new Database(file)
    for (const m of MIGRATIONS.slice(0, 6)) m(raw)
    raw.pragma('user_version = 6')
    raw.exec(`
      INSERT INTO merchants (id, name, channel, endpoint, created_at, updated_at) VALUES (1, 'm', 'alipay', 'https://x', 1, 1);
      INSERT INTO repair_records (repair_no, trade_type, trade_id, trade_no, source, way, channel, merchant_id,
        before_status, after_status, operator, created_at) VALUES
        ('R1', 'pay', 1, 'A1', 'schedule', 'pay_success', 'alipay', 1, 'progress', 'success', 'cli:root', 1),
        ('R2', 'pay', 2, 'A2', 'schedule', 'pay_success', 'alipay', 1, 'progress', 'success', NULL, 1),
        ('R3', 'pay', 3, 'A3', 'timeout', 'pay_close_local', 'alipay', 1, 'progress', 'close', NULL, 1),
        ('R4', 'pay', 4, 'A4', 'batch', 'pay_success', 'alipay', 1, 'progress', 'success', '张会计', 1),
        ('R5', 'pay', 5, 'A5', 'anomaly', 'manual_pay_success', 'alipay', 1, 'close', 'success', NULL, 1);
      INSERT INTO audit_log (operator, action, target, created_at) VALUES
        ('cli:cron', 'batch_started', 'batch:1', 1), ('张会计', 'settings_changed', NULL, 2);
    `)
    raw.close()

    const db = openStore(file)
    try {
      expect(
        db
          .prepare('SELECT repair_no, operator, system_user, transport FROM repair_records ORDER BY id')
          .all(),
      ).toEqual([
        { repair_no: 'R1', operator: 'cli:root', system_user: 'root', transport: 'cli' },
        { repair_no: 'R2', operator: null, system_user: null, transport: 'schedule' },
        { repair_no: 'R3', operator: null, system_user: null, transport: 'schedule' },
        { repair_no: 'R4', operator: '张会计', system_user: null, transport: null },
        { repair_no: 'R5', operator: null, system_user: null, transport: null },
      ])
      expect(db.prepare('SELECT operator, system_user, transport FROM audit_log ORDER BY id').all()).toEqual([
        { operator: 'cli:cron', system_user: 'cron', transport: 'cli' },
        { operator: '张会计', system_user: null, transport: null },
      ])
    } finally {
      db.close()
    }
  })
})
