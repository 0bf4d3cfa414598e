//! Signed checkpoints of the access log, made without anyone asking.
//!
//! The hash chain finds a record that was altered, inserted or removed in the middle, and
//! `audit_head` finds a cut-off tail, but `audit_head` is a row like any other: whoever can
//! drop the triggers can delete the tail *and* reset the head, and the shortened log verifies.
//! A checkpoint (the head's sequence number and hash, signed with the store's Ed25519 key) is
//! the guard against that. Here they are made:
//!
//! - **only over a verified log**: [`Store::checkpoint_now`] walks the whole chain first (and
//!   checks it against the latest checkpoint), and signs the head it verified, never what
//!   `audit_head` claims, so a checkpoint cannot certify a log that was already shortened;
//! - **automatically**: a background task of the store makes one when [`CheckpointPolicy`]'s
//!   number of records or time has passed since the last;
//! - **kept twice**: in the table `audit_checkpoints` (append-only, with triggers like the
//!   log's) and, when configured, as one JSON line each in a file outside the database (give
//!   it to another account, or make it append-only with `chattr +a`), which survives someone
//!   who rewrites the whole database.
//!
//! Verification ([`crate::audit`]) then compares the log with the latest checkpoint of both:
//! a log that ends before a checkpoint's sequence number was cut off or rolled back, and is
//! reported with the numbers that are missing; a record whose hash differs from the
//! checkpoint's was rewritten. What this cannot see is a change after the latest checkpoint:
//! at most `every_records` records or `every` of time, which is why checkpoints also go to
//! outside parties (`perspectief privacy checkpoint`).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use perspectief_core::privacy::{CHECKPOINT_FORMAT, Checkpoint, SignedCheckpoint, verify_checkpoint_signature};
use perspectief_core::service::ChainVerification;
use sea_orm::{ConnectionTrait, DbErr};

use crate::error::StoreError;
use crate::sql::{self, get};
use crate::{Store, audit};

/// When checkpoints are made and where they are kept besides the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointPolicy {
    /// A checkpoint once this many records were added since the last (at least 1).
    pub every_records: u64,
    /// A checkpoint once this much time passed since the last, if records were added.
    pub every: Duration,
    /// A file every checkpoint is also appended to (one JSON line each), outside the database.
    pub file: Option<PathBuf>,
}

impl Default for CheckpointPolicy {
    /// Every 1,000 records or every hour, in the database only.
    fn default() -> Self {
        Self { every_records: 1000, every: Duration::from_secs(3600), file: None }
    }
}

/// What verification compares the log with: the store's public key and the checkpoint file.
#[derive(Debug, Clone)]
pub(crate) struct Guard {
    pub(crate) public_key: String,
    pub(crate) file: Option<PathBuf>,
}

/// The latest checkpoint kept in the database, if any.
pub(crate) async fn latest_in_database<C: ConnectionTrait>(c: &C) -> Result<Option<SignedCheckpoint>, DbErr> {
    let row = sql::one(
        c,
        "SELECT seq, at, head_hash, foundation, public_key, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT 1",
        [],
    )
    .await?;
    let Some(row) = row else { return Ok(None) };
    let bad = |e: String| DbErr::Custom(format!("audit_checkpoints: {e}"));
    let seq: i64 = get(&row, "seq")?;
    Ok(Some(SignedCheckpoint {
        format: CHECKPOINT_FORMAT.to_owned(),
        checkpoint: Checkpoint {
            foundation: perspectief_core::OrganisationId::parse(&get::<String>(&row, "foundation")?)
                .map_err(|e| bad(e.to_string()))?,
            seq: u64::try_from(seq).map_err(|e| bad(e.to_string()))?,
            head_hash: get(&row, "head_hash")?,
            at: sql::from_micros(get(&row, "at")?)?,
        },
        public_key: get(&row, "public_key")?,
        signature: get(&row, "signature")?,
    }))
}

