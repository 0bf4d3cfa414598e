//! The writer: one task that owns all writes and commits them in groups.
//!
//! Every write (a command with its state, events and audit record) and every audit record of a
//! read is a job. The writer takes the jobs waiting in its queue (up to a batch size), runs them
//! in one transaction, appends each job's audit record to the hash chain, and commits once: one
//! fsync for the whole group. Only after the commit does any caller get its answer, so nothing
//! is acknowledged before it is durable, and a failed job still leaves its audit record.
//!
//! A job that may fail after it has written something runs in its own savepoint, so its
//! failure is undone alone and the group goes on ([`Writer::submit`]). A *decided* job
//! ([`Writer::submit_decided`]) reads and decides first and writes only once nothing but the
//! database itself can fail: it runs without a savepoint (two round trips fewer), and should
//! it still fail after writing, the whole group is rolled back and every caller told that
//! nothing was saved. Decided jobs put the rows that nobody in the group reads back (events,
//! feed positions, activity log, report projection) in a [`Deferred`] buffer, written with one
//! statement per table per group before the access-log records and the commit.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use perspectief_core::DomainError;
use perspectief_core::service::AuditEntry;
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};
use tokio::sync::{mpsc, oneshot};

use crate::audit::{AuditKey, Chain};
use crate::cache::CaseCache;
use crate::deferred::Deferred;
use crate::error::db;

/// What a job's work returns.
pub(crate) type Output = Box<dyn Any + Send>;

/// The work of a job: runs inside the batch transaction and may fill in its audit entry
/// (participant, category, basis).
pub(crate) type Work = Box<
    dyn for<'t> FnOnce(
            &'t DatabaseTransaction,
            &'t mut AuditEntry,
        ) -> Pin<Box<dyn Future<Output = Result<Output, DomainError>> + Send + 't>>
        + Send,
>;

/// The work of a decided job: like [`Work`], with the group's buffer of deferred rows. It sets
/// [`Deferred::writing`] before its first write.
pub(crate) type DecidedWork = Box<
    dyn for<'t> FnOnce(
            &'t DatabaseTransaction,
            &'t mut AuditEntry,
            &'t mut Deferred,
        ) -> Pin<Box<dyn Future<Output = Result<Output, DomainError>> + Send + 't>>
        + Send,
>;

type Reply = oneshot::Sender<Result<Output, DomainError>>;

/// The further audit records of a job that does many things in one transaction (an import):
/// filled by its work, appended after the job's own record when the work succeeds. On failure
/// only the job's own record (with the failure) is kept, as nothing else of it was written.
pub(crate) type Records = Arc<std::sync::Mutex<Vec<AuditEntry>>>;

/// What a job does besides its audit record.
enum Task {
    /// Nothing: it records a read, whose outcome the caller already set.
    Record,
    /// Work in a savepoint of its own.
    Isolated(Work),
    /// Decided work without a savepoint.
    Decided(DecidedWork),
}

struct Job {
    entry: AuditEntry,
    task: Task,
    reply: Reply,
    records: Option<Records>,
}

/// The writer's metrics: its queue, its batches and their commits.
#[derive(Debug, Clone)]
pub(crate) struct WriterMetrics {
    pub(crate) queue_depth: prometheus_client::metrics::gauge::Gauge,
    pub(crate) batch_size: prometheus_client::metrics::histogram::Histogram,
    pub(crate) commit_seconds: prometheus_client::metrics::histogram::Histogram,
    pub(crate) failed_batches: prometheus_client::metrics::counter::Counter,
}

impl Default for WriterMetrics {
    fn default() -> Self {
        use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
        Self {
            queue_depth: Default::default(),
            batch_size: Histogram::new(exponential_buckets(1.0, 2.0, 10)),
            // 0.1 ms to about 3 s.
            commit_seconds: Histogram::new(exponential_buckets(0.0001, 2.0, 15)),
            failed_batches: Default::default(),
        }
    }
}

/// A handle to the writer task.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    tx: mpsc::Sender<Job>,
    pub(crate) metrics: WriterMetrics,
    /// Changes after every committed batch that wrote something: open event streams wait on it.
    pub(crate) written: tokio::sync::watch::Receiver<u64>,
    /// Decrypted case files: the writer adds those its groups committed.
    pub(crate) cases: CaseCache,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("operation", &self.entry.operation).finish()
    }
}

