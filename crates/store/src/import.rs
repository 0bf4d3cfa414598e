//! The import of whole histories: many participants' case commands, written all or nothing.
//!
//! The command line reads the files, turns each row into a core command and checks them
//! against the core; this runs them for real as one writer job, so one transaction: every
//! step authorised and decided as [`PerspectiefService::execute`] does (the access policy,
//! the organisations named, the case's rules), each with its own audit record, then the
//! foundation's own participant numbers and the rows' keys (m0021) in the same transaction.
//! A row key already stored refuses the whole import, naming the rows; a refused step refuses
//! it too, naming the step. An interrupted import (the process killed) leaves nothing, as an
//! uncommitted transaction does.
//!
//! [`PerspectiefService::execute`]: perspectief_core::service::PerspectiefService::execute

use std::sync::{Arc, Mutex, PoisonError};

use perspectief_core::access::{Action, DataCategory, Resource};
use perspectief_core::case::{Case, CaseCommand, RegisterParticipant};
use perspectief_core::meeting::{ChainMeeting, MeetingCommand, MeetingEvent};
use perspectief_core::service::{AuditEntry, Caller};
use perspectief_core::session::{InformationSession, PlanSession, SessionCommand};
use perspectief_core::{DomainError, EntityKind, MeetingId, ParticipantId};

use crate::Store;
use crate::deferred::Deferred;
use crate::error::db;
use crate::repo::{self, Shared};
use crate::service::downcast;
use crate::sql::{self, get};
use crate::writer::{Output, Records, Work};

/// One participant's part of an import, in the order it is to be executed.
#[derive(Debug, Clone)]
pub struct ImportedParticipant {
    /// The foundation's own participant number (the files' key).
    pub number: String,
    /// The participant.
    pub participant: ParticipantId,
    /// The registration, with its step number, for a new participant; `None` for one an
    /// earlier import registered under the same number.
    pub registration: Option<(usize, RegisterParticipant)>,
    /// The commands with their step numbers, in effective-date order.
    pub steps: Vec<(usize, CaseCommand)>,
    /// Chain-meeting commands on the participant, each run just before `steps[before]` (after
    /// the last step when `before` is past the end), in order.
    pub chain: Vec<ImportedChainStep>,
}

/// A chain meeting of an import, scheduled before any participant's step.
#[derive(Debug, Clone)]
pub struct ImportedMeeting {
    /// The caller's step number.
    pub step: usize,
    /// The meeting.
    pub id: MeetingId,
    /// Its day.
    pub date: chrono::NaiveDate,
}

/// One chain-meeting command on a participant, placed among their case steps by effective
/// date (the outflow ended by chain decision follows the adopted advice).
#[derive(Debug, Clone)]
pub struct ImportedChainStep {
    /// The index in the participant's `steps` this runs before.
    pub before: usize,
    /// The caller's step number.
    pub step: usize,
    /// The meeting (one of the import's [`ImportedMeeting`]s).
    pub meeting: MeetingId,
    /// The command, run as [`PerspectiefService::execute_meeting`] runs it: on the meeting,
    /// and what it brings to the case on the case.
    ///
    /// [`PerspectiefService::execute_meeting`]: perspectief_core::service::PerspectiefService::execute_meeting
    pub command: MeetingCommand,
}

/// One participant's part of a spreadsheet import ([`Store::import_cases`]): no number.
#[derive(Debug, Clone)]
pub struct ImportedCase {
    /// The participant.
    pub participant: ParticipantId,
    /// The registration, with its step number, for a new participant; `None` for one that
    /// exists.
    pub registration: Option<(usize, RegisterParticipant)>,
    /// The commands with their step numbers, in the order they are to be executed.
    pub steps: Vec<(usize, CaseCommand)>,
}

