//! `perspectief privacy`: the subject access export (GDPR art. 15), signed checkpoints of the
//! access log, break-glass reads and their review, and the review of consent overrides
//! (referrals the project lead had sent without a covering consent). Local only: the store implements
//! [`PrivacyService`]; every call is authorised and logged by it, refusals included.

use std::path::Path;

use chrono::{NaiveDate, TimeZone, Utc};
use perspectief_core::accounts::ConfirmationKind;
use perspectief_core::ids::{BreakGlassId, ConsentOverrideId};
use perspectief_core::organisation::DirectoryService;
use perspectief_core::privacy::PrivacyService;
use perspectief_core::service::PerspectiefService;
use serde_json::json;

use super::text;
use crate::cli::PrivacyCmd;
use crate::context::{Ctx, participant, pick};
use crate::exit::{Failure, INTERNAL, Result, VALIDATION};
use crate::output::{self, col, obj, term_col};
use crate::t;

/// Write a new private file (0600); an existing file is never overwritten.
fn write_new(path: &Path, text: &str) -> Result<()> {
    if path.exists() {
        return Err(Failure::new(VALIDATION, t!("error-backup-exists", path = path.display())));
    }
    crate::context::make_parent(path)?;
    crate::config::write_private(path, text.as_bytes()).map_err(|e| Failure::io(path, &e))
}

fn start_of(day: NaiveDate) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_time(chrono::NaiveTime::MIN))
}

fn internal(e: impl std::fmt::Display) -> Failure {
    Failure::new(INTERNAL, e.to_string())
}

