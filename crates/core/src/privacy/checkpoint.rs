use super::*;

/// The head of the access log's hash chain at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The foundation whose log it is.
    pub foundation: OrganisationId,
    /// The head's sequence number (0 for an empty log).
    pub seq: u64,
    /// The head's hash (hex; [`GENESIS_HASH`] for an empty log).
    pub head_hash: String,
    /// When the checkpoint was made.
    pub at: DateTime<Utc>,
}

impl Checkpoint {
    /// The exact bytes that are signed: the format name and every field, one per line, the time
    /// in microseconds since the epoch (no ambiguity of formatting).
    pub fn signed_message(&self) -> Vec<u8> {
        format!(
            "{CHECKPOINT_FORMAT}\nfoundation {}\nseq {}\nhead {}\nat {}\n",
            self.foundation,
            self.seq,
            self.head_hash,
            self.at.timestamp_micros()
        )
        .into_bytes()
    }
}

/// A checkpoint with its Ed25519 signature and the public key it verifies under. An outside
/// party keeps it, together with the public key published by the foundation, and can later
/// prove with [`verify_checkpoint`] that the log was not rewritten up to that point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedCheckpoint {
    /// [`CHECKPOINT_FORMAT`].
    pub format: String,
    /// What is signed.
    pub checkpoint: Checkpoint,
    /// The Ed25519 public key, 64 hex characters.
    pub public_key: String,
    /// The Ed25519 signature over [`Checkpoint::signed_message`], 128 hex characters.
    pub signature: String,
}

/// Why a checkpoint does not verify. Each has a stable [`code`](Self::code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum CheckpointError {
    /// The checkpoint (or the trusted key) is not well-formed.
    #[error("the checkpoint is malformed: {what}")]
    Malformed {
        /// What is wrong.
        what: String,
    },
    /// The checkpoint names another public key than the one the verifier trusts.
    #[error("the checkpoint was not signed with the trusted key")]
    UntrustedKey,
    /// The signature does not match the checkpoint.
    #[error("the checkpoint's signature does not verify (the checkpoint was altered or forged)")]
    BadSignature,
    /// The records given do not include the checkpoint's head.
    #[error("the access log has no record {seq}: it was cut off, or the records given do not reach it")]
    RecordMissing {
        /// The checkpoint's sequence number.
        seq: u64,
    },
    /// The record at the checkpoint's sequence number has another hash: the log was rewritten.
    #[error("record {seq} does not have the hash the checkpoint recorded: the log was rewritten")]
    HeadMismatch {
        /// The checkpoint's sequence number.
        seq: u64,
    },
    /// The records given do not link into one chain.
    #[error("the access log's chain is broken at record {seq}")]
    ChainBroken {
        /// The first record that does not link to its predecessor.
        seq: u64,
    },
}

impl CheckpointError {
    /// Stable snake_case code.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "checkpoint_malformed",
            Self::UntrustedKey => "checkpoint_untrusted_key",
            Self::BadSignature => "checkpoint_bad_signature",
            Self::RecordMissing { .. } => "checkpoint_record_missing",
            Self::HeadMismatch { .. } => "checkpoint_head_mismatch",
            Self::ChainBroken { .. } => "checkpoint_chain_broken",
        }
    }
}

/// What a successful check established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointVerified {
    /// The checkpoint's sequence number: the log up to here is the one that was signed.
    pub seq: u64,
    /// How many of the given records come after it (appended since, linked to it).
    pub records_after: u64,
}

