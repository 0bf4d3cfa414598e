//! The subsidy report's projection: for every subsidy period, each participant's first day
//! under each measure (activity code, theme, and "reached") within the period's days, with the
//! participant's plain breakdown attributes beside it.
//!
//! The report counts a person once per measure per period on the day they were first counted.
//! Computing those first days from the activity log at report time costs a pass over every
//! contact moment (seconds at millions of them); keeping them here costs one small upsert per
//! event with activity codes and makes the report a grouped scan over participants × measures.
//!
//! How the rows stay equal to what a full recomputation from `activity_log` and session
//! attendance would give (the report tests compare against an independent count):
//! - an event with activity codes can only lower a first day or add one: an upsert keeping
//!   the earlier day ([`record`]);
//! - a session change (attendance removed, rescheduled, cancelled) can raise or remove one, so
//!   the session's participants are recomputed ([`rebuild_participants`]);
//! - a new period is filled from the data already there ([`rebuild_period`]); the migration
//!   that adds this table fills it for the periods that exist ([`rebuild_all`]);
//! - a change of nationality, LVV location or project worker is copied onto the rows
//!   (by the writer with its group: see `deferred.rs`), so the breakdowns show today's values as
//!   before.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use perspectief_core::activity::ActivityCode;
use perspectief_core::report::Measure;
use sea_orm::{ConnectionTrait, DbErr, Value};

use crate::sql;

/// A SQL string literal of a constant from the core (codes and theme names, never user input).
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The theme of a code, as a SQL CASE over `code`, from the core's mapping.
fn theme_case() -> String {
    let arms: String = ActivityCode::ALL
        .into_iter()
        .map(|c| format!(" WHEN {} THEN {}", lit(c.code()), lit(&Measure::Theme(c.theme()).key())))
        .collect();
    format!("CASE code{arms} END")
}

/// The measures activities under `codes` count under (keys of [`Measure`]).
pub(crate) fn measures(codes: &[ActivityCode]) -> BTreeSet<String> {
    codes.iter().flat_map(|c| Measure::of_code(*c)).map(Measure::key).collect()
}

/// Record that a participant did activities under `codes` on day `on`: every period that
/// holds the day gets the code, its theme and "reached" with this day when it is the first.
pub(crate) async fn record<C: ConnectionTrait>(
    c: &C,
    participant: &str,
    codes: &[ActivityCode],
    on: NaiveDate,
) -> Result<(), DbErr> {
    if codes.is_empty() {
        return Ok(());
    }
    let measures = measures(codes);
    let values: Vec<String> = measures.iter().map(|m| format!("SELECT {} AS measure", lit(m))).collect();
    // The upsert keeps the earlier day; CASE rather than MIN/LEAST, which the two backends spell
    // differently.
    let text = format!(
        "INSERT INTO report_firsts \
         (period_id, participant_id, measure, first_on, first_month, nationality, lvv_location, project_worker) \
         SELECT s.id, p.id, m.measure, $2, $3, p.nationality, p.lvv_location, p.project_worker \
         FROM subsidy_periods s CROSS JOIN ({}) m JOIN participants p ON p.id = $1 \
         WHERE s.starts_on <= $2 AND s.ends_on >= $2 \
         ON CONFLICT (period_id, participant_id, measure) DO UPDATE SET \
         first_on = CASE WHEN excluded.first_on < report_firsts.first_on \
           THEN excluded.first_on ELSE report_firsts.first_on END, \
         first_month = CASE WHEN excluded.first_on < report_firsts.first_on \
           THEN excluded.first_month ELSE report_firsts.first_month END",
        values.join(" UNION ALL "),
    );
    let month = on.format("%Y-%m").to_string();
    sql::exec(c, &text, [participant.to_owned().into(), sql::date(on).into(), month.into()]).await?;
    Ok(())
}

/// Recompute the rows of these participants (after a session change) from the source tables.
pub(crate) async fn rebuild_participants<C: ConnectionTrait>(c: &C, participants: &[String]) -> Result<(), DbErr> {
    for p in participants {
        sql::exec(c, "DELETE FROM report_firsts WHERE participant_id = $1", [p.clone().into()]).await?;
        rebuild(c, Scope::Participant(p)).await?;
    }
    Ok(())
}

/// Fill the rows of a newly defined period from the data already stored.
pub(crate) async fn rebuild_period<C: ConnectionTrait>(c: &C, period: &str) -> Result<(), DbErr> {
    sql::exec(c, "DELETE FROM report_firsts WHERE period_id = $1", [period.to_owned().into()]).await?;
    rebuild(c, Scope::Period(period)).await
}

/// Fill the whole table (the migration that adds it).
pub(crate) async fn rebuild_all<C: ConnectionTrait>(c: &C) -> Result<(), DbErr> {
    sql::exec(c, "DELETE FROM report_firsts", []).await?;
    rebuild(c, Scope::All).await
}

enum Scope<'a> {
    All,
    Period(&'a str),
    Participant(&'a str),
}

/// Insert the first days of a scope computed from `activity_log` and session attendance:
/// the same definition as the report used to evaluate at report time.
async fn rebuild<C: ConnectionTrait>(c: &C, scope: Scope<'_>) -> Result<(), DbErr> {
    let (log_filter, attendance_filter, values): (&str, &str, Vec<Value>) = match scope {
        Scope::All => ("", "", vec![]),
        Scope::Period(id) => (" AND s.id = $1", " AND sp.id = $1", vec![id.to_owned().into()]),
        Scope::Participant(id) => {
            (" AND l.participant_id = $1", " AND a.participant_id = $1", vec![id.to_owned().into()])
        }
    };
    let text = format!(
        "INSERT INTO report_firsts \
         (period_id, participant_id, measure, first_on, first_month, nationality, lvv_location, project_worker) \
         WITH facts AS ( \
           SELECT s.id AS period_id, l.participant_id, l.code, l.on_date FROM activity_log l \
             JOIN subsidy_periods s ON l.on_date >= s.starts_on AND l.on_date <= s.ends_on WHERE 1 = 1{log_filter} \
           UNION ALL SELECT sp.id AS period_id, a.participant_id, {session_code} AS code, ss.date AS on_date \
             FROM session_attendance a JOIN sessions ss ON ss.id = a.session_id \
             JOIN subsidy_periods sp ON ss.date >= sp.starts_on AND ss.date <= sp.ends_on \
             WHERE ss.cancelled = 0{attendance_filter}), \
         firsts AS (SELECT period_id, participant_id, code, MIN(on_date) AS first_on FROM facts \
           GROUP BY period_id, participant_id, code), \
         keyed AS ( \
           SELECT period_id, participant_id, code AS measure, first_on FROM firsts \
           UNION ALL SELECT period_id, participant_id, measure, MIN(first_on) AS first_on \
             FROM (SELECT period_id, participant_id, {theme} AS measure, first_on FROM firsts) t \
             GROUP BY period_id, participant_id, measure \
           UNION ALL SELECT period_id, participant_id, {reached} AS measure, MIN(first_on) AS first_on FROM firsts \
             GROUP BY period_id, participant_id) \
         SELECT k.period_id, k.participant_id, k.measure, k.first_on, SUBSTR(k.first_on, 1, 7), \
           p.nationality, p.lvv_location, p.project_worker \
         FROM keyed k JOIN participants p ON p.id = k.participant_id",
        session_code = lit(ActivityCode::InformationSessions.code()),
        theme = theme_case(),
        reached = lit(&Measure::Reached.key()),
    );
    sql::exec(c, &text, values).await?;
    Ok(())
}