pub async fn privacy_cmd<S: PerspectiefService + PrivacyService + DirectoryService>(
    svc: &S,
    ctx: &Ctx,
    cmd: PrivacyCmd,
) -> Result<()> {
    match cmd {
        PrivacyCmd::Export { participant: p, reason, json, html } => {
            if json.is_none() && html.is_none() {
                return Err(Failure::field("--json", t!("error-privacy-export-target")));
            }
            for path in json.iter().chain(html.iter()) {
                if path.exists() {
                    return Err(Failure::new(VALIDATION, t!("error-backup-exists", path = path.display())));
                }
            }
            let id = participant(svc, ctx, &p).await?;
            let export = svc.export_participant(&ctx.caller, id, super::text("--reason", &reason)?).await?;
            let mut files = Vec::new();
            if let Some(path) = &json {
                write_new(path, &export.to_json().map_err(internal)?)?;
                files.push(path.display().to_string());
            }
            if let Some(path) = &html {
                // For the person: organisations by name and code (the JSON keeps the ids, for
                // portability).
                let directory = ctx.directory(svc).await?;
                write_new(path, &directory.name_ids_in_html(&export.to_html()))?;
                files.push(path.display().to_string());
            }
            output::done(
                ctx.format,
                &t!("done-privacy-export", participant = id.to_string(), files = files.join(", ")),
                json!({
                    "participant": id.to_string(),
                    "files": files,
                    "events": export.events.len(),
                    "access_log_records": export.access_log.len(),
                }),
            )
        }
        PrivacyCmd::Checkpoint { out } => {
            let signed = svc.export_checkpoint(&ctx.caller).await?;
            let text = serde_json::to_string_pretty(&signed).map_err(internal)?;
            write_new(&out, &text)?;
            output::done(
                ctx.format,
                &t!(
                    "done-privacy-checkpoint",
                    seq = signed.checkpoint.seq,
                    file = out.display().to_string(),
                    key = signed.public_key.clone()
                ),
                json!({"file": out.display().to_string(), "seq": signed.checkpoint.seq, "public_key": signed.public_key}),
            )
        }
        PrivacyCmd::BreakGlass { participant: p, reason } => {
            let reason = text("--reason", &reason)?;
            let id = participant(svc, ctx, &p).await?;
            let case = svc.break_glass_case(&ctx.caller, id, reason).await?;
            output::note(&t!("note-break-glass"));
            output::print(&format!("{}\n", serde_json::to_string_pretty(&case).map_err(internal)?))
        }
        PrivacyCmd::Reviews { from, limit } => {
            let from = start_of(from.unwrap_or(NaiveDate::MIN));
            let records = svc.break_glass_log(&ctx.caller, from, limit).await?;
            let rows: Vec<_> = records
                .iter()
                .map(|r| {
                    obj(json!({
                        "id": r.id.to_string(),
                        "access": r.access.as_str(),
                        "at": r.at.to_rfc3339(),
                        "user": r.user.to_string(),
                        "role": r.role.to_string(),
                        "participant": r.participant.to_string(),
                        "reason": r.reason.as_str(),
                        "reviewed_by": r.review.as_ref().map(|v| v.by.to_string()),
                        "finding": r.review.as_ref().map(|v| v.note.as_str().to_owned()),
                    }))
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                term_col("access", "col-access", "access"),
                col("at", "col-at"),
                col("user", "col-user"),
                col("role", "col-role"),
                col("participant", "col-participant"),
                col("reason", "col-reason"),
                col("reviewed_by", "col-reviewed-by"),
                col("finding", "col-finding"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
        PrivacyCmd::Confirmations { from, limit } => {
            // Accounts and tokens that read case data, with the second person who confirmed
            // them: the administrator's side of access, reviewed beside the break-glass reads.
            let from = start_of(from.unwrap_or(NaiveDate::MIN));
            let directory = ctx.directory(svc).await?;
            let mut rows = Vec::new();
            for c in svc.confirmation_log(&ctx.caller, from, limit).await? {
                let subject = match c.kind {
                    ConfirmationKind::Account => t!(
                        "review-account",
                        id = c.subject.to_string(),
                        role = crate::i18n::term("role", c.role.as_str()),
                        organisation = directory.code(c.organisation).unwrap_or("—")
                    ),
                    ConfirmationKind::Token => t!(
                        "review-token",
                        id = c.subject.to_string(),
                        user = c.account.to_string(),
                        role = crate::i18n::term("role", c.role.as_str())
                    ),
                };
                let status = match &c.confirmation {
                    Some(conf) if conf.by.is_some() => t!("review-confirmed", at = conf.at.to_rfc3339()),
                    Some(_) => t!("review-confirmed-before"),
                    None => t!("review-awaiting-confirmation"),
                };
                rows.push(obj(json!({
                    "id": c.subject.to_string(),
                    "kind": c.kind.as_str(),
                    "subject": subject,
                    "account": c.account.to_string(),
                    "role": c.role.as_str(),
                    "organisation_code": directory.code(c.organisation),
                    "created_at": c.requested_at.to_rfc3339(),
                    "created_by": c.requested_by.map(|u| u.to_string()),
                    "confirmed_at": c.confirmation.as_ref().map(|v| v.at.to_rfc3339()),
                    "confirmed_by": c.confirmation.as_ref().and_then(|v| v.by).map(|u| u.to_string()),
                    "status": status,
                })));
            }
            let cols = [
                col("id", "col-id"),
                term_col("kind", "col-access", "access"),
                col("subject", "col-subject"),
                col("created_at", "col-at"),
                col("created_by", "col-created-by"),
                col("confirmed_by", "col-confirmed-by"),
                col("status", "col-status"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
        PrivacyCmd::Review { access, note } => {
            let note = text("--note", &note)?;
            // The id as listed (whole, or the start or end a table shows).
            let listed = svc.break_glass_log(&ctx.caller, start_of(NaiveDate::MIN), 500).await?;
            let id: BreakGlassId = pick("break_glass", &access, listed.iter().map(|r| r.id))?;
            let reviewed = svc.review_break_glass(&ctx.caller, id, note).await?;
            output::done(
                ctx.format,
                &t!("done-privacy-review", access = reviewed.id.to_string()),
                json!({"access": reviewed.id.to_string(), "reviewed_by": reviewed.review.map(|r| r.by.to_string())}),
            )
        }
        PrivacyCmd::Overrides { from, limit } => {
            let from = start_of(from.unwrap_or(NaiveDate::MIN));
            let records = svc.consent_override_log(&ctx.caller, from, limit).await?;
            let directory = ctx.directory_if(svc, !records.is_empty()).await?;
            let rows: Vec<_> = records
                .iter()
                .map(|r| {
                    obj(json!({
                        "id": r.id.to_string(),
                        "at": r.at.to_rfc3339(),
                        "user": r.user.to_string(),
                        "participant": r.participant.to_string(),
                        "referral": r.referral.to_string(),
                        "partner": directory.name(r.partner),
                        "category": r.category.as_str(),
                        "reason": r.reason.as_str(),
                        "reviewed_by": r.review.as_ref().map(|v| v.by.to_string()),
                        "finding": r.review.as_ref().map(|v| v.note.as_str().to_owned()),
                    }))
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                col("at", "col-at"),
                col("user", "col-user"),
                col("participant", "col-participant"),
                col("partner", "col-partner"),
                term_col("category", "col-category", "category"),
                col("reason", "col-reason"),
                col("reviewed_by", "col-reviewed-by"),
                col("finding", "col-finding"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
        PrivacyCmd::OverrideReview { id, note } => {
            let note = text("--note", &note)?;
            // The id as listed (whole, or the start or end a table shows).
            let listed = svc.consent_override_log(&ctx.caller, start_of(NaiveDate::MIN), 500).await?;
            let id: ConsentOverrideId = pick("consent_override", &id, listed.iter().map(|r| r.id))?;
            let reviewed = svc.review_consent_override(&ctx.caller, id, note).await?;
            output::done(
                ctx.format,
                &t!("done-privacy-override-review", id = reviewed.id.to_string()),
                json!({"override": reviewed.id.to_string(), "reviewed_by": reviewed.review.map(|r| r.by.to_string())}),
            )
        }
    }
}