/// The checkpoint with the highest sequence number in the file; `Err` with what is wrong when
/// a line is not a checkpoint (a damaged or edited file is a finding, not a detail).
fn latest_in_file(path: &Path) -> Result<Option<SignedCheckpoint>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("the checkpoint file {} cannot be read: {e}", path.display())),
    };
    let mut latest: Option<SignedCheckpoint> = None;
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let cp: SignedCheckpoint = serde_json::from_str(line)
            .map_err(|_| format!("line {} of the checkpoint file {} is not a checkpoint", i + 1, path.display()))?;
        if latest.as_ref().is_none_or(|l| cp.checkpoint.seq > l.checkpoint.seq) {
            latest = Some(cp);
        }
    }
    Ok(latest)
}

/// Compare a verified chain (`records` records; `hash_at` gives a record's stored hash) with
/// the latest checkpoints of the database and the file. `None` when they agree.
pub(crate) async fn compare<C: ConnectionTrait>(
    c: &C,
    guard: &Guard,
    records: u64,
) -> Result<Option<ChainVerification>, DbErr> {
    let broken = |first_broken_seq: u64, reason: String| Some(ChainVerification::Broken { first_broken_seq, reason });
    let mut latest = Vec::new();
    if let Some(cp) = latest_in_database(c).await? {
        latest.push(("the database", cp));
    }
    if let Some(path) = &guard.file {
        match latest_in_file(path) {
            Ok(Some(cp)) => latest.push(("the checkpoint file", cp)),
            Ok(None) => {}
            Err(reason) => return Ok(broken(records + 1, reason)),
        }
    }
    for (place, cp) in latest {
        let seq = cp.checkpoint.seq;
        let at = cp.checkpoint.at.format("%Y-%m-%d %H:%M:%S UTC");
        if verify_checkpoint_signature(&cp, &guard.public_key).is_err() {
            return Ok(broken(seq, format!("the checkpoint of {at} in {place} is not signed by this database's key")));
        }
        if seq > records {
            return Ok(broken(
                records + 1,
                format!(
                    "the log ends at record {records}, but the checkpoint of {at} in {place} certified {seq}: records {} to {seq} were removed (the log was cut off or rolled back)",
                    records + 1
                ),
            ));
        }
        if seq == 0 {
            continue;
        }
        let row =
            sql::one(c, "SELECT hash FROM audit_log WHERE seq = $1", [i64::try_from(seq).unwrap_or(i64::MAX).into()])
                .await?;
        let hash: Option<String> = row.map(|r| get(&r, "hash")).transpose()?;
        if hash.as_deref() != Some(cp.checkpoint.head_hash.as_str()) {
            return Ok(broken(
                seq,
                format!(
                    "record {seq} is not the one the checkpoint of {at} in {place} certified: the log was rewritten"
                ),
            ));
        }
    }
    Ok(None)
}

impl Store {
    /// What verification compares the log with.
    pub(crate) fn guard(&self) -> Guard {
        Guard { public_key: self.inner.checkpoint_key.public_hex(), file: self.inner.checkpoints.file.clone() }
    }

    /// The latest checkpoint kept in the database (the automatic ones and those exported).
    pub async fn latest_checkpoint(&self) -> Result<Option<SignedCheckpoint>, StoreError> {
        Ok(latest_in_database(&self.inner.reader).await?)
    }

    /// Verify the whole access log (the chain, its head and the latest checkpoints), then sign
    /// the head that verified and keep the checkpoint in the database and the checkpoint file.
    /// A log that does not verify is not signed: the error names where it breaks. A log that
    /// did not grow since the latest checkpoint gets no second one; that one is returned.
    pub async fn checkpoint_now(&self) -> Result<SignedCheckpoint, StoreError> {
        let (records, head) = match audit::verify_with(&self.inner.reader, &self.inner.audit_key, &self.guard()).await?
        {
            ChainVerification::Intact { records, head } => (records, head),
            ChainVerification::Broken { first_broken_seq, reason } => {
                return Err(StoreError::AuditBroken { seq: first_broken_seq, reason });
            }
        };
        if let Some(latest) = latest_in_database(&self.inner.reader).await?
            && latest.checkpoint.seq == records
        {
            return Ok(latest);
        }
        let signed = self.inner.checkpoint_key.sign(Checkpoint {
            foundation: self.inner.policy.foundation,
            seq: records,
            head_hash: head,
            at: self.now(),
        });
        self.keep(&signed).await?;
        Ok(signed)
    }

