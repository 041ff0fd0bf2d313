-- Canonical model of DESIGN.md §3. Every canonical row carries its provenance:
-- source, batch_id, source_row (line in the file, header = line 1) and source_key.

CREATE SEQUENCE IF NOT EXISTS batch_id_seq START 1;

CREATE TABLE batch (
    batch_id          BIGINT PRIMARY KEY,
    source            VARCHAR NOT NULL,
    file_name         VARCHAR NOT NULL,
    file_path         VARCHAR,
    sha256            VARCHAR NOT NULL UNIQUE,
    schema_version    VARCHAR,
    encoding          VARCHAR,
    rows_read         BIGINT DEFAULT 0,
    rows_loaded       BIGINT DEFAULT 0,
    rows_quarantined  BIGINT DEFAULT 0,
    rows_new          BIGINT DEFAULT 0,
    rows_updated      BIGINT DEFAULT 0,
    rows_unchanged    BIGINT DEFAULT 0,
    status            VARCHAR NOT NULL DEFAULT 'loading',  -- loading | done | failed
    message           VARCHAR,
    started_at        TIMESTAMP NOT NULL DEFAULT current_timestamp,
    finished_at       TIMESTAMP
);

CREATE TABLE quarantine (
    batch_id     BIGINT NOT NULL,
    source       VARCHAR NOT NULL,
    file_name    VARCHAR NOT NULL,
    source_row   BIGINT NOT NULL,
    column_name  VARCHAR,
    raw_value    VARCHAR,
    reason       VARCHAR NOT NULL,
    raw_row      VARCHAR            -- the whole raw row as JSON, so nothing read is lost
);

-- One row per source row: a 911 incident, a detention, a crime in a carpeta, a victim entry,
-- a court case, a prison admission, a CJM case, an ER attention, a UIF report, a commission
-- report or a communication. Source-specific fields live in attrs (JSON).
CREATE TABLE event (
    event_id       VARCHAR PRIMARY KEY,   -- source || ':' || source_key
    kind           VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,
    source_key     VARCHAR NOT NULL,
    batch_id       BIGINT NOT NULL,
    source_row     BIGINT NOT NULL,
    occurred_at    TIMESTAMP,
    reported_at    TIMESTAMP,
    crime          VARCHAR,               -- canonical crime code (taxonomy/)
    crime_raw      VARCHAR,
    category_raw   VARCHAR,
    lat            DOUBLE,
    lon            DOUBLE,
    alcaldia       VARCHAR,               -- INEGI code 09002..09017
    colonia        VARCHAR,               -- colonia_cve of geo/colonias.geojson
    cuadrante      VARCHAR,               -- SSC nomenclature Z-R.S.C (Nomenclatu of cuadrantes_poblacion_2023)
    address_norm   VARCHAR,
    case_key       VARCHAR,               -- carpeta / causa / folio as written
    case_key_norm  VARCHAR,
    attrs          JSON,
    sensitivity    VARCHAR,               -- '|'-joined labels: vaw, minor, financial, communications
    row_hash       VARCHAR NOT NULL
);

-- Previous versions of rows replaced by a later extract of the same source.
CREATE TABLE event_history AS SELECT *, CAST(NULL AS BIGINT) AS superseded_by_batch FROM event WITH NO DATA;

CREATE TABLE person_mention (
    mention_id       VARCHAR PRIMARY KEY,  -- event_id || ':' || role || ':' || n
    event_id         VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    source_key       VARCHAR NOT NULL,
    batch_id         BIGINT NOT NULL,
    source_row       BIGINT NOT NULL,
    role             VARCHAR NOT NULL,
    given_names      VARCHAR,
    surname_1        VARCHAR,
    surname_2        VARCHAR,
    alias            VARCHAR,
    sex              VARCHAR,              -- H | M
    birth_date       DATE,
    age              INTEGER,
    curp             VARCHAR,
    rfc              VARCHAR,
    phone            VARCHAR,              -- 10 digits
    address_norm     VARCHAR,
    colonia          VARCHAR,
    alcaldia         VARCHAR,
    lat              DOUBLE,
    lon              DOUBLE,
    is_legal_person  BOOLEAN DEFAULT false,
    business_name    VARCHAR,
    event_date       DATE,                 -- when the record's event happened, for age at event time
    sensitivity      VARCHAR,
    row_hash         VARCHAR NOT NULL
);

CREATE TABLE person_mention_history AS SELECT *, CAST(NULL AS BIGINT) AS superseded_by_batch FROM person_mention WITH NO DATA;

CREATE TABLE link_run (
    run_id        BIGINT PRIMARY KEY,
    started_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
    finished_at   TIMESTAMP,
    threshold     DOUBLE,
    mode          VARCHAR,                 -- full | incremental
    n_mentions    BIGINT,
    n_persons     BIGINT,
    model_json    VARCHAR
);

CREATE TABLE person (
    person_id     VARCHAR PRIMARY KEY,
    created_run   BIGINT,
    n_mentions    INTEGER,
    first_seen    DATE,
    last_seen     DATE,
    sensitivity   VARCHAR
);

CREATE TABLE person_membership (
    mention_id         VARCHAR PRIMARY KEY,
    person_id          VARCHAR NOT NULL,
    match_probability  DOUBLE,             -- to the cluster (1.0 for singletons and exact keys)
    run_id             BIGINT
);

CREATE TABLE person_history (
    run_id           BIGINT,
    changed_at       TIMESTAMP NOT NULL DEFAULT current_timestamp,
    change           VARCHAR NOT NULL,     -- new | merge | split
    person_id        VARCHAR NOT NULL,
    other_person_id  VARCHAR,
    detail           VARCHAR
);

CREATE TABLE target (
    target_id     VARCHAR PRIMARY KEY,
    kind          VARCHAR NOT NULL,         -- person | household | business
    label         VARCHAR,
    person_id     VARCHAR,
    address_norm  VARCHAR,
    lat           DOUBLE,
    lon           DOUBLE,
    alcaldia      VARCHAR,
    cuadrante     VARCHAR
);

CREATE TABLE target_membership (
    target_id   VARCHAR NOT NULL,
    event_id    VARCHAR NOT NULL,
    mention_id  VARCHAR,
    match       VARCHAR NOT NULL DEFAULT 'same',   -- same | near ("almost the same victim")
    distance_m  DOUBLE
);

CREATE TABLE case_link (
    from_event  VARCHAR NOT NULL,
    to_event    VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,           -- call_carpeta, detention_carpeta, carpeta_causa, causa_admission, ...
    method      VARCHAR NOT NULL,           -- key | key_fuzzy | probabilistic
    confidence  DOUBLE NOT NULL,
    evidence    VARCHAR
);

CREATE TABLE association (
    node_a       VARCHAR NOT NULL,          -- person_id or 'phone:<10 digits>'
    node_b       VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,          -- co_accused, co_detained, shared_address, shared_phone, family,
                                            -- financial, communication, commission, prison
    first_date   DATE,
    last_date    DATE,
    n            INTEGER NOT NULL DEFAULT 1,
    evidence     VARCHAR,                   -- JSON list of event_ids
    sensitivity  VARCHAR
);
