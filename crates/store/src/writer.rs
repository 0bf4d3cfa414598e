//! The writer: one task that owns all writes and commits them in groups.
//!
//! Every write (a command with its state, events and audit record) and every audit record of a
//! read is a job. The writer takes the jobs waiting in its queue (up to a batch size), runs them
//! in one transaction, each inside its own savepoint so one failing job does not undo the
//! others, appends each job's audit record to the hash chain, and commits once: one fsync for
//! the whole group. Only after the commit does any caller get its answer, so nothing is
//! acknowledged before it is durable, and a failed job still leaves its audit record.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;

use perspectief_core::DomainError;
use perspectief_core::service::AuditEntry;
use sea_orm::{DatabaseConnection, DatabaseTransaction, SqliteTransactionMode, TransactionOptions, TransactionTrait};
use tokio::sync::{mpsc, oneshot};

use crate::audit::Chain;
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

type Reply = oneshot::Sender<Result<Output, DomainError>>;

struct Job {
    entry: AuditEntry,
    work: Option<Work>,
    reply: Reply,
}

/// A handle to the writer task.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    tx: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("operation", &self.entry.operation).finish()
    }
}

impl Writer {
    /// Start the writer on `db` (a connection that nothing else writes through).
    pub(crate) fn start(db: DatabaseConnection, max_batch: usize, queue: usize) -> Self {
        let (tx, rx) = mpsc::channel(queue);
        tokio::spawn(run(db, rx, max_batch.max(1)));
        Self { tx }
    }

    /// Run `work` and append `entry` (completed by the work and the outcome); returns the work's
    /// output once committed.
    pub(crate) async fn submit(&self, entry: AuditEntry, work: Option<Work>) -> Result<Output, DomainError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Job { entry, work, reply }).await.map_err(|_| unavailable())?;
        // A dropped reply means the batch was interrupted (its task panicked): nothing of it
        // was committed.
        rx.await.map_err(|_| interrupted())?
    }
}

fn unavailable() -> DomainError {
    DomainError::Unavailable { reason: "the store is shutting down".to_owned() }
}

fn interrupted() -> DomainError {
    DomainError::Unavailable { reason: "the write was interrupted and not saved; try again".to_owned() }
}

/// Whether an error means the database (not the request) failed: then the whole transaction
/// is suspect and the batch is abandoned rather than committed around it.
fn is_infrastructure(e: &DomainError) -> bool {
    matches!(e, DomainError::Internal { .. } | DomainError::Unavailable { .. })
}

async fn run(db: DatabaseConnection, mut rx: mpsc::Receiver<Job>, max_batch: usize) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < max_batch {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        // Each batch runs in its own task, so a panic fails that batch (its callers get an
        // error, nothing is committed) and the writer goes on.
        if let Err(e) = tokio::spawn(process(db.clone(), batch)).await {
            tracing::error!(error = %e, "a write batch failed unexpectedly; it was rolled back");
        }
    }
}

async fn process(db: DatabaseConnection, batch: Vec<Job>) {
    let options =
        TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..Default::default() };
    let txn = match db.begin_with_options(options).await {
        Ok(t) => t,
        Err(e) => return fail_all(batch, db_err(e)),
    };
    let mut chain = match Chain::lock(&txn).await {
        Ok(c) => c,
        Err(e) => return fail_all(batch, db_err(e)),
    };
    let mut done: Vec<(Reply, Result<Output, DomainError>)> = Vec::with_capacity(batch.len());
    let mut jobs = batch.into_iter();
    while let Some(job) = jobs.next() {
        let mut entry = job.entry;
        // A job without work only records a read, whose outcome the caller already set.
        let result = match job.work {
            None => Ok(Box::new(()) as Output),
            Some(work) => {
                let result = run_in_savepoint(&txn, work, &mut entry).await;
                if let Err(e) = &result
                    && is_infrastructure(e)
                {
                    // Abandon the batch: roll back and tell every caller, none committed.
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
                entry = entry.with_outcome(&result);
                result
            }
        };
        chain.append(&entry);
        done.push((job.reply, result));
    }
    let committed = match chain.save(&txn).await {
        Ok(()) => txn.commit().await.map_err(db_err),
        Err(e) => Err(db_err(e)),
    };
    match committed {
        Ok(()) => {
            for (reply, result) in done {
                let _ = reply.send(result);
            }
        }
        Err(e) => {
            // The transaction is dropped, so rolled back: nothing of this group was written.
            for (reply, _) in done {
                let _ = reply.send(Err(e.clone()));
            }
        }
    }
}

async fn run_in_savepoint(
    txn: &DatabaseTransaction,
    work: Work,
    entry: &mut AuditEntry,
) -> Result<Output, DomainError> {
    let sp = txn.begin().await.map_err(db_err)?;
    match work(&sp, entry).await {
        Ok(out) => {
            sp.commit().await.map_err(db_err)?;
            Ok(out)
        }
        Err(e) => {
            sp.rollback().await.map_err(db_err)?;
            Err(e)
        }
    }
}

fn db_err(e: sea_orm::DbErr) -> DomainError {
    db(e)
}

fn fail_all(batch: Vec<Job>, e: DomainError) {
    for job in batch {
        let _ = job.reply.send(Err(e.clone()));
    }
}
