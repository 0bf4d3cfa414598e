//! `perspectief referral`: referrals to chain partners.

use chrono::NaiveDate;
use clap::Subcommand;
use perspectief_core::case::CaseCommand;
use perspectief_core::contact::{PartnerDomain, ReferralStatus};
use perspectief_core::ids::ReferralId;
use perspectief_core::organisation::DirectoryService;
use perspectief_core::service::PerspectiefService;
use serde_json::json;

use super::case::{Dated, Expect, date_or_today, load, new_id, write};
use super::{opt_text, text};
use crate::args::parse_date;
use crate::choice;
use crate::context::{Ctx, pick};
use crate::exit::Result;
use crate::output::{self, col, obj, short, term_col};
use crate::t;

#[derive(Debug, Subcommand)]
pub enum ReferralCmd {
    /// Stel een doorverwijzing voor
    Add {
        participant: String,
        /// De partner (organisatie)
        #[arg(long, value_name = "ORGANISATIE")]
        partner: String,
        /// Domein
        #[arg(long, value_parser = choice!(PartnerDomain, ["legal", "medical", "return", "shelter", "activities"]))]
        domain: PartnerDomain,
        /// Waarom
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        dated: Dated,
    },
    /// Zet een doorverwijzing een stap verder
    Update {
        participant: String,
        referral: String,
        #[arg(long, value_parser = choice!(ReferralStatus, ["sent", "accepted", "rejected", "completed", "revoked"]))]
        status: ReferralStatus,
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        on: Option<NaiveDate>,
        #[arg(long)]
        note: Option<String>,
        /// Bij versturen zonder toestemming van de deelnemer voor deze partner: waarom toch
        /// (alleen de projectleider; wordt vastgelegd en beoordeeld)
        #[arg(long, value_name = "REDEN")]
        override_reason: Option<String>,
        #[command(flatten)]
        expect: Expect,
    },
    /// De doorverwijzingen van een deelnemer
    #[command(visible_alias = "ls")]
    List { participant: String },
}

pub async fn referral_cmd<S: PerspectiefService + DirectoryService>(
    svc: &S,
    ctx: &Ctx,
    cmd: ReferralCmd,
) -> Result<()> {
    match cmd {
        ReferralCmd::Add { participant, partner, domain, reason, dated: Dated { on, expect } } => {
            let case = load(svc, ctx, &participant).await?;
            let id = ReferralId::from_uuid(new_id());
            let to = ctx.org(svc, "--partner", &partner).await?;
            let cmd = CaseCommand::ProposeReferral { id, partner: to, domain, reason: text("--reason", &reason)?, on };
            write(svc, ctx, &case, expect, cmd).await?.naming("referral", id).confirm(t!(
                "done-referral-added",
                id = short(&id.to_string()),
                partner = ctx.directory(svc).await?.name(to)
            ))
        }
        ReferralCmd::Update { participant, referral, status, on, note, override_reason, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let referral = pick("referral", &referral, case.referrals().map(|r| r.id))?;
            let cmd = CaseCommand::AdvanceReferral {
                referral,
                to: status,
                on: date_or_today(on),
                note: opt_text("--note", note.as_ref())?,
                consent_override: opt_text("--override-reason", override_reason.as_ref())?,
            };
            write(svc, ctx, &case, expect, cmd)
                .await?
                .naming("referral", referral)
                .confirm(t!("done-referral-updated", status = crate::i18n::term("status", status.as_str())))
        }
        ReferralCmd::List { participant } => {
            let case = load(svc, ctx, &participant).await?;
            let directory = ctx.directory_if(svc, case.referrals().next().is_some()).await?;
            let rows: Vec<_> = case
                .referrals()
                .map(|r| {
                    obj(json!({
                        "id": r.id.to_string(),
                        "partner": directory.name(r.partner),
                        "partner_code": directory.code(r.partner),
                        "domain": r.domain.as_str(),
                        "status": r.status().as_str(),
                        "reason": r.reason.as_str(),
                        "sent_on": r.sent_on().map(|d| d.to_string()),
                        "proposed_on": r.history.first().map(|s| s.on.to_string()),
                    }))
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                col("partner", "col-partner"),
                term_col("domain", "col-domain", "domain"),
                term_col("status", "col-status", "status"),
                col("sent_on", "col-sent-on"),
                col("reason", "col-reason"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}
