//! Rows that a write appends and nothing in its group reads back: the case events, their feed
//! positions, the activity log, the report projection's first days and its copied attributes.
//! The writer collects them for a whole group and writes them with one multi-row statement per
//! table just before the group's access-log records and commit, instead of one statement (one
//! round trip to the database's thread) per row.
//!
//! They are written in the same transaction as the rest of the group, so they are exactly as
//! durable, and in job order, so feed positions follow commit order as before. Every job that
//! does not collect into this buffer (a job in a savepoint) runs after the buffer was written,
//! so it sees every row a job before it wrote.

use std::collections::BTreeSet;

use sea_orm::{ConnectionTrait, DbErr, Value};

use crate::sql;

/// Rows per multi-row statement (at most 10 parameters a row: well under both backends' limits).
const ROWS_PER_STATEMENT: usize = 200;

/// One case event as stored (its payload already sealed).
#[derive(Debug)]
pub(crate) struct EventRow {
    pub(crate) participant_id: String,
    pub(crate) version: i64,
    pub(crate) at: i64,
    pub(crate) actor: String,
    pub(crate) kind: String,
    pub(crate) category: String,
    pub(crate) key_id: String,
    pub(crate) payload: Vec<u8>,
    /// The day the change took effect (`YYYY-MM-DD`).
    pub(crate) effective_on: String,
    /// How many days after that day it was recorded.
    pub(crate) days_late: i64,
}

/// One activity-log row.
#[derive(Debug)]
pub(crate) struct ActivityRow {
    pub(crate) participant_id: String,
    pub(crate) version: i64,
    pub(crate) code: String,
    pub(crate) on_date: String,
    pub(crate) actor: String,
    pub(crate) contact_id: Option<String>,
}

/// The rows collected for one group (or one job, merged into its group when it succeeds).
#[derive(Debug, Default)]
pub(crate) struct Deferred {
    /// Set by a job before its first write: after that, a failure of the job cannot be undone
    /// on its own (it has no savepoint), so the writer abandons the whole group.
    pub(crate) writing: bool,
    events: Vec<EventRow>,
    activities: Vec<ActivityRow>,
    /// (participant, measure, day) for the report projection's first days.
    firsts: BTreeSet<(String, String, String)>,
    /// Participants whose breakdown attributes are copied onto their report rows.
    synced: BTreeSet<String>,
    /// Case files sealed by the jobs, for the case cache once the group has committed.
    pub(crate) fills: crate::cache::Fills,
    /// The late-entry threshold as this group read it: one read per group, not per job. The
    /// writer hands it from job to job and forgets it after any job that may change it.
    pub(crate) late: Option<perspectief_core::late::LateEntryPolicy>,
}

impl Deferred {
    pub(crate) fn is_empty(&self) -> bool {
        self.events.is_empty() && self.activities.is_empty() && self.firsts.is_empty() && self.synced.is_empty()
    }

    pub(crate) fn event(&mut self, row: EventRow) {
        self.events.push(row);
    }

    pub(crate) fn activity(&mut self, row: ActivityRow) {
        self.activities.push(row);
    }

    /// The participant did something counted under `measures` on `on` (a `YYYY-MM-DD` day).
    pub(crate) fn first(&mut self, participant: &str, measures: impl IntoIterator<Item = String>, on: &str) {
        for m in measures {
            self.firsts.insert((participant.to_owned(), m, on.to_owned()));
        }
    }

    /// Copy the participant's breakdown attributes onto their report rows.
    pub(crate) fn sync(&mut self, participant: &str) {
        self.synced.insert(participant.to_owned());
    }

    /// The late-entry threshold in force, read in this transaction the first time a group
    /// needs it (a decided job marks its answer's events late with it).
    pub(crate) async fn late_policy<C: ConnectionTrait>(
        &mut self,
        c: &C,
    ) -> Result<perspectief_core::late::LateEntryPolicy, perspectief_core::DomainError> {
        if let Some(policy) = self.late {
            return Ok(policy);
        }
        let policy = crate::late::policy(c).await?;
        self.late = Some(policy);
        Ok(policy)
    }

    /// Take over a finished job's rows, after this group's.
    pub(crate) fn absorb(&mut self, other: Deferred) {
        self.events.extend(other.events);
        self.activities.extend(other.activities);
        self.firsts.extend(other.firsts);
        self.synced.extend(other.synced);
        self.fills.absorb(other.fills);
    }

