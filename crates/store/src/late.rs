//! Late entries (the core's `late` module): the foundation's threshold, kept in `meta` and
//! changed by the project lead (audited), the lead's listing of the entries recorded late (an
//! indexed query over the plain `effective_on` and `days_late` columns of `case_events`,
//! migration 20), and the filling of those columns for events stored before they existed.

use perspectief_core::DomainError;
use perspectief_core::access::{Action, Resource};
use perspectief_core::late::{LateEntry, LateEntryPolicy, LateEntryQuery, days_late};
use perspectief_core::service::{Caller, Page, page_limit};
use perspectief_core::time::amsterdam_date;
use perspectief_core::{ParticipantId, UserId};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Value};

use crate::Store;
use crate::crypto::Keyring;
use crate::error::{db, internal};
use crate::sql::{self, get};
use crate::writer::{Output, Work};

/// The `meta` key of the threshold (days, as text); absent: the core's default.
const LATE_ENTRY_DAYS: &str = "late_entry_days";

/// The threshold in force.
pub(crate) async fn policy<C: ConnectionTrait>(c: &C) -> Result<LateEntryPolicy, DomainError> {
    let row = sql::one(c, "SELECT value FROM meta WHERE key = $1", [LATE_ENTRY_DAYS.into()]).await.map_err(db)?;
    match row {
        None => Ok(LateEntryPolicy::default()),
        Some(r) => {
            let days: String = get(&r, "value").map_err(db)?;
            let days = days.parse::<u32>().map_err(|_| internal("the late-entry threshold in meta is not a number"))?;
            LateEntryPolicy::new(days).map_err(|_| internal("the late-entry threshold in meta is out of range"))
        }
    }
}

/// The plain columns of one event: its effective date and how many days after it the event
/// was recorded.
pub(crate) fn event_columns(change: &perspectief_core::CaseChange, at: chrono::DateTime<chrono::Utc>) -> (String, i64) {
    let effective = change.effective_on(at);
    (sql::date(effective), days_late(effective, amsterdam_date(at)))
}

impl Store {
    /// Set the foundation's late-entry threshold (the project lead; on record in the access
    /// log). Applies at once to every listing and history, old entries included.
    pub async fn set_late_entry_policy(
        &self,
        caller: &Caller,
        policy: LateEntryPolicy,
    ) -> Result<LateEntryPolicy, DomainError> {
        let work: Work = Box::new(move |txn, _entry| {
            Box::pin(async move {
                let days = policy.days().to_string();
                let n = sql::exec(
                    txn,
                    "UPDATE meta SET value = $2 WHERE key = $1",
                    [LATE_ENTRY_DAYS.into(), days.clone().into()],
                )
                .await
                .map_err(db)?;
                if n == 0 {
                    sql::exec(
                        txn,
                        "INSERT INTO meta (key, value) VALUES ($1, $2)",
                        [LATE_ENTRY_DAYS.into(), days.into()],
                    )
                    .await
                    .map_err(db)?;
                }
                Ok(Box::new(policy) as Output)
            })
        });
        self.admin_job_prepared(caller, Action::Update, Resource::LateEntries, "set_late_entry_policy", || Ok(work))
            .await
    }

    pub(crate) async fn read_late_entry_policy(&self, caller: &Caller) -> Result<LateEntryPolicy, DomainError> {
        let entry = self.entry(caller, Action::Read, "late_entry_policy");
        self.read(entry, async {
            let basis = self.require(caller, Action::Read, &Resource::LateEntries)?;
            Ok((policy(&self.inner.reader).await?, basis))
        })
        .await
    }

    pub(crate) async fn list_late_entries(
        &self,
        caller: &Caller,
        query: LateEntryQuery,
    ) -> Result<Page<LateEntry>, DomainError> {
        let entry = self.entry(caller, Action::Search, "late_entries");
        self.read(entry, async {
            // Authorise first: only then is the query checked.
            let basis = self.require(caller, Action::Search, &Resource::LateEntries)?;
            let (from, until) = query.recorded_between()?;
            let after = query.page.page_token.as_deref().map(|t| self.late_entry_position(caller, &query, t)).transpose()?;
            let threshold = policy(&self.inner.reader).await?;
            let limit = page_limit(query.page.page_size);
            let mut values: Vec<Value> = vec![
                sql::micros(from).into(),
                sql::micros(until).into(),
                i64::from(threshold.days()).into(),
                i64::from(limit + 1).into(),
            ];
            let mut filter = String::new();
            if let Some(by) = query.recorded_by {
                values.push(by.to_string().into());
                filter.push_str(&format!(" AND actor = ${}", values.len()));
            }
            if let Some((at, id, version)) = after {
                values.extend([at.into(), id.into(), version.into()]);
                let n = values.len();
                // Row-value comparison spelled out: both backends, and the index's order.
                filter.push_str(&format!(
                    " AND (at > ${a} OR (at = ${a} AND (participant_id > ${p} OR (participant_id = ${p} AND version > ${v}))))",
                    a = n - 2,
                    p = n - 1,
                    v = n
                ));
            }
            // `days_late > 0` as the partial index's own condition, so it is used.
            let text = format!(
                "SELECT participant_id, version, at, actor, kind, effective_on, days_late FROM case_events \
                 WHERE days_late > 0 AND days_late > $3 AND at >= $1 AND at < $2{filter} \
                 ORDER BY at, participant_id, version LIMIT $4"
            );
            let rows = sql::all(&self.inner.reader, &text, values).await.map_err(db)?;
            let mut items = Vec::with_capacity(rows.len());
            for r in rows.iter().take(limit as usize) {
                items.push(late_entry(r)?);
            }
            let next_page_token = match (rows.len() > limit as usize, items.last()) {
                (true, Some(last)) => Some(self.late_entry_token(
                    caller,
                    &query,
                    sql::micros(last.recorded_at),
                    &last.participant.to_string(),
                    i64::try_from(last.version).unwrap_or(i64::MAX),
                )),
                _ => None,
            };
            Ok((Page { items, next_page_token }, basis))
        })
        .await
    }
}

