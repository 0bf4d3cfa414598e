//! `perspectief goal`: the goals in the plan.

use chrono::NaiveDate;
use clap::Subcommand;
use perspectief_core::case::CaseCommand;
use perspectief_core::ids::GoalId;
use perspectief_core::input::SetGoalInput;
use perspectief_core::organisation::DirectoryService;
use perspectief_core::plan::GoalStatus;
use perspectief_core::service::PerspectiefService;
use serde_json::json;

use super::case::{Dated, Written, date_or_today, exec, load, new_id, parties, write, write_as};
use super::{orgs, responsible, responsible_str, text};
use crate::args::{parse_date, today};
use crate::choice;
use crate::context::{Ctx, pick};
use crate::exit::{Failure, Result};
use crate::output::{self, col, obj, short, term_col};
use crate::t;

#[derive(Debug, Subcommand)]
pub enum GoalCmd {
    /// Voeg een doel toe
    #[command(visible_alias = "toevoegen")]
    Add {
        participant: String,
        /// Wat
        #[arg(long)]
        description: String,
        /// Waarom
        #[arg(long)]
        rationale: Option<String>,
        /// Termijn (datum of +14, +2w, +1m)
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        deadline: NaiveDate,
        /// Wie: participant, staff[:GEBRUIKER] of partner:ORGANISATIE (standaard participant)
        #[arg(long, default_value = "participant")]
        responsible: String,
        /// Betrokken partner (organisatie; herhaalbaar)
        #[arg(long = "partner", value_name = "ORGANISATIE")]
        partners: Vec<String>,
        /// Volgende stappen
        #[arg(long)]
        next_steps: Option<String>,
        #[command(flatten)]
        dated: Dated,
    },
    /// Wijzig de status of de volgende stappen van een doel
    Update {
        participant: String,
        goal: String,
        #[arg(long, value_parser = choice!(GoalStatus, ["open", "in_progress", "achieved", "missed", "dropped"]))]
        status: Option<GoalStatus>,
        /// Nieuwe termijn (bij hervatten van een gemist doel)
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        deadline: Option<NaiveDate>,
        #[arg(long)]
        next_steps: Option<String>,
        #[command(flatten)]
        dated: Dated,
    },
    /// Markeer een doel als behaald
    #[command(visible_alias = "behaald")]
    Done {
        participant: String,
        goal: String,
        #[command(flatten)]
        dated: Dated,
    },
    /// De doelen van een deelnemer
    #[command(visible_alias = "ls")]
    List { participant: String },
}

pub async fn goal_cmd<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: GoalCmd) -> Result<()> {
    match cmd {
        GoalCmd::Add {
            participant,
            description,
            rationale,
            deadline,
            responsible: who,
            partners,
            next_steps,
            dated: Dated { on, expect },
        } => {
            let case = load(svc, ctx, &participant).await?;
            let id = GoalId::from_uuid(new_id());
            let input = SetGoalInput {
                description,
                rationale,
                responsible: responsible(svc, ctx, "--responsible", &who).await?,
                partners: orgs(svc, ctx, "--partner", &partners).await?,
                deadline,
                next_steps,
                set_on: on,
            };
            write_as(svc, ctx, &case, expect, input.into_command(id)?, &[("set_on", "on")])
                .await?
                .naming("goal", id)
                .confirm(t!("done-goal-added", id = short(&id.to_string()), deadline = deadline))
        }
        GoalCmd::Update { participant, goal, status, deadline, next_steps, dated: Dated { on, expect } } => {
            let mut case = load(svc, ctx, &participant).await?;
            let goal = pick("goal", &goal, case.goals().map(|g| g.id))?;
            if status.is_none() && next_steps.is_none() {
                return Err(Failure::field("--status", t!("violation-status-or-steps")));
            }
            let mut last = None;
            let mut expect = expect;
            if let Some(steps) = next_steps {
                let done = exec(
                    svc,
                    ctx,
                    &case,
                    expect,
                    CaseCommand::UpdateGoalSteps { goal, next_steps: text("--next-steps", &steps)?, on },
                )
                .await?;
                expect.version = Some(done.version);
                last = Some(done);
            }
            if let Some(to) = status {
                if last.is_some() {
                    case = svc.get_case(&ctx.caller, case.id()).await?;
                }
                let cmd = CaseCommand::ChangeGoalStatus { goal, to, new_deadline: deadline, on: date_or_today(on) };
                last = Some(exec(svc, ctx, &case, expect, cmd).await?);
            }
            let done = last.ok_or_else(|| Failure::field("--status", t!("violation-required")))?;
            Written::new(ctx, &case, done)
                .naming("goal", goal)
                .confirm(t!("done-goal-updated", id = short(&goal.to_string())))
        }
        GoalCmd::Done { participant, goal, dated: Dated { on, expect } } => {
            let case = load(svc, ctx, &participant).await?;
            let goal = pick("goal", &goal, case.goals().map(|g| g.id))?;
            let cmd = CaseCommand::ChangeGoalStatus {
                goal,
                to: GoalStatus::Achieved,
                new_deadline: None,
                on: date_or_today(on),
            };
            write(svc, ctx, &case, expect, cmd)
                .await?
                .naming("goal", goal)
                .confirm(t!("done-goal-achieved", id = short(&goal.to_string())))
        }
        GoalCmd::List { participant } => {
            let case = load(svc, ctx, &participant).await?;
            let today = today();
            let (directory, staff) =
                parties(svc, ctx, &case.goals().map(|g| &g.responsible).collect::<Vec<_>>()).await?;
            let rows: Vec<_> = case
                .goals()
                .map(|g| {
                    obj(json!({
                        "id": g.id.to_string(),
                        "description": g.description.as_str(),
                        "set_on": g.set_on.to_string(),
                        "deadline": g.deadline.to_string(),
                        "status": g.status.as_str(),
                        "overdue": g.is_overdue(today),
                        "responsible": responsible_str(directory, staff, &g.responsible),
                        "partners": g.partners.iter().map(|p| directory.name(*p)).collect::<Vec<_>>(),
                        "next_steps": g.next_steps.as_ref().map(|t| t.as_str()),
                        "plan_revision": g.plan_revision,
                    }))
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                col("description", "col-description"),
                col("set_on", "col-set-on"),
                col("deadline", "col-deadline"),
                term_col("status", "col-status", "status"),
                col("overdue", "col-overdue"),
                col("responsible", "col-responsible"),
                col("next_steps", "col-next-steps"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}
