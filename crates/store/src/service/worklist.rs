//! The worklist's queries: one indexed list per kind of item, each paged in its own order, a
//! page's lists merged into one [`Worklist`]. What belongs on the list is the core's rule (and
//! whose caseload a caller may list, [`perspectief_core::app::caseload`]); these queries mirror
//! it, and the conformance suite compares them.

use perspectief_core::ViolationCode;
use perspectief_core::service::{WorkItem, WorkSubject, Worklist, WorklistQuery};
use perspectief_core::{
    AgreementId, DomainError, GoalId, JudgmentId, OrganisationId, ParticipantId, Recipient, ReferralId, UserId,
};

use super::uuid_of;
use crate::error::{db, internal};
use crate::sql::{self, get};

/// Where one list of a worklist page goes on: after an item's (date, participant, subject), or
/// nowhere (it ended).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ListCursor {
    Start,
    After(String, String, String),
    Done,
}

/// One list of the worklist: `FROM`/`WHERE` text (with `{worker}` where the worker's clause
/// goes, `{after}` where the cursor's), its parameters from `$1`, and the expressions of its
/// order (date, participant, subject).
struct ListQuery {
    from_where: String,
    values: Vec<sea_orm::Value>,
    order: [&'static str; 3],
}

/// One page of one list: up to `size` items (all when 0) after `cursor`, and where the next
/// page of this list starts.
async fn list_page(
    c: &sea_orm::DatabaseConnection,
    worker: Option<UserId>,
    list: ListQuery,
    cursor: &ListCursor,
    size: u32,
) -> Result<(Vec<sea_orm::QueryResult>, ListCursor), DomainError> {
    if *cursor == ListCursor::Done {
        return Ok((Vec::new(), ListCursor::Done));
    }
    let (text, values) = page_statement(worker, list, cursor, size);
    let mut rows = sql::all(c, &text, values).await.map_err(db)?;
    if size > 0 && rows.len() > size as usize {
        rows.truncate(size as usize);
        let last = rows.last().ok_or_else(|| internal("a full page has a last row"))?;
        let next = ListCursor::After(
            get(last, "on_date").map_err(db)?,
            get(last, "participant_id").map_err(db)?,
            get(last, "subject_id").map_err(db)?,
        );
        Ok((rows, next))
    } else {
        Ok((rows, ListCursor::Done))
    }
}

/// The statement of one page of one list (see [`list_page`]) and its parameters.
fn page_statement(
    worker: Option<UserId>,
    list: ListQuery,
    cursor: &ListCursor,
    size: u32,
) -> (String, Vec<sea_orm::Value>) {
    let ListQuery { from_where, mut values, order: [date, participant, subject] } = list;
    let mut param = |v: sea_orm::Value| {
        values.push(v);
        format!("${}", values.len())
    };
    let worker_clause = match worker {
        Some(w) => format!(" AND p.project_worker = {}", param(w.to_string().into())),
        None => String::new(),
    };
    // A list of participants orders by (date, participant): the index's own order.
    let same = participant == subject;
    let after_clause = match cursor {
        ListCursor::After(d, p, _) if same => {
            format!(" AND ({date}, {participant}) > ({}, {})", param(d.clone().into()), param(p.clone().into()))
        }
        ListCursor::After(d, p, s) => format!(
            " AND ({date}, {participant}, {subject}) > ({}, {}, {})",
            param(d.clone().into()),
            param(p.clone().into()),
            param(s.clone().into())
        ),
        ListCursor::Start | ListCursor::Done => String::new(),
    };
    let limit = if size > 0 { format!(" LIMIT {}", param(i64::from(size + 1).into())) } else { String::new() };
    let order = if same { format!("{date}, {participant}") } else { format!("{date}, {participant}, {subject}") };
    let text = format!(
        "SELECT {participant} AS participant_id, {subject} AS subject_id, {date} AS on_date {} ORDER BY {order}{limit}",
        from_where.replace("{worker}", &worker_clause).replace("{after}", &after_clause)
    );
    (text, values)
}

/// The worklist as indexed queries; each mirrors the core rule named beside it (the
/// conformance suite checks they agree). A page holds at most `q.page_size` items of each
/// list, read in the order of a partial index on the list's open items, so a page costs about
/// the same at any size. A project worker's own lists start from their active participants
/// (`participants_worker_*`, m0027) and reach each one's items by its participant index
/// (SQLite takes the tables of a `CROSS JOIN` in the order written; PostgreSQL is held to it
/// by a lateral subquery), so they cost the worker's caseload, not the foundation's size.
pub(super) async fn worklist_query(
    c: &sea_orm::DatabaseConnection,
    worker: Option<UserId>,
    q: &WorklistQuery,
    cursors: &[ListCursor],
) -> Result<(Worklist, Vec<ListCursor>), DomainError> {
    let lists = worklist_lists(c.get_database_backend(), worker, q)?;
    let mut pages = Vec::with_capacity(lists.len());
    let mut next = Vec::with_capacity(lists.len());
    for (i, list) in lists.into_iter().enumerate() {
        let cursor = cursors.get(i).unwrap_or(&ListCursor::Start);
        let (rows, after) = list_page(c, worker, list, cursor, q.page_size).await?;
        pages.push(rows);
        next.push(after);
    }
    Ok((worklist_from(&pages)?, next))
}

/// The lists of a worklist, in the order of [`worklist_from`]'s pages.
fn worklist_lists(
    backend: sea_orm::DbBackend,
    worker: Option<UserId>,
    q: &WorklistQuery,
) -> Result<[ListQuery; 11], DomainError> {
    let today = sql::date(q.today);
    let plus = |days: u32| sql::date(q.today + chrono::Duration::days(i64::from(days)));
    let minus = |days: u32| sql::date(q.today - chrono::Duration::days(i64::from(days)));
    // The participant first for one worker's list, the list's own index first for everyone's.
    // SQLite, without statistics, prefers the older status indexes and sorts every open item:
    // it is told which index holds the list in its order.
    let hint = |index: &str| {
        if worker.is_none() && backend == sea_orm::DbBackend::Sqlite {
            format!(" INDEXED BY {index}")
        } else {
            String::new()
        }
    };
    // One worker's list: each of their participants' own items by the per-participant index
    // (`{table}_participant_status`), named on SQLite: its planner (3.51, bundled) otherwise
    // reads "agreements due" through `agreements_status`, every open agreement of everybody in
    // the window for each participant (26 s for one worker at 205 000 participants).
    let postgres = backend == sea_orm::DbBackend::Postgres;
    // PostgreSQL is held to the same order by a lateral subquery it cannot flatten (`OFFSET
    // 0`): each of the worker's participants' own rows by the table's participant index. Left
    // free it hashed every open item of everybody against the worker's participants (a
    // sequential scan of `goals`, `report_periods`, `judgment_communications`), 20–60 ms each
    // at 20 000 participants and growing with the foundation.
    let per_participant = |table: &str, alias: &str| {
        format!(
            "FROM participants p CROSS JOIN LATERAL (SELECT * FROM {table} WHERE participant_id = p.id OFFSET 0) {alias} WHERE"
        )
    };
    let join = |table: &str, alias: &str, index: &str| {
        if worker.is_some() && postgres {
            per_participant(table, alias)
        } else if worker.is_some() {
            format!(
                "FROM participants p CROSS JOIN {table} {alias} INDEXED BY {table}_participant_status WHERE {alias}.participant_id = p.id AND"
            )
        } else {
            format!("FROM {table} {alias}{} JOIN participants p ON p.id = {alias}.participant_id WHERE", hint(index))
        }
    };
    // The lists of #17: a worker's list from their participants by the table's primary key
    // (participant first), everybody's in the order of the table's date index, named on SQLite:
    // left free, it read every active participant's rows and sorted them all for each page
    // (0.2–0.3 s a list at 205 000 participants).
    let own_join = |table: &str, alias: &str, index: &str| {
        if worker.is_some() && postgres {
            per_participant(table, alias)
        } else if worker.is_some() {
            format!("FROM participants p CROSS JOIN {table} {alias} WHERE {alias}.participant_id = p.id AND")
        } else {
            format!("FROM {table} {alias}{} JOIN participants p ON p.id = {alias}.participant_id WHERE", hint(index))
        }
    };
    let active = "p.outflow_on IS NULL";
    let assessment_cutoff = q
        .today
        .checked_sub_months(chrono::Months::new(q.no_assessment_months))
        .ok_or_else(|| DomainError::field("no_assessment_months", ViolationCode::OutOfRange, "too many months"))?;
    let lists = [
        // Case::overdue_goals: still pursued, deadline before today.
        ListQuery {
            from_where: format!(
                "{} g.status IN ('open', 'in_progress') AND g.deadline < $1 AND {active}{{worker}}{{after}}",
                join("goals", "g", "goals_open_deadline")
            ),
            values: vec![today.clone().into()],
            order: ["g.deadline", "g.participant_id", "g.id"],
        },
        // Case::overdue_agreements: open, due before today.
        ListQuery {
            from_where: format!(
                "{} a.status = 'open' AND a.due_on < $1 AND {active}{{worker}}{{after}}",
                join("agreements", "a", "agreements_open_due")
            ),
            values: vec![today.clone().into()],
            order: ["a.due_on", "a.participant_id", "a.id"],
        },
        // Case::agreements_due_within: open, due from today to today + window.
        ListQuery {
            from_where: format!(
                "{} a.status = 'open' AND a.due_on >= $1 AND a.due_on <= $2 AND {active}{{worker}}{{after}}",
                join("agreements", "a", "agreements_open_due")
            ),
            values: vec![today.clone().into(), plus(q.due_within_days).into()],
            order: ["a.due_on", "a.participant_id", "a.id"],
        },
        // Case::days_without_contact > N: last contact (or registration) before today - N.
        ListQuery {
            from_where: format!(
                "FROM participants p{} WHERE COALESCE(p.last_contact_on, p.registered_on) < $1 AND {active}{{worker}}{{after}}",
                hint("participants_active_contact")
            ),
            values: vec![minus(q.no_contact_days).into()],
            order: ["COALESCE(p.last_contact_on, p.registered_on)", "p.id", "p.id"],
        },
        // Case::limit_status is Approaching or Exceeded: the limit on or before today + lead.
        ListQuery {
            from_where: format!(
                "FROM participants p{} WHERE p.limit_on <= $1 AND {active}{{worker}}{{after}}",
                hint("participants_active_limit")
            ),
            values: vec![plus(q.limit_lead_days).into()],
            order: ["p.limit_on", "p.id", "p.id"],
        },
        // Case::unanswered_referrals: sent, no answer, sent before today - N.
        ListQuery {
            from_where: format!(
                "{} r.status = 'sent' AND r.sent_on < $1 AND {active}{{worker}}{{after}}",
                join("referrals", "r", "referrals_sent_on")
            ),
            values: vec![minus(q.referral_answer_days).into()],
            order: ["r.sent_on", "r.participant_id", "r.id"],
        },
        // Case::without_assessment_since: the latest assessment (Case::last_assessed_on, kept
        // on the row by the write path), or the registration, before today - N months.
        ListQuery {
            from_where: format!(
                "FROM participants p{} WHERE COALESCE(p.last_assessed_on, p.registered_on) < $1 AND {active}{{worker}}{{after}}",
                hint("participants_active_assessed")
            ),
            values: vec![sql::date(assessment_cutoff).into()],
            order: ["COALESCE(p.last_assessed_on, p.registered_on)", "p.id", "p.id"],
        },
        // Case::goals_due_within: still pursued, deadline from today to today + the goals' window.
        ListQuery {
            from_where: format!(
                "{} g.status IN ('open', 'in_progress') AND g.deadline >= $1 AND g.deadline <= $2 AND {active}{{worker}}{{after}}",
                join("goals", "g", "goals_open_deadline")
            ),
            values: vec![today.clone().into(), plus(q.goal_due_within_days).into()],
            order: ["g.deadline", "g.participant_id", "g.id"],
        },
        // Case::uncommunicated_judgments: expected on or before today, not communicated by then.
        ListQuery {
            from_where: format!(
                "{} j.from_on <= $1 AND (j.communicated_on IS NULL OR j.communicated_on > $1) AND {active}{{worker}}{{after}}",
                own_join("judgment_communications", "j", "judgment_communications_from")
            ),
            values: vec![today.clone().into()],
            order: ["j.from_on", "j.participant_id", "j.judgment_id || '/' || j.recipient"],
        },
        // Case::progress_report_due: the stretch running today, due by today + the window.
        ListQuery {
            from_where: format!(
                "{} r.from_on <= $1 AND (r.until_on IS NULL OR r.until_on > $1) AND r.due_on <= $2 AND {active}{{worker}}{{after}}",
                own_join("report_periods", "r", "report_periods_due")
            ),
            values: vec![today.clone().into(), plus(q.due_within_days).into()],
            order: ["r.due_on", "r.participant_id", "r.participant_id"],
        },
        // Case::past_limit_without_advice: the limit before today, no termination advice
        // (Case::termination_advised_on, kept on the row by the write path).
        ListQuery {
            from_where: format!(
                "FROM participants p{} WHERE p.limit_on < $1 AND p.termination_advised_on IS NULL AND {active}{{worker}}{{after}}",
                hint("participants_active_unadvised")
            ),
            values: vec![today.clone().into()],
            order: ["p.limit_on", "p.id", "p.id"],
        },
    ];
    Ok(lists)
}

/// A worklist from the rows of its lists' pages, in [`worklist_lists`]' order.
fn worklist_from(pages: &[Vec<sea_orm::QueryResult>]) -> Result<Worklist, DomainError> {
    let items = |rows: &[sea_orm::QueryResult],
                 subject: fn(uuid::Uuid) -> WorkSubject|
     -> Result<Vec<WorkItem>, DomainError> {
        rows.iter()
            .map(|r| {
                let participant = ParticipantId::from_uuid(uuid_of(&get::<String>(r, "participant_id").map_err(db)?)?);
                let subject_id: String = get(r, "subject_id").map_err(db)?;
                let date = sql::parse_date(&get::<String>(r, "on_date").map_err(db)?).map_err(db)?;
                Ok(WorkItem { participant, subject: subject(uuid_of(&subject_id)?), date })
            })
            .collect()
    };
    let communications = |rows: &[sea_orm::QueryResult]| -> Result<Vec<WorkItem>, DomainError> {
        rows.iter()
            .map(|r| {
                let participant = ParticipantId::from_uuid(uuid_of(&get::<String>(r, "participant_id").map_err(db)?)?);
                let subject: String = get(r, "subject_id").map_err(db)?;
                let date = sql::parse_date(&get::<String>(r, "on_date").map_err(db)?).map_err(db)?;
                let (judgment, to) =
                    subject.split_once('/').ok_or_else(|| internal("a communication's key is judgment/recipient"))?;
                let to = match to {
                    "participant" => Recipient::Participant,
                    "municipality" => Recipient::Municipality,
                    other => Recipient::Partner(OrganisationId::from_uuid(uuid_of(
                        other.strip_prefix("partner:").ok_or_else(|| internal("an unknown recipient"))?,
                    )?)),
                };
                let judgment = JudgmentId::from_uuid(uuid_of(judgment)?);
                Ok(WorkItem { participant, subject: WorkSubject::Communication { judgment, to }, date })
            })
            .collect()
    };
    let list = Worklist {
        overdue_goals: items(&pages[0], |u| WorkSubject::Goal(GoalId::from_uuid(u)))?,
        overdue_agreements: items(&pages[1], |u| WorkSubject::Agreement(AgreementId::from_uuid(u)))?,
        agreements_due: items(&pages[2], |u| WorkSubject::Agreement(AgreementId::from_uuid(u)))?,
        without_contact: items(&pages[3], |_| WorkSubject::Participant)?,
        near_limit: items(&pages[4], |_| WorkSubject::Participant)?,
        unanswered_referrals: items(&pages[5], |u| WorkSubject::Referral(ReferralId::from_uuid(u)))?,
        without_assessment: items(&pages[6], |_| WorkSubject::Participant)?,
        goals_due: items(&pages[7], |u| WorkSubject::Goal(GoalId::from_uuid(u)))?,
        uncommunicated_judgments: communications(&pages[8])?,
        reports_due: items(&pages[9], |_| WorkSubject::Participant)?,
        past_limit_without_advice: items(&pages[10], |_| WorkSubject::Participant)?,
        next_page_token: None,
    };
    Ok(list)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use sea_orm::{Database, DbBackend};
    use sea_orm_migration::MigratorTrait;

    use super::*;

    /// Everybody's worklist is paged in each list's index order on SQLite: no page of a list
    /// sorts all of its items (which reads every open item of the foundation for each page).
    /// A new database has no planner statistics, as a large one has none after an import, so
    /// the plans here are those SQLite makes at any size.
    #[tokio::test]
    async fn everybodys_pages_read_each_list_in_its_index_order_on_sqlite() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        crate::migrations::Migrator::up(&db, None).await.unwrap();
        let mut q = WorklistQuery::for_day(NaiveDate::from_ymd_opt(2026, 6, 30).unwrap());
        q.page_size = 50;
        let later = ListCursor::After("2026-01-01".into(), ParticipantId::from_u128(1).to_string(), "x".into());
        for cursor in [ListCursor::Start, later] {
            let lists = worklist_lists(DbBackend::Sqlite, None, &q).unwrap();
            for (i, list) in lists.into_iter().enumerate() {
                let (text, values) = page_statement(None, list, &cursor, q.page_size);
                let plan = sql::all(&db, &format!("EXPLAIN QUERY PLAN {text}"), values).await.unwrap();
                let steps: Vec<String> = plan.iter().map(|r| get::<String>(r, "detail").unwrap()).collect();
                assert!(
                    !steps.iter().any(|s| s.contains("USE TEMP B-TREE FOR ORDER BY")),
                    "list {i} sorts every item for a page ({cursor:?}): {steps:?}\n{text}"
                );
            }
        }
    }
}