/// An information session of an import: its planning and what followed (attendance, the
/// head count of those not registered), each with its step number.
#[derive(Debug, Clone)]
pub struct ImportedSession {
    /// The planning, with its step number.
    pub plan: (usize, PlanSession),
    /// The commands after it, in order.
    pub steps: Vec<(usize, SessionCommand)>,
}

/// A row's stable key, stored so that importing it again is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowKey {
    /// The key (the caller's hash of the row's kind, participant number and content).
    pub key: String,
    /// The record kind (the file).
    pub kind: String,
    /// The participant the row belongs to.
    pub participant: Option<ParticipantId>,
}

/// An import of whole histories.
#[derive(Debug, Clone, Default)]
pub struct HistoryImport {
    /// The participants, each with their steps.
    pub participants: Vec<ImportedParticipant>,
    /// Information sessions, written after the participants (attendance names them).
    pub sessions: Vec<ImportedSession>,
    /// Chain meetings, scheduled before the participants (their commands are the
    /// participants' [`ImportedParticipant::chain`]).
    pub meetings: Vec<ImportedMeeting>,
    /// Every row's key.
    pub rows: Vec<RowKey>,
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportSummary {
    /// Participants registered.
    pub registered: usize,
    /// Commands executed (registrations not counted).
    pub executed: usize,
}

/// Why nothing was imported.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ImportError {
    /// These row keys were imported before.
    #[error("{} rows were imported before", keys.len())]
    AlreadyImported {
        /// The keys found.
        keys: Vec<String>,
    },
    /// A step was refused (or, without a step, the import as a whole).
    #[error("step {step:?} refused: {error}")]
    Refused {
        /// The caller's step number.
        step: Option<usize>,
        /// Why.
        error: DomainError,
    },
}

#[derive(Debug, Default)]
struct Progress {
    step: Option<usize>,
    duplicates: Vec<String>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The keys among `keys` that are stored.
async fn found_keys<C: sea_orm::ConnectionTrait>(c: &C, keys: &[String]) -> Result<Vec<String>, DomainError> {
    let mut found = Vec::new();
    for chunk in keys.chunks(500) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let rows = sql::all(
            c,
            &format!("SELECT row_key FROM imported_rows WHERE row_key IN ({})", placeholders.join(", ")),
            chunk.iter().map(|k| k.clone().into()).collect::<Vec<sea_orm::Value>>(),
        )
        .await
        .map_err(db)?;
        for r in &rows {
            found.push(get::<String>(r, "row_key").map_err(db)?);
        }
    }
    Ok(found)
}

impl Store {
    /// The foundation's own participant numbers recorded by earlier imports, with their
    /// participants (for a caller who may search the participant directory; logged).
    pub async fn participant_numbers(&self, caller: &Caller) -> Result<Vec<(String, ParticipantId)>, DomainError> {
        let mut entry = self.entry(caller, Action::Search, "participant_numbers");
        entry.category = Some(DataCategory::Identity);
        self.read(entry, async {
            let basis = self.require(caller, Action::Search, &Resource::ParticipantDirectory)?;
            let rows = sql::all(
                &self.inner.reader,
                "SELECT number, participant_id FROM participant_numbers ORDER BY number",
                [],
            )
            .await
            .map_err(db)?;
            let mut numbers = Vec::with_capacity(rows.len());
            for r in &rows {
                let id: String = get(r, "participant_id").map_err(db)?;
                numbers.push((
                    get::<String>(r, "number").map_err(db)?,
                    ParticipantId::from_uuid(crate::service::uuid_of(&id)?),
                ));
            }
            Ok((numbers, basis))
        })
        .await
    }

    /// Which of these row keys were imported before (for a caller who may search the
    /// participant directory; logged). The import checks again in its own transaction.
    pub async fn imported_before(&self, caller: &Caller, keys: Vec<String>) -> Result<Vec<String>, DomainError> {
        let entry = self.entry(caller, Action::Search, "imported_rows");
        self.read(entry, async {
            let basis = self.require(caller, Action::Search, &Resource::ParticipantDirectory)?;
            Ok((found_keys(&self.inner.reader, &keys).await?, basis))
        })
        .await
    }

