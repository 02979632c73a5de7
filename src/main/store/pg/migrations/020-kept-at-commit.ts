import { ddl } from './step'

// The PostgreSQL form of migration 020 (store/migrations/020-kept-at-commit.ts): the kept totals'
// triggers of migration 012 run at COMMIT instead of at each row (the same functions, the same
// conditions, deferred constraint triggers). Every attempt of one merchant and outcome adds to the same
// kept rows, and an upsert holds its row until its transaction ends: run at the row, the kept row was
// held through the rest of the attempt's write and its commit, and a team database's attempts wrote one
// after another (a nightly pass at 0.4 of its pace, `npm run bench -- --only sync-pg`). Run at the
// commit, the row is held only for the commit itself; every trigger event still carries its row as it
// was then, so a row changed twice in one transaction is counted as before. The copy's `DISABLE
// TRIGGER USER` covers them (store/copy/pg-side.ts). The names stay: tests/pg/schema.test.ts compares
// the triggers of both stores by name.

export const keptAtCommit = ddl(`
  DO $$
  DECLARE r record;
  BEGIN
    FOR r IN
      SELECT tgname, tgrelid::regclass AS tbl, pg_get_triggerdef(oid) AS def
        FROM pg_trigger
       WHERE NOT tgisinternal AND tgname ~ '_kept_(insert|delete|update)$'
    LOOP
      EXECUTE format('DROP TRIGGER %I ON %s', r.tgname, r.tbl);
      EXECUTE replace(replace(r.def, 'CREATE TRIGGER', 'CREATE CONSTRAINT TRIGGER'),
                      ' FOR EACH ROW', ' DEFERRABLE INITIALLY DEFERRED FOR EACH ROW');
    END LOOP;
  END $$;
`)
