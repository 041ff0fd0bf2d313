-- Costly analysis results are materialized, stamped with the data version and parameters
-- that produced them, so pages read them instantly.
CREATE TABLE analysis_result (
    name          VARCHAR NOT NULL,
    params_hash   VARCHAR NOT NULL,
    params        JSON NOT NULL,
    data_version  VARCHAR NOT NULL,
    created_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
    result        JSON NOT NULL,
    PRIMARY KEY (name, params_hash)
);

-- A long write (ingest, link) registers itself so the app and the CLI can show progress.
CREATE TABLE job (
    job_id       BIGINT PRIMARY KEY,
    kind         VARCHAR NOT NULL,
    started_at   TIMESTAMP NOT NULL DEFAULT current_timestamp,
    finished_at  TIMESTAMP,
    status       VARCHAR NOT NULL DEFAULT 'running',
    progress     DOUBLE DEFAULT 0,
    message      VARCHAR
);

CREATE INDEX event_source_idx ON event (source);
CREATE INDEX event_case_idx ON event (case_key_norm);
CREATE INDEX mention_event_idx ON person_mention (event_id);
CREATE INDEX membership_person_idx ON person_membership (person_id);
