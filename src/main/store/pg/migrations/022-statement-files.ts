import { ddl } from './step'

// The PostgreSQL form of migration 022 (store/migrations/022-statement-files.ts): a statement's bill
// kept in the team database, its bytes one bytea value (PostgreSQL's limit for one is 1 GB; the
// service keeps none over store/statement-files.ts MAX_KEPT_BYTES).

export const statementFiles = ddl(`
  CREATE TABLE statement_files (
    statement_id bigint PRIMARY KEY REFERENCES statements(id),
    name text COLLATE "C" NOT NULL,
    sha256 text COLLATE "C" NOT NULL,
    size bigint NOT NULL,
    bytes bytea NOT NULL,
    created_at bigint NOT NULL
  );
`)