fn late_entry(r: &sea_orm::QueryResult) -> Result<LateEntry, DomainError> {
    let participant: String = get(r, "participant_id").map_err(db)?;
    let version: i64 = get(r, "version").map_err(db)?;
    let actor: String = get(r, "actor").map_err(db)?;
    let effective: String = get(r, "effective_on").map_err(db)?;
    Ok(LateEntry {
        participant: ParticipantId::parse(&participant).map_err(internal)?,
        version: u64::try_from(version).unwrap_or(0),
        kind: get(r, "kind").map_err(db)?,
        effective_on: sql::parse_date(&effective).map_err(db)?,
        recorded_at: sql::from_micros(get(r, "at").map_err(db)?).map_err(db)?,
        recorded_by: UserId::parse(&actor).map_err(internal)?,
        days_late: get(r, "days_late").map_err(db)?,
    })
}

/// Events per participant read at once while filling the columns.
const BACKFILL_BATCH: u32 = 1000;

/// The `meta` key recording that every event has its effective date (so an open does not
/// look through the events again).
const EFFECTIVE_DATES_FILLED: &str = "effective_dates_filled";

/// Fill `effective_on` and `days_late` of the events stored before migration 20, reading each
/// through the store's normal decoding (the payload is sealed with its participant's key), in
/// one transaction per participant. Run on open, with the keys; a no-op once done.
pub(crate) async fn backfill_effective_dates(db: &DatabaseConnection, keys: &Keyring) -> Result<(), DbErr> {
    let todo = |e: DomainError| DbErr::Custom(format!("filling the effective dates: {}", e.code()));
    if sql::one(db, "SELECT value FROM meta WHERE key = $1", [EFFECTIVE_DATES_FILLED.into()]).await?.is_some() {
        return Ok(());
    }
    let mut done = std::collections::BTreeSet::new();
    loop {
        let Some(row) =
            sql::one(db, "SELECT participant_id FROM case_events WHERE effective_on IS NULL LIMIT 1", []).await?
        else {
            // Every event written from now on has its dates (the write path fills them).
            let flag = "INSERT INTO meta (key, value) VALUES ($1, '1') ON CONFLICT (key) DO NOTHING";
            sql::exec(db, flag, [EFFECTIVE_DATES_FILLED.into()]).await?;
            return Ok(());
        };
        let participant: String = get(&row, "participant_id")?;
        // Every event of a participant is filled in one pass; should one be left (it would
        // have to be unreadable), stop rather than go round again.
        if !done.insert(participant.clone()) {
            return Err(DbErr::Custom("filling the effective dates: an event could not be read".to_owned()));
        }
        let id = ParticipantId::parse(&participant).map_err(|e| DbErr::Custom(e.to_string()))?;
        let txn = sql::upgrade_transaction(db).await?;
        let mut after = 0;
        loop {
            let events = crate::repo::case_events(&txn, keys, id, after, BACKFILL_BATCH).await.map_err(todo)?;
            for e in &events {
                let (effective, late) = event_columns(&e.change, e.at);
                sql::exec(
                    &txn,
                    "UPDATE case_events SET effective_on = $3, days_late = $4 \
                     WHERE participant_id = $1 AND version = $2 AND effective_on IS NULL",
                    [
                        participant.clone().into(),
                        i64::try_from(e.version).unwrap_or(0).into(),
                        effective.into(),
                        late.into(),
                    ],
                )
                .await?;
            }
            match events.last() {
                Some(last) if events.len() == BACKFILL_BATCH as usize => after = last.version,
                _ => break,
            }
        }
        txn.commit().await?;
    }
}
