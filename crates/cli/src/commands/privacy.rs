//! `perspectief privacy`: the subject access export (GDPR art. 15), signed checkpoints of the
//! access log, break-glass reads and their review, and the review of consent overrides
//! (referrals the project lead had sent without a covering consent). Local only: the store implements
//! [`PrivacyService`]; every call is authorised and logged by it, refusals included.

use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use perspectief_core::accounts::ConfirmationKind;
use perspectief_core::ids::{BreakGlassId, ConsentOverrideId, ParticipantId, UserId};
use perspectief_core::organisation::DirectoryService;
use perspectief_core::privacy::PrivacyService;
use perspectief_core::service::PerspectiefService;
use serde_json::{Map, Value, json};

use super::text;
use crate::args::parse_date;
use crate::context::{Ctx, participant, pick};
use crate::exit::{Failure, INTERNAL, Result, VALIDATION};
use crate::output::{self, Col, col, obj, term_col};
use crate::t;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum PrivacyCmd {
    /// Alles wat over een deelnemer is vastgelegd, met wie wat ontving en het toegangslogboek (projectleider)
    Export {
        participant: String,
        /// Waarom (het verzoek van de deelnemer): wordt vastgelegd en beoordeeld, want de export bevat ook medische en strafrechtelijke inhoud
        #[arg(long)]
        reason: String,
        /// Als JSON naar dit (nieuwe) bestand
        #[arg(long, value_name = "BESTAND")]
        json: Option<PathBuf>,
        /// Als leesbare HTML-pagina naar dit (nieuwe) bestand
        #[arg(long, value_name = "BESTAND")]
        html: Option<PathBuf>,
    },
    /// Een ondertekend controlepunt van het toegangslogboek, om aan een derde te geven (auditor)
    Checkpoint {
        /// Het nieuwe bestand (JSON)
        #[arg(long, value_name = "BESTAND")]
        out: PathBuf,
    },
    /// Noodtoegang tot een dossier buiten de gewone rechten: met een reden, gelogd en ter beoordeling
    BreakGlass {
        participant: String,
        /// Waarom (verplicht; alleen zichtbaar voor wie beoordeelt)
        #[arg(long)]
        reason: String,
    },
    /// Noodtoegangen ter beoordeling (projectleider, auditor)
    Reviews {
        /// Vanaf deze dag
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        from: Option<NaiveDate>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Accounts en tokens die dossiers kunnen lezen: wie ze aanmaakte en welke projectleider ze als tweede persoon bevestigde, ter beoordeling naast de noodtoegangen (projectleider, auditor)
    Confirmations {
        /// Aangemaakt vanaf deze dag
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        from: Option<NaiveDate>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Leg de beoordeling van een noodtoegang vast (nooit de eigen)
    Review {
        /// De noodtoegang (id, of het begin of eind ervan)
        access: String,
        /// Bevinding
        #[arg(long)]
        note: String,
    },
    /// Doorverwijzingen die zonder toestemming zijn verstuurd (projectleider), ter beoordeling (projectleider, auditor)
    Overrides {
        /// Vanaf deze dag
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        from: Option<NaiveDate>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Leg de beoordeling vast van een doorverwijzing die zonder toestemming is verstuurd (nooit de eigen)
    OverrideReview {
        /// Het versturen zonder toestemming (id, of het begin of eind ervan)
        id: String,
        /// Bevinding
        #[arg(long)]
        note: String,
    },
}

/// `privacy`: the commands of [`PrivacyCmd`] and the retention run.
#[derive(Debug, Subcommand)]
pub enum PrivacyTop {
    #[command(flatten)]
    Other(PrivacyCmd),
    /// Bewaartermijnen toepassen: wis wat na uitstroom verlopen is, ook uit de beheerde reservekopieën (projectleider)
    Retention(crate::commands::retention::RetentionArgs),
    /// Wissen op verzoek (AVG art. 17): aanvragen (projectleider; `privacy erase ID --reason ...`), bevestigen door een tweede persoon, intrekken, tonen
    Erase(crate::commands::erasure::EraseArgs),
    /// Bewaarplicht (legal hold): zolang die geldt wordt niets van de deelnemer gewist (projectleider)
    #[command(subcommand)]
    Hold(crate::commands::erasure::HoldCmd),
}

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

/// The last columns of both review lists: why, and the review.
const REVIEW_COLS: [Col; 3] =
    [col("reason", "col-reason"), col("reviewed_by", "col-reviewed-by"), col("finding", "col-finding")];

/// What both review lists (break-glass reads, consent overrides) show of a record: its id, when,
/// who, for which participant, why, and who reviewed it with what finding.
fn review_row(
    id: String,
    at: DateTime<Utc>,
    user: UserId,
    participant: ParticipantId,
    reason: &str,
    review: Option<(UserId, &str)>,
) -> Map<String, Value> {
    obj(json!({
        "id": id,
        "at": at.to_rfc3339(),
        "user": user.to_string(),
        "participant": participant.to_string(),
        "reason": reason,
        "reviewed_by": review.map(|(by, _)| by.to_string()),
        "finding": review.map(|(_, note)| note),
    }))
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
                    let review = r.review.as_ref().map(|v| (v.by, v.note.as_str()));
                    let mut row = review_row(r.id.to_string(), r.at, r.user, r.participant, r.reason.as_str(), review);
                    row.insert("access".to_owned(), json!(r.access.as_str()));
                    row.insert("role".to_owned(), json!(r.role.to_string()));
                    row
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                term_col("access", "col-access", "access"),
                col("at", "col-at"),
                col("user", "col-user"),
                col("role", "col-role"),
                col("participant", "col-participant"),
            ];
            output::list(ctx.format, &[&cols[..], &REVIEW_COLS].concat(), &rows)
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
            let id: BreakGlassId = pick("break_glass_access", &access, listed.iter().map(|r| r.id))?;
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
                    let review = r.review.as_ref().map(|v| (v.by, v.note.as_str()));
                    let mut row = review_row(r.id.to_string(), r.at, r.user, r.participant, r.reason.as_str(), review);
                    row.insert("referral".to_owned(), json!(r.referral.map(|x| x.to_string())));
                    row.insert("judgment".to_owned(), json!(r.judgment.map(|x| x.to_string())));
                    // No organisation: a judgment told to the municipality.
                    let partner = r.partner.map_or_else(|| t!("recipient-municipality"), |o| directory.name(o));
                    row.insert("partner".to_owned(), json!(partner));
                    row.insert("category".to_owned(), json!(r.category.as_str()));
                    row
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                col("at", "col-at"),
                col("user", "col-user"),
                col("participant", "col-participant"),
                col("partner", "col-partner"),
                term_col("category", "col-category", "category"),
            ];
            output::list(ctx.format, &[&cols[..], &REVIEW_COLS].concat(), &rows)
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
