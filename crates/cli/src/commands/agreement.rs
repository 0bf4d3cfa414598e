//! `perspectief agreement`: agreements made outside a contact moment, and their settling.

use chrono::NaiveDate;
use clap::Subcommand;
use perspectief_core::access::DataCategory;
use perspectief_core::case::{CaseCommand, NewAgreement};
use perspectief_core::ids::AgreementId;
use perspectief_core::organisation::DirectoryService;
use perspectief_core::service::PerspectiefService;
use serde_json::json;

use super::case::{Dated, date_or_today, load, new_id, parties, write};
use super::{responsible, responsible_str, text};
use crate::args::parse_date;
use crate::choice;
use crate::context::{Ctx, pick};
use crate::exit::Result;
use crate::output::{self, col, obj, short, term_col};
use crate::t;

#[derive(Debug, Subcommand)]
pub enum AgreementCmd {
    /// Leg een afspraak vast (buiten een contactmoment)
    Add {
        participant: String,
        #[arg(long)]
        description: String,
        /// Wanneer
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        due: NaiveDate,
        /// Wie moet iets doen: participant, staff[:GEBRUIKER] of partner:ORGANISATIE
        #[arg(long, default_value = "participant")]
        who: String,
        /// Gegevenscategorie van de inhoud
        #[arg(long, default_value = "guidance", value_parser = choice!(DataCategory, ["guidance", "legal", "medical_psychosocial", "criminal_history", "return"]))]
        category: DataCategory,
        #[command(flatten)]
        dated: Dated,
    },
    /// Een afspraak is nagekomen (of met --not-fulfilled: niet)
    Done {
        participant: String,
        agreement: String,
        #[arg(long)]
        not_fulfilled: bool,
        #[command(flatten)]
        dated: Dated,
    },
    /// De afspraken van een deelnemer
    #[command(visible_alias = "ls")]
    List { participant: String },
}

pub async fn agreement_cmd<S: PerspectiefService + DirectoryService>(
    svc: &S,
    ctx: &Ctx,
    cmd: AgreementCmd,
) -> Result<()> {
    match cmd {
        AgreementCmd::Add { participant, description, due, who, category, dated: Dated { on, expect } } => {
            let case = load(svc, ctx, &participant).await?;
            let id = AgreementId::from_uuid(new_id());
            let agreement = NewAgreement {
                id,
                description: text("--description", &description)?,
                due_on: due,
                who_acts: responsible(svc, ctx, "--who", &who).await?,
            };
            write(svc, ctx, &case, expect, CaseCommand::AddAgreement { agreement, category, on })
                .await?
                .naming("agreement", id)
                .confirm(t!("done-agreement-added", id = short(&id.to_string()), due = due))
        }
        AgreementCmd::Done { participant, agreement, not_fulfilled, dated: Dated { on, expect } } => {
            let case = load(svc, ctx, &participant).await?;
            let agreement = pick("agreement", &agreement, case.agreements().map(|a| a.id))?;
            let cmd = CaseCommand::SettleAgreement { agreement, fulfilled: !not_fulfilled, on: date_or_today(on) };
            let sentence =
                if not_fulfilled { t!("done-agreement-not-fulfilled") } else { t!("done-agreement-fulfilled") };
            write(svc, ctx, &case, expect, cmd).await?.naming("agreement", agreement).confirm(sentence)
        }
        AgreementCmd::List { participant } => {
            let case = load(svc, ctx, &participant).await?;
            let (directory, staff) =
                parties(svc, ctx, &case.agreements().map(|a| &a.who_acts).collect::<Vec<_>>()).await?;
            let rows: Vec<_> = case
                .agreements_with_category()
                .map(|(a, category)| {
                    obj(json!({
                        "id": a.id.to_string(),
                        "description": a.description.as_str(),
                        "due_on": a.due_on.to_string(),
                        "who_acts": responsible_str(directory, staff, &a.who_acts),
                        "status": a.status.as_str(),
                        "category": category,
                        "made_in": a.made_in.map(|c| c.to_string()),
                        "made_on": a.made_on.map(|d| d.to_string()),
                    }))
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                col("description", "col-description"),
                col("made_on", "col-made-on"),
                col("due_on", "col-due"),
                col("who_acts", "col-who"),
                term_col("status", "col-status", "status"),
                term_col("category", "col-category", "category"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}