impl Writer {
    /// Start the writer on `db` (a connection that nothing else writes through).
    /// `cases` is the capacity of its cache of decrypted case files (0: none).
    pub(crate) fn start(db: DatabaseConnection, key: AuditKey, max_batch: usize, queue: usize, cases: usize) -> Self {
        let (tx, rx) = mpsc::channel(queue);
        let metrics = WriterMetrics::default();
        let (signal, written) = tokio::sync::watch::channel(0);
        let cases = CaseCache::new(cases);
        let context = Context { metrics: metrics.clone(), signal: Arc::new(signal), cases: cases.clone() };
        tokio::spawn(run(db, key, rx, max_batch.max(1), context));
        Self { tx, metrics, written, cases }
    }

    /// Run `work` and append `entry` (completed by the work and the outcome); returns the work's
    /// output once committed.
    pub(crate) async fn submit(&self, entry: AuditEntry, work: Option<Work>) -> Result<Output, DomainError> {
        let task = work.map_or(Task::Record, Task::Isolated);
        self.send(entry, task, None).await
    }

    /// Run `work` in a savepoint, as [`Writer::submit`] does, and append `entry` and then, if
    /// the work succeeded, the records it left in `records`.
    pub(crate) async fn submit_recorded(
        &self,
        entry: AuditEntry,
        work: Work,
        records: Records,
    ) -> Result<Output, DomainError> {
        self.send(entry, Task::Isolated(work), Some(records)).await
    }

    /// Run decided `work` without a savepoint (see the module's documentation) and append
    /// `entry`; returns the work's output once committed.
    pub(crate) async fn submit_decided(&self, entry: AuditEntry, work: DecidedWork) -> Result<Output, DomainError> {
        self.send(entry, Task::Decided(work), None).await
    }

    async fn send(&self, entry: AuditEntry, task: Task, records: Option<Records>) -> Result<Output, DomainError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Job { entry, task, reply, records }).await.map_err(|_| unavailable())?;
        // A dropped reply means the batch was interrupted (its task panicked): nothing of it
        // was committed.
        rx.await.map_err(|_| interrupted())?
    }
}

impl Writer {
    /// Append several read records at once: all are queued before any answer is awaited, so
    /// they usually share one batch (one fsync). Returns once all are durable.
    pub(crate) async fn record(&self, entries: Vec<AuditEntry>) -> Result<(), DomainError> {
        let mut replies = Vec::with_capacity(entries.len());
        for entry in entries {
            let (reply, rx) = oneshot::channel();
            self.tx.send(Job { entry, task: Task::Record, reply, records: None }).await.map_err(|_| unavailable())?;
            replies.push(rx);
        }
        for rx in replies {
            rx.await.map_err(|_| interrupted())??;
        }
        Ok(())
    }
}

fn unavailable() -> DomainError {
    DomainError::Unavailable { reason: "the store is shutting down".to_owned() }
}

fn interrupted() -> DomainError {
    DomainError::Unavailable { reason: "the write was interrupted and not saved".to_owned() }
}

/// What every batch reports to.
#[derive(Clone)]
struct Context {
    metrics: WriterMetrics,
    signal: Arc<tokio::sync::watch::Sender<u64>>,
    cases: CaseCache,
}

async fn run(db: DatabaseConnection, key: AuditKey, mut rx: mpsc::Receiver<Job>, max_batch: usize, context: Context) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < max_batch {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        context.metrics.queue_depth.set(i64::try_from(rx.len()).unwrap_or(i64::MAX));
        // Each batch runs in its own task, so a panic fails that batch (its callers get an
        // error, nothing is committed) and the writer goes on.
        if let Err(e) = tokio::spawn(process(db.clone(), key.clone(), batch, context.clone())).await {
            context.metrics.failed_batches.inc();
            tracing::error!(error = %e, "a write batch failed unexpectedly; it was rolled back");
        }
    }
}

