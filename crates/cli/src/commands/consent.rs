//! `perspectief consent`: the participant's consents to share data with an organisation.

use clap::Subcommand;
use perspectief_core::access::DataCategory;
use perspectief_core::case::CaseCommand;
use perspectief_core::ids::ConsentId;
use perspectief_core::organisation::DirectoryService;
use perspectief_core::service::PerspectiefService;
use serde_json::json;

use super::case::{Dated, date_or_today, load, new_id, write};
use super::text;
use crate::choice;
use crate::context::{Ctx, pick};
use crate::exit::Result;
use crate::output::{self, col, obj, short, term_col};
use crate::t;

#[derive(Debug, Subcommand)]
pub enum ConsentCmd {
    /// Leg een toestemming vast
    Give {
        participant: String,
        /// De ontvangende organisatie
        #[arg(long, value_name = "ORGANISATIE")]
        organisation: String,
        /// Gegevenscategorie (herhaalbaar)
        #[arg(long = "category", required = true, value_parser = choice!(DataCategory, ["identity", "guidance", "legal", "medical_psychosocial", "criminal_history", "return", "reports"]))]
        categories: Vec<DataCategory>,
        /// Doel van het delen
        #[arg(long)]
        purpose: String,
        #[command(flatten)]
        dated: Dated,
    },
    /// Trek een toestemming in
    Withdraw {
        participant: String,
        consent: String,
        #[command(flatten)]
        dated: Dated,
    },
    /// De toestemmingen van een deelnemer
    #[command(visible_alias = "ls")]
    List { participant: String },
}

pub async fn consent_cmd<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: ConsentCmd) -> Result<()> {
    match cmd {
        ConsentCmd::Give { participant, organisation, categories, purpose, dated: Dated { on, expect } } => {
            let case = load(svc, ctx, &participant).await?;
            let id = ConsentId::from_uuid(new_id());
            let cmd = CaseCommand::GiveConsent {
                id,
                organisation: ctx.org(svc, "--organisation", &organisation).await?,
                categories: categories.into_iter().collect(),
                purpose: text("--purpose", &purpose)?,
                given_on: date_or_today(on),
            };
            write(svc, ctx, &case, expect, cmd)
                .await?
                .naming("consent", id)
                .confirm(t!("done-consent-given", id = short(&id.to_string())))
        }
        ConsentCmd::Withdraw { participant, consent, dated: Dated { on, expect } } => {
            let case = load(svc, ctx, &participant).await?;
            let consent = pick("consent", &consent, case.consents().iter().map(|c| c.id))?;
            write(svc, ctx, &case, expect, CaseCommand::WithdrawConsent { consent, on: date_or_today(on) })
                .await?
                .naming("consent", consent)
                .confirm(t!("done-consent-withdrawn"))
        }
        ConsentCmd::List { participant } => {
            let case = load(svc, ctx, &participant).await?;
            let directory = ctx.directory_if(svc, !case.consents().is_empty()).await?;
            let rows: Vec<_> = case
                .consents()
                .iter()
                .map(|c| {
                    obj(json!({
                        "id": c.id.to_string(),
                        "organisation": directory.name(c.organisation),
                        "organisation_code": directory.code(c.organisation),
                        "categories": c.categories.iter().collect::<Vec<_>>(),
                        "purpose": c.purpose.as_str(),
                        "given_on": c.given_on.to_string(),
                        "withdrawn_on": c.withdrawn_on.map(|d| d.to_string()),
                    }))
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                col("organisation", "col-organisation"),
                term_col("categories", "col-categories", "category"),
                col("purpose", "col-purpose"),
                col("given_on", "col-given-on"),
                col("withdrawn_on", "col-withdrawn-on"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}
