//! `perspectief plan`: the perspective plan, its revisions, agreement and direction.

use clap::Subcommand;
use perspectief_core::DomainError;
use perspectief_core::case::CaseCommand;
use perspectief_core::organisation::DirectoryService;
use perspectief_core::plan::Direction;
use perspectief_core::service::PerspectiefService;
use serde_json::json;

use super::case::{Dated, date_or_today, load, local_time, write};
use super::text;
use crate::choice;
use crate::context::Ctx;
use crate::exit::Result;
use crate::output::{self, col, obj, term_col};
use crate::t;

#[derive(Debug, Subcommand)]
pub enum PlanCmd {
    /// Het plan met zijn herzieningen
    Show { participant: String },
    /// Stel het plan op (eerste keer) of herzie het
    #[command(visible_alias = "opstellen")]
    Revise {
        participant: String,
        /// De persoonlijke situatie
        #[arg(long)]
        situation: String,
        /// Het perspectief en de stappen
        #[arg(long)]
        perspective: String,
        #[command(flatten)]
        dated: Dated,
    },
    /// De deelnemer gaat akkoord met de laatste herziening
    #[command(visible_alias = "akkoord")]
    Agree {
        participant: String,
        /// Herziening (standaard de laatste)
        #[arg(long)]
        revision: Option<u32>,
        #[command(flatten)]
        dated: Dated,
    },
    /// Wijzig de richting van het plan
    #[command(visible_alias = "richting")]
    Direction {
        participant: String,
        #[arg(long, value_parser = choice!(Direction, ["undecided", "legal_procedure_nl", "return_to_origin", "third_country"]))]
        to: Direction,
        /// Onderbouwing
        #[arg(long)]
        reasoning: String,
        #[command(flatten)]
        dated: Dated,
    },
}

pub async fn plan_cmd<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: PlanCmd) -> Result<()> {
    match cmd {
        PlanCmd::Show { participant } => {
            let case = load(svc, ctx, &participant).await?;
            let rows: Vec<_> = case
                .plan_revisions()
                .iter()
                .map(|r| {
                    obj(json!({
                        "revision": r.number,
                        "direction": r.direction.as_str(),
                        "drawn_up_at": local_time(r.drawn_up_at),
                        "drawn_up_by": r.drawn_up_by.to_string(),
                        "agreed_on": r.agreed_on.map(|d| d.to_string()),
                        "personal_situation": r.personal_situation.as_str(),
                        "perspective": r.perspective.as_str(),
                    }))
                })
                .collect();
            let cols = [
                col("revision", "col-revision"),
                term_col("direction", "col-direction", "direction"),
                col("drawn_up_at", "col-drawn-up"),
                col("agreed_on", "col-agreed-on"),
                col("personal_situation", "col-situation"),
                col("perspective", "col-perspective"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
        PlanCmd::Revise { participant, situation, perspective, dated: Dated { on, expect } } => {
            let case = load(svc, ctx, &participant).await?;
            let cmd = CaseCommand::RevisePlan {
                personal_situation: text("--situation", &situation)?,
                perspective: text("--perspective", &perspective)?,
                on,
            };
            let n = case.plan_revisions().len() + 1;
            write(svc, ctx, &case, expect, cmd)
                .await?
                .naming("revision", n)
                .confirm(t!("done-plan-revised", revision = n))
        }
        PlanCmd::Agree { participant, revision, dated: Dated { on, expect } } => {
            let case = load(svc, ctx, &participant).await?;
            let revision = match revision.or_else(|| case.plan_revisions().last().map(|r| r.number)) {
                Some(r) => r,
                None => {
                    return Err(crate::exit::from_domain(DomainError::RuleViolated {
                        rule: perspectief_core::Rule::PlanRequired,
                    }));
                }
            };
            write(svc, ctx, &case, expect, CaseCommand::AgreePlan { revision, on: date_or_today(on) })
                .await?
                .confirm(t!("done-plan-agreed", revision = revision))
        }
        PlanCmd::Direction { participant, to, reasoning, dated: Dated { on, expect } } => {
            let case = load(svc, ctx, &participant).await?;
            let cmd =
                CaseCommand::ChangeDirection { to, on: date_or_today(on), reasoning: text("--reasoning", &reasoning)? };
            write(svc, ctx, &case, expect, cmd)
                .await?
                .confirm(t!("done-direction", direction = crate::i18n::term("direction", to.as_str())))
        }
    }
}