async fn process(db: DatabaseConnection, key: AuditKey, batch: Vec<Job>, context: Context) {
    let size = batch.len();
    let writes = batch.iter().any(|j| !matches!(j.task, Task::Record));
    let started = std::time::Instant::now();
    let txn = match crate::sql::write_transaction(&db).await {
        Ok(t) => t,
        Err(e) => return fail_all(batch, db_err(e), &context),
    };
    let mut chain = match Chain::lock(&txn, key).await {
        Ok(c) => c,
        Err(e) => return fail_all(batch, db_err(e), &context),
    };
    let mut done: Vec<(Reply, Result<Output, DomainError>)> = Vec::with_capacity(batch.len());
    let mut deferred = Deferred::default();
    // The late-entry threshold, once a decided job has read it in this transaction; only a job
    // in a savepoint may change it (an administrator's setting, an import), so it is read again
    // after one.
    let mut late = None;
    let mut jobs = batch.into_iter();
    while let Some(job) = jobs.next() {
        let mut entry = job.entry;
        // A read's record carries the outcome its caller set.
        let record = matches!(job.task, Task::Record);
        let (result, healthy) = match job.task {
            Task::Record => (Ok(Box::new(()) as Output), true),
            Task::Isolated(work) => {
                // It may read what the decided jobs before it wrote.
                late = None;
                if let Err(e) = flush(&txn, &mut deferred).await {
                    (Err(e), false)
                } else {
                    run_in_savepoint(&txn, work, &mut entry).await
                }
            }
            Task::Decided(work) => {
                let mut rows = Deferred::default();
                rows.late = late;
                let outcome = work(&txn, &mut entry, &mut rows).await;
                late = rows.late;
                match outcome {
                    Ok(out) => {
                        deferred.absorb(rows);
                        (Ok(out), true)
                    }
                    // Failed before writing anything: it fails alone.
                    Err(e) => {
                        let healthy = !rows.writing;
                        (Err(e), healthy)
                    }
                }
            }
        };
        if let Err(e) = &result
            && !healthy
        {
            // Abandon the batch: roll back and tell every caller, none committed.
            context.metrics.failed_batches.inc();
            tracing::error!(size, error = %e, "a write batch was abandoned and rolled back");
            let _ = txn.rollback().await;
            let error = interrupted();
            let _ = job.reply.send(Err(e.clone()));
            for (reply, _) in done {
                let _ = reply.send(Err(error.clone()));
            }
            for job in jobs {
                let _ = job.reply.send(Err(error.clone()));
            }
            return;
        }
        if !record {
            entry = entry.with_outcome(&result);
        }
        chain.append(&entry);
        if result.is_ok()
            && let Some(records) = &job.records
        {
            let records = std::mem::take(&mut *records.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
            for record in &records {
                chain.append(record);
            }
        }
        done.push((job.reply, result));
    }
    let saved = match flush(&txn, &mut deferred).await {
        Ok(()) => chain.save(&txn).await.map_err(db_err),
        Err(e) => Err(e),
    };
    let committed = match saved {
        // A COMMIT whose answer was lost may still have been applied: say so, rather than
        // invite a blind retry that could record the same thing twice.
        Ok(()) => txn.commit().await.map_err(|e| {
            tracing::error!(error = %e, "commit failed or its answer was lost");
            DomainError::Unavailable {
                reason:
                    "the outcome of this write is unknown (the database did not confirm it); check before repeating it"
                        .to_owned(),
            }
        }),
        Err(e) => Err(e),
    };
    match committed {
        Ok(()) => {
            context.metrics.batch_size.observe(size as f64);
            context.metrics.commit_seconds.observe(started.elapsed().as_secs_f64());
            if writes {
                context.signal.send_modify(|n| *n = n.wrapping_add(1));
            }
            // Only now, committed, may what the jobs sealed be served from the cache.
            std::mem::take(&mut deferred.fills).commit(&context.cases);
            for (reply, result) in done {
                let _ = reply.send(result);
            }
        }
        Err(e) => {
            context.metrics.failed_batches.inc();
            tracing::error!(size, error = %e, "a write batch was not committed");
            // The transaction is dropped, so rolled back: nothing of this group was written.
            for (reply, _) in done {
                let _ = reply.send(Err(e.clone()));
            }
        }
    }
}

/// Write the deferred rows of the decided jobs so far.
async fn flush(txn: &DatabaseTransaction, deferred: &mut Deferred) -> Result<(), DomainError> {
    if deferred.is_empty() {
        return Ok(());
    }
    deferred.flush(txn).await.map_err(db_err)
}

/// Run a job in a savepoint. The second value says whether the transaction is still usable:
/// a job's own failure is rolled back to its savepoint and the batch goes on; a failure of the
/// savepoint itself means the database undid more than the job, and the batch must be abandoned.
async fn run_in_savepoint(
    txn: &DatabaseTransaction,
    work: Work,
    entry: &mut AuditEntry,
) -> (Result<Output, DomainError>, bool) {
    let sp = match txn.begin().await {
        Ok(sp) => sp,
        Err(e) => return (Err(db_err(e)), false),
    };
    match work(&sp, entry).await {
        Ok(out) => match sp.commit().await {
            Ok(()) => (Ok(out), true),
            Err(e) => (Err(db_err(e)), false),
        },
        Err(e) => match sp.rollback().await {
            Ok(()) => (Err(e), true),
            Err(rollback) => {
                tracing::error!(error = %rollback, "rolling back to a savepoint failed");
                (Err(e), false)
            }
        },
    }
}

fn db_err(e: sea_orm::DbErr) -> DomainError {
    db(e)
}

fn fail_all(batch: Vec<Job>, e: DomainError, context: &Context) {
    context.metrics.failed_batches.inc();
    tracing::error!(size = batch.len(), error = %e, "a write batch could not start");
    for job in batch {
        let _ = job.reply.send(Err(e.clone()));
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use perspectief_core::service::Caller;
    use perspectief_core::*;
    use sea_orm::Database;
    use sea_orm_migration::MigratorTrait;

    use super::*;
    use crate::migrations::Migrator;

    fn entry() -> AuditEntry {
        let actor = Actor {
            user: UserId::from_u128(1),
            organisation: OrganisationId::from_u128(2),
            role: Role::ProjectLead,
            grant: perspectief_core::access::Grant::NONE,
        };
        AuditEntry::new(
            &Caller::local(actor),
            Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap(),
            Action::Read,
            "test",
        )
    }

    #[tokio::test]
    async fn a_panicking_job_fails_alone_and_the_writer_goes_on() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        let writer = Writer::start(db.clone(), AuditKey([7; 32]), 16, 16, 0);
        let panics: Work = Box::new(|_txn, _entry| Box::pin(async { panic!("a bug in a job") }));
        let err = writer.submit(entry(), Some(panics)).await.unwrap_err();
        assert_eq!(err.code(), "unavailable");
        // The writer still works, and nothing of the failed batch was written.
        writer.submit(entry(), None).await.unwrap();
        let head = crate::audit::verify(&db, &AuditKey([7; 32])).await.unwrap();
        assert!(matches!(head, perspectief_core::service::ChainVerification::Intact { records: 1, .. }), "{head}");
    }

    #[tokio::test]
    async fn the_chain_verifies_only_under_its_own_key() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        let writer = Writer::start(db.clone(), AuditKey([7; 32]), 16, 16, 0);
        writer.submit(entry(), None).await.unwrap();
        // Someone who rewrote the log without the database's key could not make it verify.
        let other = crate::audit::verify(&db, &AuditKey([8; 32])).await.unwrap();
        assert!(
            matches!(other, perspectief_core::service::ChainVerification::Broken { first_broken_seq: 1, .. }),
            "{other}"
        );
    }

    #[tokio::test]
    async fn a_failing_job_is_rolled_back_to_its_savepoint_and_still_audited() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        let writer = Writer::start(db.clone(), AuditKey([7; 32]), 16, 16, 0);
        let fails: Work = Box::new(|txn, _entry| {
            Box::pin(async move {
                crate::sql::exec(txn, "INSERT INTO meta (key, value) VALUES ('half', 'written')", []).await.unwrap();
                Err(DomainError::RuleViolated { rule: Rule::PlanRequired })
            })
        });
        assert_eq!(writer.submit(entry(), Some(fails)).await.unwrap_err().code(), "plan_required");
        let half = crate::sql::one(&db, "SELECT value FROM meta WHERE key = 'half'", []).await.unwrap();
        assert!(half.is_none(), "nothing half-written");
        let records = crate::audit::records(&db, None, 0, 10).await.unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].entry.outcome, perspectief_core::service::AuditOutcome::Failed);
    }

    fn meta_insert(key: &'static str) -> DecidedWork {
        Box::new(move |txn, _entry, rows| {
            Box::pin(async move {
                rows.writing = true;
                crate::sql::exec(txn, "INSERT INTO meta (key, value) VALUES ($1, 'written')", [key.into()])
                    .await
                    .map_err(db_err)?;
                Ok(Box::new(()) as Output)
            })
        })
    }

    #[tokio::test]
    async fn a_decided_job_refused_before_writing_fails_alone() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        let writer = Writer::start(db.clone(), AuditKey([7; 32]), 16, 16, 0);
        let refused: DecidedWork = Box::new(|_txn, _entry, _rows| {
            Box::pin(async { Err(DomainError::RuleViolated { rule: Rule::PlanRequired }) })
        });
        let (a, b) =
            tokio::join!(writer.submit_decided(entry(), refused), writer.submit_decided(entry(), meta_insert("b")));
        assert_eq!(a.unwrap_err().code(), "plan_required");
        b.unwrap();
        let written = crate::sql::one(&db, "SELECT value FROM meta WHERE key = 'b'", []).await.unwrap();
        assert!(written.is_some());
        let records = crate::audit::records(&db, None, 0, 10).await.unwrap();
        assert_eq!(records.len(), 2, "both on record");
    }

    #[tokio::test]
    async fn a_decided_job_failing_after_writing_rolls_back_its_whole_group() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        let writer = Writer::start(db.clone(), AuditKey([7; 32]), 16, 16, 0);
        let half: DecidedWork = Box::new(|txn, _entry, rows| {
            Box::pin(async move {
                rows.writing = true;
                crate::sql::exec(txn, "INSERT INTO meta (key, value) VALUES ('half', 'written')", []).await.unwrap();
                Err(DomainError::Unavailable { reason: "the database failed".to_owned() })
            })
        });
        // Queued together, so they share a group: the one before it is not acknowledged either.
        let (a, b, c) = tokio::join!(
            writer.submit_decided(entry(), meta_insert("a")),
            writer.submit_decided(entry(), half),
            writer.submit(entry(), None),
        );
        for r in [a.map(drop), b.map(drop), c.map(drop)] {
            assert_eq!(r.unwrap_err().code(), "unavailable");
        }
        for key in ["a", "half"] {
            let row = crate::sql::one(&db, "SELECT value FROM meta WHERE key = $1", [key.into()]).await.unwrap();
            assert!(row.is_none(), "{key}: nothing of the group was written");
        }
        assert!(crate::audit::records(&db, None, 0, 10).await.unwrap().is_empty());
        // The writer goes on.
        writer.submit_decided(entry(), meta_insert("after")).await.unwrap();
        let head = crate::audit::verify(&db, &AuditKey([7; 32])).await.unwrap();
        assert!(matches!(head, perspectief_core::service::ChainVerification::Intact { records: 1, .. }), "{head}");
    }

    /// A decided job that seals a new state of a case, then (when `fail`) fails after writing.
    fn contact_job(keys: crate::crypto::Keyring, case: perspectief_core::case::Case, fail: bool) -> DecidedWork {
        Box::new(move |txn, _entry, rows| {
            Box::pin(async move {
                let mut case = case;
                let ctx = perspectief_core::case::CommandContext::at(
                    UserId::from_u128(1),
                    Utc.with_ymd_and_hms(2026, 11, 2, 13, 0, 0).unwrap(),
                );
                let previous = case.version();
                let revise = perspectief_core::case::CaseCommand::RevisePlan {
                    personal_situation: Text::parse("a").unwrap(),
                    perspective: Text::parse("b").unwrap(),
                    on: None,
                };
                let events = case.execute(revise, &ctx).unwrap();
                crate::repo::save_case_deferred(txn, &keys, None, &case, Some(previous), &events, rows).await?;
                if fail {
                    return Err(DomainError::Unavailable { reason: "the database failed".to_owned() });
                }
                Ok(Box::new(()) as Output)
            })
        })
    }

    #[tokio::test]
    async fn the_case_cache_gets_a_sealed_state_only_when_its_group_commits() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        let keys =
            crate::crypto::Keyring::from_hex_keys(&[crate::crypto::Keyring::generate_hex_key().unwrap()]).unwrap();
        let ctx = perspectief_core::case::CommandContext::at(
            UserId::from_u128(1),
            Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap(),
        );
        let profile = ParticipantProfile::minimal(Name::parse("Cache").unwrap(), UserId::from_u128(1));
        let id = ParticipantId::from_u128(9);
        let (case, first) = perspectief_core::case::Case::register(
            perspectief_core::case::RegisterParticipant { id, profile, registered_on: ctx.today },
            &ctx,
        )
        .unwrap();
        crate::repo::save_case(&db, &keys, &case, None, &[first]).await.unwrap();
        let writer = Writer::start(db.clone(), AuditKey([7; 32]), 16, 16, 8);

        // Sealed and written by a job that succeeded, then its group rolled back for a later
        // job's failure (queued together, so they share the group): nothing cached.
        let (a, b) = tokio::join!(
            writer.submit_decided(entry(), contact_job(keys.clone(), case.clone(), false)),
            writer.submit_decided(entry(), contact_job(keys.clone(), case.clone(), true)),
        );
        assert_eq!(a.map(drop).unwrap_err().code(), "unavailable");
        assert_eq!(b.map(drop).unwrap_err().code(), "version_conflict", "it saved the same version again");
        assert!(writer.cases.get(id).is_none(), "a rolled-back state is never cached");

        // Committed: cached, the very state the row holds (a cached load reads no state).
        writer.submit_decided(entry(), contact_job(keys.clone(), case.clone(), false)).await.unwrap();
        let cached = writer.cases.get(id).expect("cached at commit");
        assert_eq!(cached.case.version(), case.version() + 1);
        let mode = crate::repo::CacheUse::ReadOnly;
        let (loaded, _) =
            crate::repo::load_case_keyed_cached(&db, &keys, &writer.cases, mode, id).await.unwrap().unwrap();
        assert_eq!(loaded, cached.case);
        let uncached = crate::repo::load_case(&db, &keys, id).await.unwrap().unwrap();
        assert_eq!(loaded, uncached);
    }

    /// A decided job that answers with the late-entry threshold its group has in force, and,
    /// when `set` holds days, writes them into `meta` itself (not what a decided job may do:
    /// here it shows that the group does not read the threshold again).
    fn threshold_job(set: Option<&'static str>) -> DecidedWork {
        Box::new(move |txn, _entry, rows| {
            Box::pin(async move {
                let policy = rows.late_policy(txn).await?;
                if let Some(days) = set {
                    crate::sql::exec(txn, "UPDATE meta SET value = $1 WHERE key = 'late_entry_days'", [days.into()])
                        .await
                        .map_err(db_err)?;
                }
                Ok(Box::new(policy.days()) as Output)
            })
        })
    }

    #[tokio::test]
    async fn a_group_reads_the_late_threshold_once_and_again_after_a_job_that_may_change_it() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        crate::sql::exec(&db, "INSERT INTO meta (key, value) VALUES ('late_entry_days', '3')", []).await.unwrap();
        let writer = Writer::start(db.clone(), AuditKey([7; 32]), 16, 16, 0);
        let setting: Work = Box::new(|txn, _entry| {
            Box::pin(async move {
                crate::sql::exec(txn, "UPDATE meta SET value = '12' WHERE key = 'late_entry_days'", [])
                    .await
                    .map_err(db_err)?;
                Ok(Box::new(()) as Output)
            })
        });
        // Queued together, so they share one group.
        let (a, b, c, set, d) = tokio::join!(
            writer.submit_decided(entry(), threshold_job(None)),
            writer.submit_decided(entry(), threshold_job(Some("5"))),
            writer.submit_decided(entry(), threshold_job(None)),
            writer.submit(entry(), Some(setting)),
            writer.submit_decided(entry(), threshold_job(None)),
        );
        let days = |r: Result<Output, DomainError>| *r.unwrap().downcast::<u16>().unwrap();
        set.unwrap();
        // Read once: the third job still has the group's 3, though the second wrote 5.
        assert_eq!((days(a), days(b), days(c)), (3, 3, 3));
        // After a job in a savepoint (which may change it) the group reads it again.
        assert_eq!(days(d), 12);
    }
}
