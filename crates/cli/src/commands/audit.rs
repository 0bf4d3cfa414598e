//! `perspectief audit`: the access log and the check of its hash chain.

use clap::Subcommand;
use perspectief_core::organisation::DirectoryService;
use perspectief_core::service::{PerspectiefService, Purpose};
use serde_json::{Value, json};

use super::case::local_time;
use crate::context::Ctx;
use crate::exit::{Failure, Result};
use crate::output::{self, col, obj, term_col};
use crate::t;

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Regels uit het toegangslogboek
    Log {
        /// Alleen over deze deelnemer
        #[arg(long)]
        participant: Option<String>,
        /// Na dit volgnummer
        #[arg(long, default_value_t = 0)]
        after: u64,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Controleer de hashketen van het logboek
    Verify,
}

pub async fn audit_cmd<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: AuditCmd) -> Result<()> {
    let caller = ctx.with_purpose(Purpose::Audit);
    match cmd {
        AuditCmd::Log { participant, after, limit } => {
            let participant = match participant {
                Some(p) => Some(crate::context::participant(svc, ctx, &p).await?),
                None => None,
            };
            let records = svc.audit_log(&caller, participant, after, limit).await?;
            let rows: Vec<_> = records
                .iter()
                .map(|r| {
                    let e = &r.entry;
                    obj(json!({
                        "seq": r.seq,
                        "at": local_time(e.at),
                        "user": e.user.to_string(),
                        "role": e.role.as_str(),
                        "action": e.action,
                        "operation": e.operation,
                        "participant": e.participant.map(|p| p.to_string()),
                        "category": e.category,
                        "purpose": e.purpose.as_str(),
                        "outcome": e.outcome.as_str(),
                        "error_code": e.error_code,
                        "client": e.client,
                    }))
                })
                .collect();
            let cols = [
                col("seq", "col-seq"),
                col("at", "col-at"),
                col("user", "col-user"),
                term_col("role", "col-role", "role"),
                col("operation", "col-operation"),
                col("participant", "col-participant"),
                term_col("outcome", "col-outcome", "outcome"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
        AuditCmd::Verify => {
            let v = svc.verify_audit_log(&caller).await?;
            let value = serde_json::to_value(&v).unwrap_or(Value::Null);
            match v {
                perspectief_core::service::ChainVerification::Intact { records, .. } => {
                    output::done(ctx.format, &t!("done-audit-intact", records = records), value)
                }
                perspectief_core::service::ChainVerification::Broken { first_broken_seq, reason } => {
                    output::done(ctx.format, &t!("audit-broken", seq = first_broken_seq, reason = reason), value)?;
                    Err(Failure::new(crate::exit::VALIDATION, t!("audit-broken", seq = first_broken_seq, reason = "")))
                }
            }
        }
    }
}