    /// Keep a signed checkpoint: the database (once per sequence number) and the file.
    pub(crate) async fn keep(&self, signed: &SignedCheckpoint) -> Result<(), StoreError> {
        let cp = &signed.checkpoint;
        sql::exec(
            &self.inner.reader,
            "INSERT INTO audit_checkpoints (seq, at, head_hash, foundation, public_key, signature) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (seq) DO NOTHING",
            [
                i64::try_from(cp.seq).unwrap_or(i64::MAX).into(),
                sql::micros(cp.at).into(),
                cp.head_hash.clone().into(),
                cp.foundation.to_string().into(),
                signed.public_key.clone().into(),
                signed.signature.clone().into(),
            ],
        )
        .await?;
        if let Some(path) = &self.inner.checkpoints.file {
            append_line(path, signed)?;
        }
        Ok(())
    }

    /// Whether a checkpoint is due under the policy: records added since the latest (or
    /// none yet), and enough of them or enough time.
    async fn checkpoint_due(&self) -> Result<bool, StoreError> {
        let head = sql::one(&self.inner.reader, "SELECT seq FROM audit_head WHERE id = 1", [])
            .await?
            .map(|r| get::<i64>(&r, "seq"))
            .transpose()?
            .unwrap_or(0);
        let head = u64::try_from(head).unwrap_or(0);
        let policy = &self.inner.checkpoints;
        Ok(match latest_in_database(&self.inner.reader).await? {
            None => head > 0,
            Some(latest) => {
                let since = (self.now() - latest.checkpoint.at).to_std().unwrap_or_default();
                head > latest.checkpoint.seq
                    && (head - latest.checkpoint.seq >= policy.every_records.max(1) || since >= policy.every)
            }
        })
    }
}

/// Append one checkpoint as a JSON line, durably; the file is created readable by its owner only.
fn append_line(path: &Path, signed: &SignedCheckpoint) -> Result<(), StoreError> {
    let io = |e: std::io::Error| StoreError::Io {
        what: format!("writing the checkpoint file {}", path.display()),
        reason: e.to_string(),
    };
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io)?;
    let mut line = serde_json::to_string(signed).map_err(|e| io(std::io::Error::other(e)))?;
    line.push('\n');
    file.write_all(line.as_bytes()).map_err(io)?;
    file.sync_data().map_err(io)
}

/// Start the background task: after every committed write (and at least every
/// `policy.every`), make a checkpoint when one is due. It holds the store weakly and ends with
/// it.
pub(crate) fn start(store: &Store) {
    let weak = Arc::downgrade(&store.inner);
    let mut written = store.feed_signal();
    let every = store.inner.checkpoints.every.max(Duration::from_secs(1));
    tokio::spawn(async move {
        let mut failed = false;
        loop {
            match tokio::time::timeout(every, written.changed()).await {
                Ok(Err(_)) => break,              // the writer stopped: the store is gone
                Ok(Ok(())) if failed => continue, // after a failure, retry on the timer only
                _ => {}
            }
            let Some(inner) = weak.upgrade() else { break };
            let store = Store { inner };
            let result = match store.checkpoint_due().await {
                Ok(true) => store.checkpoint_now().await.map(|cp| {
                    tracing::info!(seq = cp.checkpoint.seq, "access log checkpoint signed");
                }),
                Ok(false) => Ok(()),
                Err(e) => Err(e),
            };
            failed = match result {
                Ok(()) => false,
                Err(e) => {
                    tracing::error!(error = %e, "no access log checkpoint made");
                    true
                }
            };
        }
    });
}
