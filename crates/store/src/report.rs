//! The store's implementation of the core's [`ReportingService`].
//!
//! The subsidy report is aggregated in SQL over the projection of each person's first day per
//! measure in the period (`report_firsts`, kept current by the write path: see `firsts.rs`),
//! grouped per measure, month, nationality, location and project worker: its cost grows with
//! participants × measures, not with the number of contact moments, and no case is loaded. The core computes the report from those groups
//! ([`SubsidyReport::compute`]). The theme of a code and the codes of a figure come from the
//! core and are written into the SQL as constants.
//!
//! Progress reports and agendas need the case files themselves, so they load them: one case
//! for a progress report, every active case for an agenda.

use chrono::NaiveDate;
use perspectief_core::ViolationCode;
use perspectief_core::access::{Action, DataCategory, Resource};
use perspectief_core::activity::{ActivityCode, SubsidyPeriod};
use perspectief_core::report::{
    AgendaQuery, Drilldown, FigureQuery, FigureSource, Measure, MeetingAgenda, OutflowCell, PersonCell, ProgressReport,
    ReportingService, SessionMonth, Slice, SubsidyFacts, SubsidyReport, YearMonth, ZrmCohort, counted_days,
};
use perspectief_core::service::Caller;
use perspectief_core::time::DateRange;
use perspectief_core::{
    ContactId, CountryCode, DomainError, EntityKind, MeetingId, OutflowOutcome, ParticipantId, SessionId,
    SubsidyPeriodId, UserId,
};
use sea_orm::{DatabaseConnection, QueryResult, Value};

use crate::Store;
use crate::error::{db, internal};
use crate::repo;
use crate::sql::{self, get};

/// A SQL string literal of a constant from the core (codes, theme names, outcome names: never
/// user input).
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn code_list(codes: &[ActivityCode]) -> String {
    codes.iter().map(|c| lit(c.code())).collect::<Vec<_>>().join(", ")
}

fn outcome_name(o: OutflowOutcome) -> String {
    match serde_json::to_value(o) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn outcome_of(s: &str) -> Result<OutflowOutcome, DomainError> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| internal("unknown outflow outcome"))
}