    /// Import whole histories in one transaction (see the module's documentation).
    pub async fn import_history(&self, caller: &Caller, import: HistoryImport) -> Result<ImportSummary, ImportError> {
        self.import_all(caller, "import_history", import, true).await
    }

    /// Import registrations and case commands without the foundation's own numbers (the
    /// spreadsheet imports `import participants` and `import contacts`) in one transaction, as
    /// [`Store::import_history`] does: every step authorised, decided and audited, all or
    /// nothing (a refused step names its step number; an interrupted import leaves nothing).
    /// `operation` names the import in the access log.
    pub async fn import_cases(
        &self,
        caller: &Caller,
        operation: &'static str,
        cases: Vec<ImportedCase>,
    ) -> Result<ImportSummary, ImportError> {
        let participants = cases
            .into_iter()
            .map(|c| ImportedParticipant {
                number: String::new(),
                participant: c.participant,
                registration: c.registration,
                steps: c.steps,
                chain: Vec::new(),
            })
            .collect();
        self.import_all(caller, operation, HistoryImport { participants, ..HistoryImport::default() }, false).await
    }

    /// The one writer job behind both imports; `numbered`: record each new participant's
    /// number (the history import's key), else the numbers are absent.
    async fn import_all(
        &self,
        caller: &Caller,
        operation: &'static str,
        import: HistoryImport,
        numbered: bool,
    ) -> Result<ImportSummary, ImportError> {
        let entry = self.entry(caller, Action::Create, operation);
        let (keys, policy, ctx, caller) =
            (self.inner.keys.clone(), self.inner.policy, self.context(caller), caller.clone());
        let records: Records = Arc::default();
        let progress: Arc<Mutex<Progress>> = Arc::default();
        let (written, seen) = (records.clone(), progress.clone());
        let work: Work = Box::new(move |txn, _entry| {
            Box::pin(async move {
                // The keys first: a second import of the same rows is refused before any step.
                let all: Vec<String> = import.rows.iter().map(|r| r.key.clone()).collect();
                let duplicates = found_keys(txn, &all).await?;
                if !duplicates.is_empty() {
                    let first = duplicates[0].clone();
                    lock(&seen).duplicates = duplicates;
                    return Err(DomainError::AlreadyExists { entity: EntityKind::Participant, id: first });
                }
                let mut rows = Deferred::default();
                let mut summary = ImportSummary { registered: 0, executed: 0 };
                let mut audit = Vec::new();
                // The meetings first, each with the events the participants' steps add.
                let mut meetings: std::collections::BTreeMap<MeetingId, (ChainMeeting, Vec<MeetingEvent>)> =
                    std::collections::BTreeMap::new();
                for m in &import.meetings {
                    lock(&seen).step = Some(m.step);
                    let mut e = AuditEntry::new(&caller, ctx.now, Action::Create, "schedule_meeting");
                    e.basis = Some(
                        policy
                            .decide(&caller.actor, Action::Create, &Resource::ChainMeetings, ctx.today)
                            .into_result()?,
                    );
                    let (meeting, event) = ChainMeeting::schedule(m.id, m.date, &ctx);
                    repo::save_meeting(txn, &keys, &meeting, &event).await?;
                    meetings.insert(m.id, (meeting, Vec::new()));
                    audit.push(e);
                    summary.executed += 1;
                }
                for p in import.participants {
                    let (mut case, own, previous, mut events) = match p.registration {
                        Some((step, cmd)) => {
                            lock(&seen).step = Some(step);
                            let mut e = AuditEntry::new(&caller, ctx.now, Action::Create, "register_participant");
                            e.participant = Some(cmd.id);
                            e.category = Some(DataCategory::Identity);
                            let scope = perspectief_core::access::ParticipantScope {
                                participant: cmd.id,
                                project_worker: cmd.profile.project_worker,
                                consents: &[],
                                levels: perspectief_core::CaseLevels::DEFAULT,
                            };
                            e.basis = Some(
                                policy
                                    .decide(
                                        &caller.actor,
                                        Action::Create,
                                        &Resource::CaseData { scope, category: DataCategory::Identity },
                                        ctx.today,
                                    )
                                    .into_result()?,
                            );
                            let (case, event) = Case::register(cmd, &ctx)?;
                            audit.push(e);
                            summary.registered += 1;
                            (case, None, None, vec![event])
                        }
                        None => {
                            let (case, own) =
                                repo::load_case_keyed(txn, &keys, p.participant).await?.ok_or_else(|| {
                                    DomainError::NotFound {
                                        entity: EntityKind::Participant,
                                        id: p.participant.to_string(),
                                    }
                                })?;
                            let version = case.version();
                            (case, own, Some(version), Vec::new())
                        }
                    };
                    let mut chain = p.chain.into_iter().peekable();
                    for (index, item) in p.steps.into_iter().map(Some).chain(std::iter::once(None)).enumerate() {
                        // The chain-meeting commands due before this step (or after the last).
                        while let Some(c) = chain.next_if(|c| c.before <= index || item.is_none()) {
                            lock(&seen).step = Some(c.step);
                            let mut e = AuditEntry::new(&caller, ctx.now, Action::Update, "execute_meeting");
                            e.participant = Some(p.participant);
                            e.category = Some(DataCategory::Guidance);
                            e.basis = Some(
                                policy
                                    .decide(&caller.actor, Action::Update, &Resource::ChainMeetings, ctx.today)
                                    .into_result()?,
                            );
                            let (meeting, meeting_events) = meetings.get_mut(&c.meeting).ok_or_else(|| {
                                DomainError::NotFound { entity: EntityKind::ChainMeeting, id: c.meeting.to_string() }
                            })?;
                            let mut trial = meeting.clone();
                            let event = trial.execute(c.command, &ctx)?;
                            // A participant's part carries commands on that participant only.
                            if event.change.participant() != Some(p.participant) {
                                return Err(DomainError::field(
                                    "participant",
                                    perspectief_core::ViolationCode::Invalid,
                                    "a chain-meeting step of another participant",
                                ));
                            }
                            if perspectief_core::app::meeting::meeting_case(&trial, &event).is_some() {
                                events.extend(perspectief_core::app::meeting::meeting_to_case(
                                    &policy,
                                    &caller.actor,
                                    &trial,
                                    &event,
                                    &mut case,
                                    &ctx,
                                )?);
                            }
                            *meeting = trial;
                            meeting_events.push(event);
                            audit.push(e);
                            summary.executed += 1;
                        }
                        let Some((step, cmd)) = item else { continue };
                        lock(&seen).step = Some(step);
                        let mut e = AuditEntry::new(&caller, ctx.now, Action::Update, cmd.name());
                        e.participant = Some(p.participant);
                        let authorised = perspectief_core::app::authorise_command(
                            &policy,
                            &caller.actor,
                            &case,
                            &cmd,
                            None,
                            ctx.today,
                            &mut e,
                        )?;
                        crate::organisations::require_named(txn, &cmd.organisations()).await?;
                        events.extend(case.execute(cmd, &ctx)?);
                        if let Some(request) = authorised.consent_override {
                            // On record for review, as a referral sent live on an override is.
                            rows.writing = true;
                            crate::privacy::record_consent_override(
                                txn,
                                &keys,
                                ctx.now,
                                &caller.actor,
                                p.participant,
                                &request,
                            )
                            .await?;
                        }
                        audit.push(e);
                        summary.executed += 1;
                    }
                    lock(&seen).step = None;
                    if previous.is_none() && !numbered {
                        repo::save_case(txn, &keys, &case, None, &events).await?;
                    } else if previous.is_none() {
                        repo::save_case(txn, &keys, &case, None, &events).await?;
                        sql::exec(
                            txn,
                            "INSERT INTO participant_numbers (number, participant_id) VALUES ($1, $2)",
                            [p.number.clone().into(), p.participant.to_string().into()],
                        )
                        .await
                        .map_err(|e| {
                            if sql::is_unique_violation(&e) {
                                DomainError::AlreadyExists { entity: EntityKind::Participant, id: p.number.clone() }
                            } else {
                                db(e)
                            }
                        })?;
                    } else if !events.is_empty() {
                        repo::save_case_deferred(txn, &keys, own, &case, previous, &events, &mut rows).await?;
                    }
                }
                rows.flush(txn).await.map_err(db)?;
                for (meeting, events) in meetings.values() {
                    repo::save_meeting_events(txn, &keys, meeting, 1, events).await?;
                }
                for s in import.sessions {
                    let (step, plan) = s.plan;
                    lock(&seen).step = Some(step);
                    let mut e = AuditEntry::new(&caller, ctx.now, Action::Create, "plan_session");
                    e.basis = Some(
                        policy
                            .decide(&caller.actor, Action::Create, &Resource::InformationSessions, ctx.today)
                            .into_result()?,
                    );
                    crate::organisations::require_named(txn, &plan.organisations()).await?;
                    let (mut session, event) = InformationSession::plan(plan, &ctx)?;
                    repo::save_session(txn, &keys, &session, &event).await?;
                    audit.push(e);
                    summary.executed += 1;
                    for (step, cmd) in s.steps {
                        lock(&seen).step = Some(step);
                        let mut e = AuditEntry::new(&caller, ctx.now, Action::Update, "execute_session");
                        if let Some(participant) = cmd.participant() {
                            e.participant = Some(participant);
                            e.category = Some(DataCategory::Guidance);
                        }
                        e.basis = Some(
                            policy
                                .decide(&caller.actor, Action::Update, &Resource::InformationSessions, ctx.today)
                                .into_result()?,
                        );
                        if let Some(participant) = InformationSession::must_exist(&cmd)
                            && !repo::participant_exists(txn, participant).await?
                        {
                            return Err(DomainError::NotFound {
                                entity: EntityKind::Participant,
                                id: participant.to_string(),
                            });
                        }
                        let event = session.run(cmd, &ctx)?;
                        session.save(txn, &keys, &event).await?;
                        audit.push(e);
                        summary.executed += 1;
                    }
                }
                lock(&seen).step = None;
                let at = sql::micros(ctx.now);
                for r in &import.rows {
                    sql::exec(
                        txn,
                        "INSERT INTO imported_rows (row_key, kind, participant_id, imported_at) VALUES ($1, $2, $3, $4)",
                        [
                            r.key.clone().into(),
                            r.kind.clone().into(),
                            r.participant.map(|p| p.to_string()).into(),
                            at.into(),
                        ],
                    )
                    .await
                    .map_err(db)?;
                }
                *lock(&written) = audit;
                Ok(Box::new(summary) as Output)
            })
        });
        match self.inner.writer.submit_recorded(entry, work, records).await {
            Ok(out) => downcast(out).map_err(|error| ImportError::Refused { step: None, error }),
            Err(error) => {
                let progress = std::mem::take(&mut *lock(&progress));
                if progress.duplicates.is_empty() {
                    Err(ImportError::Refused { step: progress.step, error })
                } else {
                    Err(ImportError::AlreadyImported { keys: progress.duplicates })
                }
            }
        }
    }
}

