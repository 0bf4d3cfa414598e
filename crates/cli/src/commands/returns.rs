//! `perspectief return`: the return track: stance, exploration, obstacles, reintegration,
//! departure, REAN checklist and judgments.

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use perspectief_core::case::CaseCommand;
use perspectief_core::ids::{JudgmentId, ObstacleId};
use perspectief_core::input::RecordJudgmentInput;
use perspectief_core::organisation::DirectoryService;
use perspectief_core::plan::ReturnStance;
use perspectief_core::returns::{
    DepartureStep, DepartureStepKind, ExplorationFindings, Finality, ObstacleKind, ObstacleStatus, ReanChecklist,
    ReintegrationPlan, Verdict,
};
use perspectief_core::service::PerspectiefService;
use serde_json::json;

use super::case::{Dated, DatedNote, Expect, Written, date_or_today, exec, exec_as, load, new_id, write, write_as};
use super::{opt_text, recipient, text};
use crate::args::{parse_date, parse_tristate};
use crate::choice;
use crate::cli::OutputFormat;
use crate::context::{Ctx, pick};
use crate::exit::{Failure, Result};
use crate::output::{self, col, obj, short, term_col};
use crate::t;

#[derive(Debug, Args, Default)]
pub struct FindingsArgs {
    /// Motivatie
    #[arg(long)]
    pub motivation: Option<String>,
    /// Documenten
    #[arg(long)]
    pub documents: Option<String>,
    /// Contact met familie
    #[arg(long)]
    pub family_contact: Option<String>,
    /// Vooruitzichten
    #[arg(long)]
    pub prospects: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ReturnCmd {
    /// Wat de deelnemer over terugkeer zegt
    #[command(visible_alias = "houding")]
    Stance {
        participant: String,
        #[arg(long, value_parser = choice!(ReturnStance, ["not_discussed", "not_considering", "considering", "decided"]))]
        stance: ReturnStance,
        #[command(flatten)]
        noted: DatedNote,
    },
    /// Start de terugkeerverkenning, of werk de bevindingen bij
    #[command(visible_alias = "verken")]
    Explore {
        participant: String,
        #[command(flatten)]
        findings: FindingsArgs,
        /// De dag van de start of van de nieuwe bevindingen (standaard vandaag)
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        on: Option<NaiveDate>,
        #[command(flatten)]
        expect: Expect,
    },
    /// Leg een belemmering vast
    #[command(visible_alias = "belemmering")]
    Obstacle {
        participant: String,
        #[arg(long, value_parser = choice!(ObstacleKind, ["motivation", "missing_documents", "family_contact", "housing_work_plan", "finances", "medical_psychosocial", "other"]))]
        kind: ObstacleKind,
        #[arg(long)]
        description: String,
        #[arg(long, value_name = "ORGANISATIE")]
        partner: Option<String>,
        #[command(flatten)]
        dated: Dated,
    },
    /// Werk aan een belemmering (status: being_addressed, removed, cannot_be_removed)
    ObstacleAction {
        participant: String,
        obstacle: String,
        /// Wat er gedaan is
        #[arg(long)]
        description: String,
        #[arg(long, value_parser = choice!(ObstacleStatus, ["being_addressed", "removed", "cannot_be_removed"]))]
        status: ObstacleStatus,
        #[command(flatten)]
        dated: Dated,
    },
    /// Een belemmering is weggenomen
    RemoveObstacle {
        participant: String,
        obstacle: String,
        #[arg(long)]
        description: String,
        #[command(flatten)]
        dated: Dated,
    },
    /// Werk het herintegratieplan bij
    Reintegration {
        participant: String,
        #[arg(long)]
        housing: Option<String>,
        #[arg(long)]
        income_work: Option<String>,
        #[arg(long)]
        business_plan: Option<String>,
        #[arg(long)]
        care: Option<String>,
        #[arg(long)]
        contacts_abroad: Option<String>,
        #[command(flatten)]
        dated: Dated,
    },
    /// Leg een stap in de vertrekvoorbereiding vast, of plan het vertrek
    Departure {
        participant: String,
        /// Soort stap
        #[arg(long, requires = "note", value_parser = choice!(DepartureStepKind, ["documents", "embassy_visit", "dtv_coordination", "iom_coordination", "other"]))]
        step: Option<DepartureStepKind>,
        /// Toelichting bij de stap
        #[arg(long)]
        note: Option<String>,
        /// Datum van de stap
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        on: Option<NaiveDate>,
        /// Plan de vertrekdatum (mag in het verleden liggen als het vertrek achteraf wordt vastgelegd)
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        date: Option<NaiveDate>,
        /// Begeleiding naar Schiphol (bij het plannen)
        #[arg(long)]
        schiphol: bool,
        #[command(flatten)]
        expect: Expect,
    },
    /// Werk de REAN-checklist bij (ja/nee/onbekend)
    Rean {
        participant: String,
        #[arg(long, value_parser = parse_tristate, value_name = "JA/NEE")]
        no_assisted_return_in_five_years: Option<crate::args::Tri>,
        #[arg(long, value_parser = parse_tristate, value_name = "JA/NEE")]
        travel_document_obtainable: Option<crate::args::Tri>,
        #[arg(long, value_parser = parse_tristate, value_name = "JA/NEE")]
        agrees_procedures_end: Option<crate::args::Tri>,
        #[command(flatten)]
        dated: Dated,
    },
    /// Leg een oordeel over het terugkeerperspectief vast
    #[command(visible_alias = "oordeel")]
    Judgment {
        participant: String,
        #[arg(long, value_parser = choice!(Verdict, ["return_realistic", "return_not_realistic_now", "return_not_possible", "no_cooperation"]))]
        verdict: Verdict,
        /// Definitief (anders voorlopig)
        #[arg(long = "final")]
        is_final: bool,
        #[arg(long)]
        reasoning: String,
        #[command(flatten)]
        dated: Dated,
    },
    /// Het oordeel is meegedeeld: aan participant, municipality of partner:ORGANISATIE
    Communicated {
        participant: String,
        judgment: String,
        #[arg(long)]
        to: String,
        /// Aan de gemeente of een partner zonder toestemming van de deelnemer voor rapportages:
        /// waarom toch (alleen de projectleider; wordt vastgelegd en beoordeeld)
        #[arg(long, value_name = "REDEN")]
        override_reason: Option<String>,
        #[command(flatten)]
        dated: Dated,
    },
    /// De gevolgen van het oordeel zijn uitgelegd aan de deelnemer
    Consequences {
        participant: String,
        judgment: String,
        #[command(flatten)]
        dated: Dated,
    },
    /// Het terugkeerspoor van een deelnemer
    Show { participant: String },
}

fn findings(f: &FindingsArgs) -> Result<ExplorationFindings> {
    Ok(ExplorationFindings {
        motivation: opt_text("--motivation", f.motivation.as_ref())?,
        documents: opt_text("--documents", f.documents.as_ref())?,
        family_contact: opt_text("--family-contact", f.family_contact.as_ref())?,
        prospects: opt_text("--prospects", f.prospects.as_ref())?,
    })
}

pub async fn return_cmd<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: ReturnCmd) -> Result<()> {
    match cmd {
        ReturnCmd::Stance { participant, stance, noted: DatedNote { on, note, expect } } => {
            let case = load(svc, ctx, &participant).await?;
            let cmd = CaseCommand::RecordReturnStance {
                stance,
                on: date_or_today(on),
                note: opt_text("--note", note.as_ref())?,
            };
            write(svc, ctx, &case, expect, cmd)
                .await?
                .confirm(t!("done-stance", stance = crate::i18n::term("stance", stance.as_str())))
        }
        ReturnCmd::Explore { participant, findings: f, on, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let findings = findings(&f)?;
            let (cmd, sentence) = if case.return_exploration().is_some() {
                (CaseCommand::UpdateReturnExploration { findings, on }, t!("done-exploration-updated"))
            } else {
                (
                    CaseCommand::StartReturnExploration { on: date_or_today(on), findings },
                    t!("done-exploration-started"),
                )
            };
            write(svc, ctx, &case, expect, cmd).await?.confirm(sentence)
        }
        ReturnCmd::Obstacle { participant, kind, description, partner, dated: Dated { on, expect } } => {
            let case = load(svc, ctx, &participant).await?;
            let id = ObstacleId::from_uuid(new_id());
            let cmd = CaseCommand::IdentifyObstacle {
                id,
                kind,
                description: text("--description", &description)?,
                partner: match partner {
                    Some(p) => Some(ctx.org(svc, "--partner", &p).await?),
                    None => None,
                },
                on: date_or_today(on),
            };
            write(svc, ctx, &case, expect, cmd)
                .await?
                .naming("obstacle", id)
                .confirm(t!("done-obstacle-added", id = short(&id.to_string())))
        }
        ReturnCmd::ObstacleAction { participant, obstacle, description, status, dated: Dated { on, expect } } => {
            obstacle_action(svc, ctx, &participant, &obstacle, &description, status, on, expect).await
        }
        ReturnCmd::RemoveObstacle { participant, obstacle, description, dated: Dated { on, expect } } => {
            obstacle_action(svc, ctx, &participant, &obstacle, &description, ObstacleStatus::Removed, on, expect).await
        }
        ReturnCmd::Reintegration {
            participant,
            housing,
            income_work,
            business_plan,
            care,
            contacts_abroad,
            dated: Dated { on, expect },
        } => {
            let case = load(svc, ctx, &participant).await?;
            let plan = ReintegrationPlan {
                housing: opt_text("--housing", housing.as_ref())?,
                income_work: opt_text("--income-work", income_work.as_ref())?,
                business_plan: opt_text("--business-plan", business_plan.as_ref())?,
                care: opt_text("--care", care.as_ref())?,
                contacts_abroad: opt_text("--contacts-abroad", contacts_abroad.as_ref())?,
                updated_on: on,
            };
            write_as(svc, ctx, &case, expect, CaseCommand::UpdateReintegrationPlan(plan), &[("updated_on", "on")])
                .await?
                .confirm(t!("done-reintegration"))
        }
        ReturnCmd::Departure { participant, step, note, on, date, schiphol, expect } => {
            let mut case = load(svc, ctx, &participant).await?;
            let mut expect = expect;
            let mut last = None;
            if let Some(kind) = step {
                let note = text("--note", note.as_deref().unwrap_or_default())?;
                let done = exec(
                    svc,
                    ctx,
                    &case,
                    expect,
                    CaseCommand::RecordDepartureStep(DepartureStep { on: date_or_today(on), kind, note }),
                )
                .await?;
                expect.version = Some(done.version);
                last = Some(done);
            }
            if date.is_some() || schiphol {
                if last.is_some() {
                    case = svc.get_case(&ctx.caller, case.id()).await?;
                }
                last = Some(
                    exec_as(
                        svc,
                        ctx,
                        &case,
                        expect,
                        CaseCommand::PlanDeparture { on: date, accompany_to_schiphol: schiphol },
                        &[("on", "date")],
                    )
                    .await?,
                );
            }
            let done = last.ok_or_else(|| Failure::field("--step", t!("violation-step-or-date")))?;
            Written::new(ctx, &case, done).confirm(t!("done-departure"))
        }
        ReturnCmd::Rean {
            participant,
            no_assisted_return_in_five_years,
            travel_document_obtainable,
            agrees_procedures_end,
            dated: Dated { on, expect },
        } => {
            let case = load(svc, ctx, &participant).await?;
            let current = case.departure().map(|d| d.rean).unwrap_or_default();
            let checklist = ReanChecklist {
                no_assisted_return_in_five_years: no_assisted_return_in_five_years
                    .map_or(current.no_assisted_return_in_five_years, |t| t.0),
                travel_document_obtainable: travel_document_obtainable
                    .map_or(current.travel_document_obtainable, |t| t.0),
                agrees_procedures_end: agrees_procedures_end.map_or(current.agrees_procedures_end, |t| t.0),
                updated_on: on,
            };
            let sentence = if checklist.all_met() { t!("done-rean-met") } else { t!("done-rean") };
            write_as(svc, ctx, &case, expect, CaseCommand::UpdateReanChecklist(checklist), &[("updated_on", "on")])
                .await?
                .confirm(sentence)
        }
        ReturnCmd::Judgment { participant, verdict, is_final, reasoning, dated: Dated { on, expect } } => {
            let case = load(svc, ctx, &participant).await?;
            let id = JudgmentId::from_uuid(new_id());
            let input = RecordJudgmentInput {
                verdict,
                finality: if is_final { Finality::Final } else { Finality::Provisional },
                reasoning,
                formed_on: date_or_today(on),
            };
            write(svc, ctx, &case, expect, input.into_command(id)?)
                .await?
                .naming("judgment", id)
                .confirm(t!("done-judgment", id = short(&id.to_string())))
        }
        ReturnCmd::Communicated { participant, judgment, to, override_reason, dated: Dated { on, expect } } => {
            let case = load(svc, ctx, &participant).await?;
            let judgment = pick("return_judgment", &judgment, case.judgments().iter().map(|j| j.id))?;
            let cmd = CaseCommand::RecordJudgmentCommunicated {
                judgment,
                to: recipient(svc, ctx, "--to", &to).await?,
                on: date_or_today(on),
                consent_override: opt_text("--override-reason", override_reason.as_ref())?,
            };
            write(svc, ctx, &case, expect, cmd).await?.naming("judgment", judgment).confirm(t!("done-communicated"))
        }
        ReturnCmd::Consequences { participant, judgment, dated: Dated { on, expect } } => {
            let case = load(svc, ctx, &participant).await?;
            let judgment = pick("return_judgment", &judgment, case.judgments().iter().map(|j| j.id))?;
            write(svc, ctx, &case, expect, CaseCommand::RecordConsequencesExplained { judgment, on: date_or_today(on) })
                .await?
                .naming("judgment", judgment)
                .confirm(t!("done-consequences"))
        }
        ReturnCmd::Show { participant } => {
            let case = load(svc, ctx, &participant).await?;
            let value = json!({
                "return_stance": case.return_stance(),
                "exploration": case.return_exploration(),
                "obstacles": case.obstacles().collect::<Vec<_>>(),
                "reintegration_plan": case.reintegration_plan(),
                "departure": case.departure(),
                "judgments": case.judgments(),
            });
            if ctx.format != OutputFormat::Table {
                // Organisations by name and code, not by id (obstacles' partners, judgments'
                // recipients).
                let mut value = value;
                ctx.directory(svc).await?.name_ids(&mut value);
                return output::print(&format!("{}\n", serde_json::to_string_pretty(&value).unwrap_or_default()));
            }
            let mut text = format!(
                "{}: {}\n",
                t!("col-return-stance"),
                crate::i18n::term("stance", case.return_stance().as_str())
            );
            if let Some(e) = case.return_exploration() {
                text.push_str(&format!("{}: {}\n", t!("col-exploration-started"), e.started_on));
            }
            let rows: Vec<_> = case
                .obstacles()
                .map(|o| obj(json!({"id": o.id.to_string(), "kind": crate::args::ser(&o.kind), "status": o.status.as_str(), "description": o.description.as_str(), "identified_on": o.identified_on.to_string()})))
                .collect();
            output::print(&text)?;
            let cols = [
                col("id", "col-id"),
                term_col("kind", "col-kind", "obstacle"),
                term_col("status", "col-status", "status"),
                col("identified_on", "col-date"),
                col("description", "col-description"),
            ];
            if !rows.is_empty() {
                output::list(ctx.format, &cols, &rows)?;
            }
            for j in case.judgments() {
                output::print(&format!(
                    "{}: {} ({}, {}) {}\n",
                    t!("col-judgment"),
                    crate::i18n::term("verdict", &crate::args::ser(&j.verdict)),
                    crate::i18n::term("finality", &crate::args::ser(&j.finality)),
                    j.formed_on,
                    short(&j.id.to_string())
                ))?;
            }
            Ok(())
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn obstacle_action<S: PerspectiefService + DirectoryService>(
    svc: &S,
    ctx: &Ctx,
    participant: &str,
    obstacle: &str,
    description: &str,
    status: ObstacleStatus,
    on: Option<NaiveDate>,
    expect: Expect,
) -> Result<()> {
    let case = load(svc, ctx, participant).await?;
    let obstacle = pick("return_obstacle", obstacle, case.obstacles().map(|o| o.id))?;
    let cmd = CaseCommand::ActOnObstacle {
        obstacle,
        description: text("--description", description)?,
        status,
        on: date_or_today(on),
    };
    write(svc, ctx, &case, expect, cmd)
        .await?
        .naming("obstacle", obstacle)
        .confirm(t!("done-obstacle-action", status = crate::i18n::term("status", status.as_str())))
}