pub(super) fn hex_decode<const N: usize>(text: &str, what: &str) -> Result<[u8; N], CheckpointError> {
    let malformed = || CheckpointError::Malformed { what: format!("{what} is not {} hexadecimal characters", N * 2) };
    let text = text.trim().as_bytes();
    if text.len() != N * 2 {
        return Err(malformed());
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (i, pair) in text.chunks(2).enumerate() {
        let (hi, lo) = (nibble(pair[0]).ok_or_else(malformed)?, nibble(pair[1]).ok_or_else(malformed)?);
        out[i] = (hi << 4) | lo;
    }
    Ok(out)
}

/// Lower-case hex of bytes (for adapters that sign).
pub fn hex_encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Check a checkpoint's signature under the key the verifier trusts (64 hex characters, as the
/// foundation published it). The key inside the checkpoint is only a convenience: a checkpoint
/// naming another key is refused, so a forger cannot sign with a key of their own.
pub fn verify_checkpoint_signature(signed: &SignedCheckpoint, trusted_public_key: &str) -> Result<(), CheckpointError> {
    use ed25519_dalek::{Signature, VerifyingKey};
    if signed.format != CHECKPOINT_FORMAT {
        return Err(CheckpointError::Malformed {
            what: format!("unknown format {}", crate::error::echo(&signed.format)),
        });
    }
    let trusted = hex_decode::<32>(trusted_public_key, "the trusted key")?;
    let named = hex_decode::<32>(&signed.public_key, "the public key")?;
    if trusted != named {
        return Err(CheckpointError::UntrustedKey);
    }
    let key = VerifyingKey::from_bytes(&trusted)
        .map_err(|_| CheckpointError::Malformed { what: "the public key is not an Ed25519 key".to_owned() })?;
    let signature = Signature::from_bytes(&hex_decode::<64>(&signed.signature, "the signature")?);
    key.verify_strict(&signed.checkpoint.signed_message(), &signature).map_err(|_| CheckpointError::BadSignature)
}

/// Check a signed checkpoint against the access log's records (a contiguous run of the chain,
/// in any order, that reaches the checkpoint's head; typically all of it): the signature holds
/// under the trusted key, the records link into one chain, and the record at the checkpoint's
/// sequence number has exactly the hash that was signed.
///
/// The records' own hashes are keyed (HMAC under the database's key), so an outside party
/// cannot recompute them; the store's chain verification does that. Together they prove that
/// the log up to the checkpoint is the one that existed when it was signed: whoever rewrites
/// a record, even with the key, changes every hash after it, and so the head the checkpoint
/// holds.
pub fn verify_checkpoint(
    signed: &SignedCheckpoint,
    trusted_public_key: &str,
    records: &[AuditRecord],
) -> Result<CheckpointVerified, CheckpointError> {
    verify_checkpoint_signature(signed, trusted_public_key)?;
    let cp = &signed.checkpoint;
    let mut sorted: Vec<&AuditRecord> = records.iter().collect();
    sorted.sort_by_key(|r| r.seq);
    if let Some(first) = sorted.first()
        && first.seq == 1
        && first.prev_hash != GENESIS_HASH
    {
        return Err(CheckpointError::ChainBroken { seq: 1 });
    }
    for pair in sorted.windows(2) {
        if pair[1].seq != pair[0].seq + 1 || pair[1].prev_hash != pair[0].hash {
            return Err(CheckpointError::ChainBroken { seq: pair[1].seq });
        }
    }
    let records_after = |seq: u64| sorted.iter().filter(|r| r.seq > seq).count() as u64;
    if cp.seq == 0 {
        if cp.head_hash != GENESIS_HASH {
            return Err(CheckpointError::HeadMismatch { seq: 0 });
        }
        return match sorted.first() {
            Some(first) if first.seq != 1 => Err(CheckpointError::RecordMissing { seq: 1 }),
            _ => Ok(CheckpointVerified { seq: 0, records_after: records_after(0) }),
        };
    }
    match sorted.iter().find(|r| r.seq == cp.seq) {
        None => Err(CheckpointError::RecordMissing { seq: cp.seq }),
        Some(r) if r.hash != cp.head_hash => Err(CheckpointError::HeadMismatch { seq: cp.seq }),
        Some(_) => Ok(CheckpointVerified { seq: cp.seq, records_after: records_after(cp.seq) }),
    }
}