/// One participant as [`Store::export_history`] reads them: the foundation's own number when
/// an import stored one, the case as it is now, and every event of it, oldest first.
#[derive(Debug, Clone)]
pub struct ExportedParticipant {
    /// The number an earlier import stored (`participant_numbers`), if any.
    pub number: Option<String>,
    /// The case file.
    pub case: Case,
    /// Its events, oldest first.
    pub events: Vec<perspectief_core::case::CaseEvent>,
    /// The project lead's consent overrides on this case (a referral sent, a judgment
    /// communicated without a covering consent), with their reasons: the events do not carry
    /// them, and without them such a step cannot be imported again.
    pub overrides: Vec<perspectief_core::privacy::ConsentOverrideRecord>,
}

/// Everything `export history` writes: every participant's case history and every session.
#[derive(Debug, Clone, Default)]
pub struct HistoryExport {
    /// The participants, by id.
    pub participants: Vec<ExportedParticipant>,
    /// The information sessions, by date.
    pub sessions: Vec<InformationSession>,
    /// The chain meetings, by date.
    pub meetings: Vec<ChainMeeting>,
}

impl Store {
    /// Read every case history and session for `export history`: the whole database, so only
    /// for a caller who may export it (the core's decision on [`Resource::Database`], the
    /// administrator's alone, as a backup), audited as `export_history`. Read whole, as the
    /// store holds it: the export is a copy of the database in another form.
    pub async fn export_history(&self, caller: &Caller) -> Result<HistoryExport, DomainError> {
        let entry = self.entry(caller, Action::Export, "export_history");
        self.read(entry, async {
            let basis = self.require(caller, Action::Export, &Resource::Database)?;
            let (reader, keys) = (&self.inner.reader, &self.inner.keys);
            let rows =
                sql::all(reader, "SELECT number, participant_id FROM participant_numbers", []).await.map_err(db)?;
            let mut numbers = std::collections::BTreeMap::new();
            for r in &rows {
                numbers
                    .insert(get::<String>(r, "participant_id").map_err(db)?, get::<String>(r, "number").map_err(db)?);
            }
            let rows = sql::all(reader, "SELECT id FROM participants ORDER BY id", []).await.map_err(db)?;
            let mut participants = Vec::with_capacity(rows.len());
            for r in &rows {
                let id: String = get(r, "id").map_err(db)?;
                let participant = ParticipantId::from_uuid(crate::service::uuid_of(&id)?);
                // An erased participant's row may remain without a case: nothing to export.
                let Some(case) = repo::load_case(reader, keys, participant).await? else { continue };
                let mut events = Vec::new();
                loop {
                    let after = events.last().map_or(0, |e: &perspectief_core::case::CaseEvent| e.version);
                    let batch = repo::case_events(reader, keys, participant, after, 500).await?;
                    let done = batch.len() < 500;
                    events.extend(batch);
                    if done {
                        break;
                    }
                }
                let rows = sql::all(
                    reader,
                    &format!(
                        "SELECT {} FROM consent_overrides WHERE participant_id = $1 ORDER BY at, id",
                        crate::privacy::CONSENT_OVERRIDE_COLUMNS
                    ),
                    [id.clone().into()],
                )
                .await
                .map_err(db)?;
                let overrides = rows
                    .iter()
                    .map(|r| crate::privacy::consent_override_record(r, keys))
                    .collect::<Result<Vec<_>, _>>()?;
                participants.push(ExportedParticipant { number: numbers.get(&id).cloned(), case, events, overrides });
            }
            let (first, last) =
                (chrono::NaiveDate::from_ymd_opt(1900, 1, 1), chrono::NaiveDate::from_ymd_opt(9999, 12, 31));
            let (Some(first), Some(last)) = (first, last) else { unreachable!("fixed dates are valid") };
            let sessions = repo::sessions_between(reader, keys, first, last).await?;
            let mut meetings: Vec<ChainMeeting> = Vec::new();
            loop {
                let after = meetings.last().map(|m| (m.date(), m.id()));
                let batch = repo::meetings_between(reader, keys, first, last, after, 500).await?;
                let done = batch.len() < 500;
                meetings.extend(batch);
                if done {
                    break;
                }
            }
            Ok((HistoryExport { participants, sessions, meetings }, basis))
        })
        .await
    }
}
