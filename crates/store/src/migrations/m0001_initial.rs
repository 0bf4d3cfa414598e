//! The initial schema.
//!
//! Personal data lives only in sealed (encrypted) blobs: the case state, events, session and
//! meeting state. The plain columns beside them hold ids, codes, statuses and dates, so that
//! worklists and subsidy counts run as indexed queries without decrypting anything.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_initial"
    }
}

const SCHEMA: &str = r#"
CREATE TABLE meta (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
CREATE TABLE participants (
    id TEXT PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    key_id TEXT NOT NULL,
    state {BLOB} NOT NULL,
    display {BLOB} NOT NULL,
    project_worker TEXT NOT NULL,
    phase TEXT NOT NULL,
    direction TEXT NOT NULL,
    registered_on TEXT NOT NULL,
    limit_on TEXT NOT NULL,
    last_contact_on TEXT,
    nationality TEXT,
    outflow_outcome TEXT,
    outflow_on TEXT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX participants_worker ON participants (project_worker, phase);
CREATE INDEX participants_phase ON participants (phase, limit_on);
CREATE INDEX participants_contact ON participants (last_contact_on);
CREATE TABLE case_events (
    participant_id TEXT NOT NULL REFERENCES participants (id),
    version BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    key_id TEXT NOT NULL,
    payload {BLOB} NOT NULL,
    PRIMARY KEY (participant_id, version)
);
CREATE TABLE activity_log (
    participant_id TEXT NOT NULL REFERENCES participants (id),
    version BIGINT NOT NULL,
    code TEXT NOT NULL,
    on_date TEXT NOT NULL,
    actor TEXT NOT NULL,
    PRIMARY KEY (participant_id, version, code)
);
CREATE INDEX activity_log_code ON activity_log (code, on_date, participant_id);
CREATE TABLE goals (
    id TEXT PRIMARY KEY NOT NULL,
    participant_id TEXT NOT NULL REFERENCES participants (id),
    deadline TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE INDEX goals_status ON goals (status, deadline);
CREATE INDEX goals_participant ON goals (participant_id);
CREATE TABLE agreements (
    id TEXT PRIMARY KEY NOT NULL,
    participant_id TEXT NOT NULL REFERENCES participants (id),
    due_on TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE INDEX agreements_status ON agreements (status, due_on);
CREATE INDEX agreements_participant ON agreements (participant_id);
CREATE TABLE referrals (
    id TEXT PRIMARY KEY NOT NULL,
    participant_id TEXT NOT NULL REFERENCES participants (id),
    partner TEXT NOT NULL,
    domain TEXT NOT NULL,
    status TEXT NOT NULL,
    sent_on TEXT
);
CREATE INDEX referrals_status ON referrals (status, sent_on);
CREATE INDEX referrals_partner ON referrals (partner, status);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    date TEXT NOT NULL,
    head_count BIGINT NOT NULL,
    cancelled BIGINT NOT NULL,
    key_id TEXT NOT NULL,
    state {BLOB} NOT NULL
);
CREATE INDEX sessions_date ON sessions (date);
CREATE TABLE session_attendance (
    session_id TEXT NOT NULL REFERENCES sessions (id),
    participant_id TEXT NOT NULL REFERENCES participants (id),
    PRIMARY KEY (session_id, participant_id)
);
CREATE INDEX session_attendance_participant ON session_attendance (participant_id);
CREATE TABLE meetings (
    id TEXT PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    date TEXT NOT NULL,
    key_id TEXT NOT NULL,
    state {BLOB} NOT NULL
);
CREATE INDEX meetings_date ON meetings (date);
CREATE TABLE aggregate_events (
    aggregate TEXT NOT NULL,
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    key_id TEXT NOT NULL,
    payload {BLOB} NOT NULL,
    PRIMARY KEY (aggregate, id, version)
);
CREATE TABLE subsidy_periods (
    id TEXT PRIMARY KEY NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    definition TEXT NOT NULL
);
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY NOT NULL,
    at BIGINT NOT NULL,
    user_id TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    role TEXT NOT NULL,
    on_behalf_of TEXT,
    action TEXT NOT NULL,
    participant_id TEXT,
    category TEXT,
    operation TEXT NOT NULL,
    purpose TEXT NOT NULL,
    basis TEXT,
    outcome TEXT NOT NULL,
    error_code TEXT,
    client TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_participant ON audit_log (participant_id, seq);
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000')
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::run_script(manager, SCHEMA).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
