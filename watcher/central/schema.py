"""The central database's schema: PostgreSQL, in schema `kinerja`, built by named migrations.

One database holds a kabupaten (or a province with its kabupaten): a registry of regions and
offices (stable ids, their name history, the public key each office signs its bundles with),
and append-only tables of what the offices sent: `events` (each office's hash chain, one row per
(office, seq)), `quarantine` (a different event under a sequence the centre already holds),
`submissions` (the readings of approved versions) and `profiles` (the office's SOP and master
workbook, the rules its figures are computed under).

Every table the offices write is insert-and-select only: no role is granted UPDATE, DELETE or
TRUNCATE, and triggers refuse them for the owner too. Row-level security decides whose rows a
role sees: an office's role its own, a kabupaten's role its offices', a province's role its
kabupaten's offices'. An office's role may insert only its own rows; `events` checks each
office's chain as it arrives (sequence without a gap, previous hash, hash over the raw bytes).

Migrations are applied like the office store's (`watcher.record.store`): each in one
transaction with its row in `kinerja.migrations`; a name is never changed, only added.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA = "kinerja"
GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class CentralMigration:
    name: str
    sql: str


_REGISTRY = """
CREATE TABLE kinerja.regions (
    region_id text PRIMARY KEY CHECK (region_id ~ '^[A-Za-z0-9._-]{1,40}$'),
    kind text NOT NULL CHECK (kind IN ('provinsi', 'kabupaten')),
    name text NOT NULL,
    parent_id text REFERENCES kinerja.regions,
    role_name text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE kinerja.offices (
    office_id text PRIMARY KEY CHECK (office_id ~ '^[A-Za-z0-9._-]{1,40}$'),
    region_id text NOT NULL REFERENCES kinerja.regions,
    role_name text NOT NULL UNIQUE,
    public_key text NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE kinerja.office_names (
    office_id text NOT NULL REFERENCES kinerja.offices,
    name text NOT NULL,
    valid_from timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (office_id, valid_from)
);

-- The office the current role is (NULL for any other role), and the offices it may read.
CREATE FUNCTION kinerja.own_office() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = kinerja, pg_temp AS $$
    SELECT office_id FROM kinerja.offices WHERE role_name = session_user
$$;
CREATE FUNCTION kinerja.readable_offices() RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = kinerja, pg_temp AS $$
    SELECT o.office_id FROM kinerja.offices o WHERE o.role_name = session_user
    UNION
    SELECT o.office_id FROM kinerja.offices o
      JOIN kinerja.regions k ON k.region_id = o.region_id
      LEFT JOIN kinerja.regions p ON p.region_id = k.parent_id
     WHERE k.role_name = session_user OR p.role_name = session_user
$$;
"""


def _receive_events(*, replace: bool = False, security: str = "", guard: str = "") -> str:
    """`kinerja.receive_events`, as created (002) and as each later migration redefines it."""
    return _RECEIVE_EVENTS.format(
        create="CREATE OR REPLACE" if replace else "CREATE", security=security, guard=guard
    )


_RECEIVE_EVENTS = """
-- One call per batch: events already held with the same hash are skipped, a different event
-- under a held sequence is quarantined (and the batch stops there), the rest are appended.
-- Calls for one office take turns, so two deliveries of the same batch cannot race.
{create} FUNCTION kinerja.receive_events(
    p_office text, p_seq bigint[], p_prev text[], p_hash text[], p_raw bytea[]
) RETURNS TABLE (stored integer, duplicates integer, quarantined integer, high_water bigint)
LANGUAGE plpgsql {security} SET search_path = kinerja, pg_temp AS $$
DECLARE
    i integer;
    held text;
BEGIN
{guard}    stored := 0; duplicates := 0; quarantined := 0;
    PERFORM pg_advisory_xact_lock(hashtext('kinerja.events:' || p_office));
    FOR i IN 1 .. coalesce(array_length(p_seq, 1), 0) LOOP
        SELECT e.row_hash INTO held FROM kinerja.events e
         WHERE e.office_id = p_office AND e.seq = p_seq[i];
        IF held IS NULL THEN
            INSERT INTO kinerja.events (office_id, seq, prev_hash, row_hash, raw)
            VALUES (p_office, p_seq[i], p_prev[i], p_hash[i], p_raw[i]);
            stored := stored + 1;
        ELSIF held = p_hash[i] THEN
            duplicates := duplicates + 1;
        ELSE
            INSERT INTO kinerja.quarantine (office_id, seq, prev_hash, row_hash, raw, held_hash)
            VALUES (p_office, p_seq[i], p_prev[i], p_hash[i], p_raw[i], held)
            ON CONFLICT DO NOTHING;
            quarantined := quarantined + 1;
            EXIT;
        END IF;
    END LOOP;
    SELECT coalesce(max(e.seq), 0) INTO high_water FROM kinerja.events e
     WHERE e.office_id = p_office;
    RETURN NEXT;
END $$;

"""

_EVENTS = (
    """
CREATE TABLE kinerja.events (
    office_id text NOT NULL REFERENCES kinerja.offices,
    seq bigint NOT NULL CHECK (seq > 0),
    prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    row_hash text NOT NULL CHECK (row_hash ~ '^[0-9a-f]{64}$'),
    raw bytea NOT NULL,
    at_utc timestamptz,
    outcome text,
    division text,
    year integer,
    period integer,
    step integer,
    file_hash text,
    received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (office_id, seq)
);
CREATE INDEX events_by_period ON kinerja.events (office_id, year, period);

CREATE TABLE kinerja.quarantine (
    id bigserial PRIMARY KEY,
    office_id text NOT NULL REFERENCES kinerja.offices,
    seq bigint NOT NULL,
    prev_hash text NOT NULL,
    row_hash text NOT NULL,
    raw bytea NOT NULL,
    held_hash text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (office_id, seq, row_hash)
);

-- Each event is checked as it arrives: its sequence follows the office's last one, its
-- previous hash is that event's hash, its hash covers its raw bytes, and its columns are read
-- from those bytes (never taken from the sender).
CREATE FUNCTION kinerja.check_event() RETURNS trigger
LANGUAGE plpgsql SET search_path = kinerja, pg_temp AS $$
DECLARE
    before_hash text;
    fields jsonb;
BEGIN
    IF NEW.seq = 1 THEN
        before_hash := repeat('0', 64);
    ELSE
        SELECT row_hash INTO before_hash FROM kinerja.events
         WHERE office_id = NEW.office_id AND seq = NEW.seq - 1;
        IF before_hash IS NULL THEN
            RAISE EXCEPTION 'kejadian %/% datang sebelum kejadian %', NEW.office_id, NEW.seq,
                NEW.seq - 1 USING ERRCODE = 'KN001';
        END IF;
    END IF;
    IF NEW.prev_hash <> before_hash THEN
        RAISE EXCEPTION 'kejadian %/% tidak menyambung ke kejadian sebelumnya', NEW.office_id,
            NEW.seq USING ERRCODE = 'KN002';
    END IF;
    IF encode(sha256(convert_to(NEW.prev_hash, 'UTF8') || NEW.raw), 'hex') <> NEW.row_hash THEN
        RAISE EXCEPTION 'hash kejadian %/% tidak sesuai isinya', NEW.office_id, NEW.seq
            USING ERRCODE = 'KN003';
    END IF;
    BEGIN
        fields := convert_from(NEW.raw, 'UTF8')::jsonb;
    EXCEPTION WHEN others THEN
        RAISE EXCEPTION 'isi kejadian %/% bukan JSON', NEW.office_id, NEW.seq
            USING ERRCODE = 'KN003';
    END;
    IF jsonb_typeof(fields) <> 'object' OR (fields->>'id')::bigint IS DISTINCT FROM NEW.seq THEN
        RAISE EXCEPTION 'isi kejadian %/% menyebut nomor lain', NEW.office_id, NEW.seq
            USING ERRCODE = 'KN003';
    END IF;
    NEW.at_utc := (fields->>'at_utc')::timestamptz;
    NEW.outcome := fields->>'outcome';
    NEW.division := fields->>'division';
    NEW.year := (fields->>'year')::integer;
    NEW.period := (fields->>'quarter')::integer;
    NEW.step := (fields->>'step')::integer;
    NEW.file_hash := fields->>'file_hash';
    NEW.received_at := clock_timestamp();
    RETURN NEW;
END $$;
CREATE TRIGGER events_checked BEFORE INSERT ON kinerja.events
    FOR EACH ROW EXECUTE FUNCTION kinerja.check_event();

"""
    + _receive_events()
    + """
CREATE FUNCTION kinerja.high_water(p_office text) RETURNS bigint
LANGUAGE sql STABLE SET search_path = kinerja, pg_temp AS $$
    SELECT coalesce(max(seq), 0) FROM kinerja.events WHERE office_id = p_office
$$;
"""
)

_DOCUMENTS = """
-- The readings of one approved version (its workbook's SHA-256), as the office read them.
CREATE TABLE kinerja.submissions (
    office_id text NOT NULL REFERENCES kinerja.offices,
    file_hash text NOT NULL CHECK (file_hash ~ '^[0-9a-f]{64}$'),
    content_hash text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    body jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (office_id, file_hash, content_hash)
);
-- The office's rules: its name, SOP file and master workbook, as of when it sent them.
CREATE TABLE kinerja.profiles (
    office_id text NOT NULL REFERENCES kinerja.offices,
    content_hash text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    body jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (office_id, content_hash)
);
"""

_APPEND_ONLY = """
CREATE FUNCTION kinerja.refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'tabel % hanya boleh ditambah, tidak boleh diubah atau dihapus',
        TG_TABLE_NAME USING ERRCODE = 'KN004';
END $$;
""" + "".join(
    f"""
CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON kinerja.{table}
    FOR EACH ROW EXECUTE FUNCTION kinerja.refuse_change();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON kinerja.{table}
    FOR EACH STATEMENT EXECUTE FUNCTION kinerja.refuse_change();
"""
    for table in ("events", "quarantine", "submissions", "profiles", "office_names")
)

_OFFICE_TABLES = ("events", "quarantine", "submissions", "profiles", "office_names")

_SECURITY = (
    """
REVOKE ALL ON SCHEMA kinerja FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA kinerja FROM PUBLIC;
"""
    + "".join(
        f"""
ALTER TABLE kinerja.{table} ENABLE ROW LEVEL SECURITY;
CREATE POLICY {table}_read ON kinerja.{table} FOR SELECT
    USING (office_id IN (SELECT kinerja.readable_offices()));
CREATE POLICY {table}_write ON kinerja.{table} FOR INSERT
    WITH CHECK (office_id = kinerja.own_office());
"""
        for table in _OFFICE_TABLES
    )
    + """
ALTER TABLE kinerja.offices ENABLE ROW LEVEL SECURITY;
CREATE POLICY offices_read ON kinerja.offices FOR SELECT
    USING (office_id IN (SELECT kinerja.readable_offices()));
ALTER TABLE kinerja.regions ENABLE ROW LEVEL SECURITY;
CREATE POLICY regions_read ON kinerja.regions FOR SELECT USING (true);
"""
)

# The policies call these once per statement, i.e. per row that `receive_events` stores: as SQL
# functions their queries were planned again on every call (~0.4 ms each, most of an office's
# cost per event). plpgsql keeps each session's plan; what they return is unchanged.
_CACHED_POLICY_FUNCTIONS = """
CREATE OR REPLACE FUNCTION kinerja.own_office() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = kinerja, pg_temp AS $$
BEGIN
    RETURN (SELECT office_id FROM kinerja.offices WHERE role_name = session_user);
END $$;
CREATE OR REPLACE FUNCTION kinerja.readable_offices() RETURNS SETOF text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = kinerja, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT o.office_id FROM kinerja.offices o WHERE o.role_name = session_user
    UNION
    SELECT o.office_id FROM kinerja.offices o
      JOIN kinerja.regions k ON k.region_id = o.region_id
      LEFT JOIN kinerja.regions p ON p.region_id = k.parent_id
     WHERE k.role_name = session_user OR p.role_name = session_user;
END $$;
"""

# `receive_events` runs as the schema's owner, so an office's role needs no INSERT on quarantine
# (with it, an office could fill its own quarantine with rows no delivery sent); the function
# checks itself that an office's role sends only its own events, which row-level security
# checked while it ran as the caller. Existing office roles lose the grant here, new ones never
# get it (OFFICE_GRANTS).
_RECEIVE_AS_OWNER = (
    _receive_events(
        replace=True,
        security="SECURITY DEFINER",
        guard="""    IF kinerja.own_office() IS DISTINCT FROM p_office
       AND EXISTS (SELECT 1 FROM kinerja.offices WHERE role_name = session_user) THEN
        RAISE EXCEPTION 'kantor % tidak boleh mengirim kejadian kantor %', kinerja.own_office(),
            p_office USING ERRCODE = '42501';
    END IF;
""",
    )
    + """
REVOKE ALL ON FUNCTION kinerja.receive_events(text, bigint[], text[], text[], bytea[]) FROM PUBLIC;
DO $$
DECLARE office record;
BEGIN
    FOR office IN SELECT o.role_name FROM kinerja.offices o
                  JOIN pg_roles r ON r.rolname = o.role_name LOOP
        EXECUTE format('REVOKE INSERT ON kinerja.quarantine FROM %I', office.role_name);
        EXECUTE format('REVOKE USAGE ON SEQUENCE kinerja.quarantine_id_seq FROM %I',
                       office.role_name);
    END LOOP;
END $$;
"""
)

MIGRATIONS: tuple[CentralMigration, ...] = (
    CentralMigration("001_registry", _REGISTRY),
    CentralMigration("002_events", _EVENTS),
    CentralMigration("003_documents", _DOCUMENTS),
    CentralMigration("004_append_only", _APPEND_ONLY),
    CentralMigration("005_row_level_security", _SECURITY),
    CentralMigration("006_cached_policy_functions", _CACHED_POLICY_FUNCTIONS),
    CentralMigration("007_receive_as_owner", _RECEIVE_AS_OWNER),
)

# What a role is granted, by kind: offices write their own rows, regions only read.
OFFICE_GRANTS = (
    "GRANT USAGE ON SCHEMA kinerja TO {role}",
    "GRANT SELECT ON kinerja.offices, kinerja.regions TO {role}",
    "GRANT SELECT, INSERT ON kinerja.events, kinerja.submissions, kinerja.profiles, "
    "kinerja.office_names TO {role}",
    "GRANT SELECT ON kinerja.quarantine TO {role}",
    "GRANT EXECUTE ON FUNCTION kinerja.receive_events(text, bigint[], text[], text[], bytea[]), "
    "kinerja.high_water(text), kinerja.own_office(), kinerja.readable_offices() TO {role}",
)
REGION_GRANTS = (
    "GRANT USAGE ON SCHEMA kinerja TO {role}",
    "GRANT SELECT ON kinerja.offices, kinerja.regions, kinerja.events, kinerja.quarantine, "
    "kinerja.submissions, kinerja.profiles, kinerja.office_names TO {role}",
    "GRANT EXECUTE ON FUNCTION kinerja.high_water(text), kinerja.own_office(), "
    "kinerja.readable_offices() TO {role}",
)