fn u32_of(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

fn count(r: &QueryResult, col: &str) -> Result<u32, DomainError> {
    Ok(u32_of(get::<i64>(r, col).map_err(db)?))
}

fn month(r: &QueryResult) -> Result<YearMonth, DomainError> {
    YearMonth::parse(&get::<String>(r, "month").map_err(db)?).map_err(internal)
}

/// The plain attributes of a grouped row: nationality, location, project worker.
fn attributes(r: &QueryResult) -> Result<(Option<CountryCode>, Option<String>, UserId), DomainError> {
    let nationality: Option<String> = get(r, "nationality").map_err(db)?;
    let nationality = nationality.map(|n| CountryCode::parse(&n)).transpose().map_err(internal)?;
    let location: Option<String> = get(r, "lvv_location").map_err(db)?;
    let worker: String = get(r, "project_worker").map_err(db)?;
    Ok((nationality, location, UserId::parse(&worker).map_err(internal)?))
}

/// Numbered placeholders, each value bound once (SQLite and PostgreSQL both take `$N`).
#[derive(Default)]
struct Params(Vec<Value>);

impl Params {
    fn add(&mut self, v: impl Into<Value>) -> String {
        self.0.push(v.into());
        format!("${}", self.0.len())
    }
}

/// The activities under `codes` from `from` to `to`: `participant_id, code, on_date,
/// contact_id`, with session attendance as 5.2.a(1) when `sessions`.
fn facts_sql(p: &mut Params, codes: Option<&[ActivityCode]>, sessions: bool, from: NaiveDate, to: NaiveDate) -> String {
    let code_filter = codes.map_or_else(String::new, |c| format!(" AND code IN ({})", code_list(c)));
    let mut s = format!(
        "SELECT participant_id, code, on_date, contact_id FROM activity_log WHERE on_date >= {} AND on_date <= {}{code_filter}",
        p.add(sql::date(from)),
        p.add(sql::date(to)),
    );
    if sessions {
        s.push_str(&format!(
            " UNION ALL SELECT a.participant_id, {} AS code, s.date AS on_date, NULL AS contact_id \
             FROM session_attendance a JOIN sessions s ON s.id = a.session_id \
             WHERE s.cancelled = 0 AND s.date >= {} AND s.date <= {}",
            lit(ActivityCode::InformationSessions.code()),
            p.add(sql::date(from)),
            p.add(sql::date(to)),
        ));
    }
    s
}

/// Gather the facts of a subsidy report for the counted days of `period`, from the
/// projection of first days (`firsts.rs`): one grouped scan of the period's rows.
async fn gather(
    c: &DatabaseConnection,
    period: SubsidyPeriodId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<SubsidyFacts, DomainError> {
    let rows = sql::all(
        c,
        "SELECT measure, first_month AS month, nationality, lvv_location, project_worker, COUNT(*) AS persons \
         FROM report_firsts WHERE period_id = $1 AND first_on <= $2 \
         GROUP BY measure, nationality, lvv_location, project_worker, first_month",
        [period.to_string().into(), sql::date(to).into()],
    )
    .await
    .map_err(db)?;
    let mut cells = Vec::with_capacity(rows.len());
    for r in &rows {
        let measure = Measure::from_key(&get::<String>(r, "measure").map_err(db)?).map_err(internal)?;
        let (nationality, location, project_worker) = attributes(r)?;
        cells.push(PersonCell {
            measure,
            month: month(r)?,
            nationality,
            location,
            project_worker,
            persons: count(r, "persons")?,
        });
    }
    let rows = sql::all(
        c,
        "SELECT SUBSTR(date, 1, 7) AS month, COUNT(*) AS sessions, CAST(SUM(head_count) AS BIGINT) AS head_count \
         FROM sessions WHERE cancelled = 0 AND date >= $1 AND date <= $2 GROUP BY SUBSTR(date, 1, 7)",
        [sql::date(from).into(), sql::date(to).into()],
    )
    .await
    .map_err(db)?;
    let sessions = rows
        .iter()
        .map(|r| {
            Ok(SessionMonth {
                month: month(r)?,
                sessions: count(r, "sessions")?,
                unregistered_head_count: count(r, "head_count")?,
            })
        })
        .collect::<Result<Vec<_>, DomainError>>()?;
    let rows = sql::all(
        c,
        "SELECT outflow_outcome, SUBSTR(outflow_on, 1, 7) AS month, nationality, lvv_location, project_worker, \
         COUNT(*) AS persons FROM participants WHERE outflow_on >= $1 AND outflow_on <= $2 \
         GROUP BY outflow_outcome, SUBSTR(outflow_on, 1, 7), nationality, lvv_location, project_worker",
        [sql::date(from).into(), sql::date(to).into()],
    )
    .await
    .map_err(db)?;
    let mut outflows = Vec::with_capacity(rows.len());
    for r in &rows {
        let (nationality, location, project_worker) = attributes(r)?;
        outflows.push(OutflowCell {
            outcome: outcome_of(&get::<String>(r, "outflow_outcome").map_err(db)?)?,
            month: month(r)?,
            nationality,
            location,
            project_worker,
            persons: count(r, "persons")?,
        });
    }
    Ok(SubsidyFacts { cells, sessions, outflows })
}

/// The condition a slice puts on participant `p` (and on the first day `first`).
fn slice_sql(p: &mut Params, slice: &Slice, first: &str) -> String {
    match slice {
        Slice::All => "1 = 1".to_owned(),
        Slice::Month(m) => format!("SUBSTR({first}, 1, 7) = {}", p.add(m.to_string())),
        Slice::Nationality(Some(n)) => format!("p.nationality = {}", p.add(n.to_string())),
        Slice::Nationality(None) => "p.nationality IS NULL".to_owned(),
        Slice::Location(Some(l)) => format!("p.lvv_location = {}", p.add(l.clone())),
        Slice::Location(None) => "p.lvv_location IS NULL".to_owned(),
        Slice::ProjectWorker(w) => format!("p.project_worker = {}", p.add(w.to_string())),
    }
}

fn ids<T>(rows: &[QueryResult], col: &str, f: fn(uuid::Uuid) -> T) -> Result<Vec<T>, DomainError> {
    rows.iter()
        .map(|r| {
            let s: String = get(r, col).map_err(db)?;
            Ok(f(uuid::Uuid::parse_str(&s).map_err(internal)?))
        })
        .collect()
}

/// The persons and records behind a figure in the counted days.
async fn drilldown(
    c: &DatabaseConnection,
    from: NaiveDate,
    to: NaiveDate,
    q: &FigureQuery,
) -> Result<Drilldown, DomainError> {
    // The days of the records listed: the slice's month, or all counted days.
    let (rfrom, rto) = match &q.slice {
        Slice::Month(m) => (from.max(m.first_day()), to.min(m.last_day())),
        _ => (from, to),
    };
    match q.figure.source() {
        FigureSource::Outflows(outcomes) => {
            let mut p = Params::default();
            let list = outcomes.iter().map(|o| lit(&outcome_name(*o))).collect::<Vec<_>>().join(", ");
            let text = format!(
                "SELECT p.id FROM participants p WHERE p.outflow_on >= {} AND p.outflow_on <= {} \
                 AND p.outflow_outcome IN ({list}) AND {} ORDER BY p.id",
                p.add(sql::date(from)),
                p.add(sql::date(to)),
                slice_sql(&mut p, &q.slice, "p.outflow_on"),
            );
            let rows = sql::all(c, &text, p.0).await.map_err(db)?;
            Ok(Drilldown { participants: ids(&rows, "id", ParticipantId::from_uuid)?, ..Drilldown::default() })
        }
        FigureSource::Activities { codes, sessions } => {
            // The selected persons, as a query reused below.
            let select = |p: &mut Params| {
                let facts = facts_sql(p, Some(&codes), sessions, from, to);
                let slice = slice_sql(p, &q.slice, "f.first_on");
                format!(
                    "SELECT f.participant_id FROM (SELECT participant_id, MIN(on_date) AS first_on FROM ({facts}) x \
                     GROUP BY participant_id) f JOIN participants p ON p.id = f.participant_id WHERE {slice}"
                )
            };
            let mut p = Params::default();
            let persons = format!("{} ORDER BY f.participant_id", select(&mut p));
            let rows = sql::all(c, &persons, p.0).await.map_err(db)?;
            let participants = ids(&rows, "participant_id", ParticipantId::from_uuid)?;

            let mut p = Params::default();
            let selected = select(&mut p);
            let text = format!(
                "SELECT DISTINCT l.contact_id FROM activity_log l WHERE l.contact_id IS NOT NULL \
                 AND l.on_date >= {} AND l.on_date <= {} AND l.code IN ({}) AND l.participant_id IN ({selected}) \
                 ORDER BY l.contact_id",
                p.add(sql::date(rfrom)),
                p.add(sql::date(rto)),
                code_list(&codes),
            );
            let rows = sql::all(c, &text, p.0).await.map_err(db)?;
            let contacts = ids(&rows, "contact_id", ContactId::from_uuid)?;

            let (mut session_ids, mut head) = (vec![], 0u32);
            if sessions {
                // Unregistered attendees carry no attributes: they belong to the whole and to a month.
                let with_heads = matches!(q.slice, Slice::All | Slice::Month(_));
                let mut p = Params::default();
                let selected = select(&mut p);
                let heads = if with_heads { "s.head_count > 0 OR " } else { "" };
                let text = format!(
                    "SELECT s.id, s.head_count FROM sessions s WHERE s.cancelled = 0 AND s.date >= {} AND s.date <= {} \
                     AND ({heads}EXISTS (SELECT 1 FROM session_attendance a WHERE a.session_id = s.id \
                     AND a.participant_id IN ({selected}))) ORDER BY s.id",
                    p.add(sql::date(rfrom)),
                    p.add(sql::date(rto)),
                );
                let rows = sql::all(c, &text, p.0).await.map_err(db)?;
                session_ids = ids(&rows, "id", SessionId::from_uuid)?;
                if with_heads {
                    for r in &rows {
                        head = head.saturating_add(count(r, "head_count")?);
                    }
                }
            }
            Ok(Drilldown { participants, contacts, sessions: session_ids, unregistered_head_count: head })
        }
    }
}

impl Store {
    async fn subsidy_period(&self, id: SubsidyPeriodId) -> Result<SubsidyPeriod, DomainError> {
        let row = sql::one(
            &self.inner.reader,
            "SELECT definition FROM subsidy_periods WHERE id = $1",
            [id.to_string().into()],
        )
        .await
        .map_err(db)?
        .ok_or_else(|| DomainError::NotFound { entity: EntityKind::SubsidyPeriod, id: id.to_string() })?;
        let definition: String = get(&row, "definition").map_err(db)?;
        serde_json::from_str(&definition).map_err(internal)
    }
}

impl ReportingService for Store {
    async fn subsidy_report(
        &self,
        caller: &Caller,
        period: SubsidyPeriodId,
        as_of: NaiveDate,
    ) -> Result<SubsidyReport, DomainError> {
        let entry = self.entry(caller, Action::Read, "subsidy_report");
        self.read(entry, async {
            let basis = self.require(caller, Action::Read, &Resource::SubsidyReports)?;
            let period = self.subsidy_period(period).await?;
            let facts = match counted_days(&period, as_of) {
                Some((from, to)) => gather(&self.inner.reader, period.id(), from, to).await?,
                None => SubsidyFacts::default(),
            };
            let mut report = SubsidyReport::compute(&period, as_of, &facts);
            // Outside the foundation, small cells point at persons: suppressed.
            if self.inner.policy.suppresses_small_cells(&caller.actor) {
                report.suppress_small_cells(self.inner.min_cell);
            }
            Ok((report, basis))
        })
        .await
    }

    async fn subsidy_drilldown(
        &self,
        caller: &Caller,
        period: SubsidyPeriodId,
        as_of: NaiveDate,
        query: FigureQuery,
    ) -> Result<Drilldown, DomainError> {
        let entry = self.entry(caller, Action::Read, "subsidy_drilldown");
        self.read(entry, async {
            let basis = self.require(caller, Action::Read, &Resource::SubsidyReports)?;
            // The ids behind a figure are for the foundation's own staff: outside it they
            // re-identify persons in small cells.
            if self.inner.policy.suppresses_small_cells(&caller.actor) {
                return Err(DomainError::AccessDenied(perspectief_core::access::DenyReason::NotFoundationStaff {
                    role: caller.actor.role,
                }));
            }
            let period = self.subsidy_period(period).await?;
            let result = match counted_days(&period, as_of) {
                Some((from, to)) => drilldown(&self.inner.reader, from, to, &query).await?,
                None => Drilldown::default(),
            };
            Ok((result, basis))
        })
        .await
    }

    async fn progress_report(
        &self,
        caller: &Caller,
        participant: ParticipantId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<ProgressReport, DomainError> {
        let mut entry = self.entry(caller, Action::Read, "progress_report");
        entry.participant = Some(participant);
        entry.category = Some(DataCategory::Reports);
        let mut withheld = Vec::new();
        let report = self
            .read(entry, async {
                // A period that ends before it starts names no report to authorise (checked
                // before the case is loaded).
                let period = DateRange::new(from, to).map_err(|_| {
                    DomainError::field("to", ViolationCode::BeforeStart, "the period must not end before it starts")
                })?;
                let case =
                    repo::load_case(&self.inner.reader, &self.inner.keys, participant).await?.ok_or_else(|| {
                        DomainError::NotFound { entity: EntityKind::Participant, id: participant.to_string() }
                    })?;
                // The core's decision: the case file's visibility, and the reports category itself.
                let today = perspectief_core::time::amsterdam_date(self.now());
                let (visibility, basis) = self
                    .inner
                    .policy
                    .decide_progress_report(&caller.actor, &case, today)
                    .map_err(DomainError::AccessDenied)?;
                let report = ProgressReport::generate(&visibility.view(&case), period.from(), period.to());
                withheld = visibility.withheld().map(|w| (w.category, w.reason)).collect();
                Ok((report, basis))
            })
            .await?;
        // Every category left out of the report is on record as a denial.
        if !withheld.is_empty() {
            let entries = self.partial_read_entries(caller, "progress_report", participant, &[], &withheld);
            self.inner.writer.record(entries).await?;
        }
        Ok(report)
    }

    async fn late_entries(
        &self,
        caller: &Caller,
        query: perspectief_core::late::LateEntryQuery,
    ) -> Result<perspectief_core::service::Page<perspectief_core::late::LateEntry>, DomainError> {
        self.list_late_entries(caller, query).await
    }

    async fn late_entry_policy(&self, caller: &Caller) -> Result<perspectief_core::late::LateEntryPolicy, DomainError> {
        self.read_late_entry_policy(caller).await
    }

    async fn zrm_cohort(&self, caller: &Caller, period: SubsidyPeriodId) -> Result<ZrmCohort, DomainError> {
        let entry = self.entry(caller, Action::Read, "zrm_cohort");
        self.read(entry, async {
            let basis = self.require(caller, Action::Read, &Resource::SubsidyReports)?;
            let period = self.subsidy_period(period).await?;
            let (c, keys) = (&self.inner.reader, &self.inner.keys);
            // Only people with an assessment on record can be in the cohort: their cases are
            // loaded (the scores are sealed in the case), the rule is the core's.
            let rows = sql::all(
                c,
                &format!(
                    "SELECT DISTINCT participant_id FROM activity_log WHERE code = {} ORDER BY participant_id",
                    lit(ActivityCode::SelfReliance.code())
                ),
                [],
            )
            .await
            .map_err(db)?;
            let mut people = Vec::with_capacity(rows.len());
            for r in &rows {
                let id = ParticipantId::parse(&get::<String>(r, "participant_id").map_err(db)?).map_err(internal)?;
                if let Some(case) = repo::load_case(c, keys, id).await? {
                    people.push((id, case.self_reliance().to_vec()));
                }
            }
            let borrowed: Vec<(ParticipantId, &[perspectief_core::outflow::ZrmAssessment])> =
                people.iter().map(|(id, a)| (*id, a.as_slice())).collect();
            let mut cohort = ZrmCohort::compute(period.starts_on(), period.ends_on(), &borrowed);
            // Outside the foundation: the guidance domains only, small figures suppressed.
            if self.inner.policy.suppresses_small_cells(&caller.actor) {
                cohort = cohort.for_outside_reader(self.inner.min_cell);
            }
            Ok((cohort, basis))
        })
        .await
    }

    async fn meeting_agenda(&self, caller: &Caller, query: AgendaQuery) -> Result<MeetingAgenda, DomainError> {
        let entry = self.entry(caller, Action::Read, "meeting_agenda");
        self.read(entry, async {
            let basis = self.require(caller, Action::Read, &Resource::ChainMeetings)?;
            Ok((agenda(&self.inner.reader, &self.inner.keys, &query).await?, basis))
        })
        .await
    }
}

/// The agenda of a meeting on `query`'s day, from every active case and the previous meeting
/// (on the read pool for a read, in the writer's transaction for an adoption).
pub(crate) async fn agenda<C: sea_orm::ConnectionTrait>(
    c: &C,
    keys: &crate::crypto::Keyring,
    query: &AgendaQuery,
) -> Result<MeetingAgenda, DomainError> {
    let previous = sql::one(
        c,
        "SELECT id FROM meetings WHERE date < $1 ORDER BY date DESC, id DESC LIMIT 1",
        [sql::date(query.meeting_date).into()],
    )
    .await
    .map_err(db)?;
    let previous = match previous {
        Some(r) => {
            let id = MeetingId::parse(&get::<String>(&r, "id").map_err(db)?).map_err(internal)?;
            repo::load_meeting(c, keys, id).await?
        }
        None => None,
    };
    let rows = sql::all(c, "SELECT id FROM participants WHERE outflow_on IS NULL ORDER BY id", []).await.map_err(db)?;
    let mut cases = Vec::with_capacity(rows.len());
    for id in ids(&rows, "id", ParticipantId::from_uuid)? {
        if let Some(case) = repo::load_case(c, keys, id).await? {
            cases.push(case);
        }
    }
    Ok(MeetingAgenda::build(&cases, query, previous.as_ref()))
}