    /// Write every row collected, in order, and empty the buffer.
    pub(crate) async fn flush<C: ConnectionTrait>(&mut self, c: &C) -> Result<(), DbErr> {
        let events = std::mem::take(&mut self.events);
        for chunk in events.chunks(ROWS_PER_STATEMENT) {
            let mut values = Vec::with_capacity(chunk.len() * 10);
            for e in chunk {
                values.extend([
                    e.participant_id.clone().into(),
                    e.version.into(),
                    e.at.into(),
                    e.actor.clone().into(),
                    e.kind.clone().into(),
                    e.category.clone().into(),
                    e.key_id.clone().into(),
                    e.payload.clone().into(),
                    e.effective_on.clone().into(),
                    e.days_late.into(),
                ]);
            }
            let text = format!(
                "INSERT INTO case_events \
                 (participant_id, version, at, actor, kind, category, key_id, payload, effective_on, days_late) \
                 VALUES {}",
                tuples(chunk.len(), 10, 0)
            );
            sql::exec(c, &text, values).await?;
            // The feed positions, in the same order: the single writer serialises every write,
            // so MAX + n is gap-free and in commit order.
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 3);
            for (n, e) in chunk.iter().enumerate() {
                values.extend([
                    i64::try_from(n + 1).unwrap_or(i64::MAX).into(),
                    e.participant_id.clone().into(),
                    e.version.into(),
                ]);
            }
            let text = format!(
                "INSERT INTO event_feed (position, participant_id, version) \
                 SELECT m.top + x.column1, x.column2, x.column3 \
                 FROM (SELECT COALESCE(MAX(position), 0) AS top FROM event_feed) m CROSS JOIN (VALUES {}) AS x",
                tuples(chunk.len(), 3, 0)
            );
            sql::exec(c, &text, values).await?;
        }
        let activities = std::mem::take(&mut self.activities);
        for chunk in activities.chunks(ROWS_PER_STATEMENT) {
            let mut values = Vec::with_capacity(chunk.len() * 6);
            for a in chunk {
                values.extend([
                    a.participant_id.clone().into(),
                    a.version.into(),
                    a.code.clone().into(),
                    a.on_date.clone().into(),
                    a.actor.clone().into(),
                    a.contact_id.clone().into(),
                ]);
            }
            let text = format!(
                "INSERT INTO activity_log (participant_id, version, code, on_date, actor, contact_id) VALUES {}",
                tuples(chunk.len(), 6, 0)
            );
            sql::exec(c, &text, values).await?;
        }
        let firsts: Vec<_> = std::mem::take(&mut self.firsts).into_iter().collect();
        for chunk in firsts.chunks(ROWS_PER_STATEMENT) {
            let values: Vec<Value> =
                chunk.iter().flat_map(|(p, m, on)| [p.clone().into(), m.clone().into(), on.clone().into()]).collect();
            // Per period, participant and measure the earliest day of this chunk (one row each,
            // as an upsert must have), kept when earlier than the stored one; CASE rather than
            // MIN/LEAST, which the two backends spell differently.
            let text = format!(
                "INSERT INTO report_firsts \
                 (period_id, participant_id, measure, first_on, first_month, nationality, lvv_location, project_worker) \
                 SELECT f.period_id, p.id, f.measure, f.first_on, SUBSTR(f.first_on, 1, 7), p.nationality, \
                 p.lvv_location, p.project_worker \
                 FROM (SELECT s.id AS period_id, x.column1 AS participant_id, x.column2 AS measure, \
                 MIN(x.column3) AS first_on \
                 FROM (VALUES {}) AS x JOIN subsidy_periods s ON s.starts_on <= x.column3 AND s.ends_on >= x.column3 \
                 GROUP BY s.id, x.column1, x.column2) f JOIN participants p ON p.id = f.participant_id \
                 WHERE true \
                 ON CONFLICT (period_id, participant_id, measure) DO UPDATE SET \
                 first_on = CASE WHEN excluded.first_on < report_firsts.first_on \
                   THEN excluded.first_on ELSE report_firsts.first_on END, \
                 first_month = CASE WHEN excluded.first_on < report_firsts.first_on \
                   THEN excluded.first_month ELSE report_firsts.first_month END",
                tuples(chunk.len(), 3, 0)
            );
            sql::exec(c, &text, values).await?;
        }
        let synced: Vec<_> = std::mem::take(&mut self.synced).into_iter().collect();
        for chunk in synced.chunks(ROWS_PER_STATEMENT) {
            let values: Vec<Value> = chunk.iter().map(|p| p.clone().into()).collect();
            let list = (1..=chunk.len()).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
            let text = format!(
                "UPDATE report_firsts SET \
                 nationality = (SELECT p.nationality FROM participants p WHERE p.id = report_firsts.participant_id), \
                 lvv_location = (SELECT p.lvv_location FROM participants p WHERE p.id = report_firsts.participant_id), \
                 project_worker = (SELECT p.project_worker FROM participants p WHERE p.id = report_firsts.participant_id) \
                 WHERE participant_id IN ({list}) AND EXISTS (SELECT 1 FROM participants p \
                 WHERE p.id = report_firsts.participant_id AND (COALESCE(p.nationality, '') <> COALESCE(report_firsts.nationality, '') \
                 OR COALESCE(p.lvv_location, '') <> COALESCE(report_firsts.lvv_location, '') \
                 OR p.project_worker <> report_firsts.project_worker))"
            );
            sql::exec(c, &text, values).await?;
        }
        Ok(())
    }
}

/// `($1, $2, …), (…)`: `rows` tuples of `width` placeholders, numbered after `offset`.
fn tuples(rows: usize, width: usize, offset: usize) -> String {
    let mut text = String::with_capacity(rows * width * 5);
    for r in 0..rows {
        if r > 0 {
            text.push_str(", ");
        }
        text.push('(');
        for k in 1..=width {
            if k > 1 {
                text.push_str(", ");
            }
            text.push('$');
            text.push_str(&(offset + r * width + k).to_string());
        }
        text.push(')');
    }
    text
}
