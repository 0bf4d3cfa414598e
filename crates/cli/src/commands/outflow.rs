//! `perspectief outflow`: the end of the trajectory.

use clap::Subcommand;
use perspectief_core::case::CaseCommand;
use perspectief_core::organisation::DirectoryService;
use perspectief_core::outflow::OutflowOutcome;
use perspectief_core::service::PerspectiefService;

use super::case::{DatedNote, date_or_today, load, write};
use super::opt_text;
use crate::choice;
use crate::context::Ctx;
use crate::exit::Result;
use crate::t;

#[derive(Debug, Subcommand)]
pub enum OutflowCmd {
    /// Leg de uitstroom vast: dit beëindigt het traject
    Record {
        participant: String,
        #[arg(long, value_parser = choice!(OutflowOutcome, ["departed_independently_supervised", "departed_forced", "departed_without_supervision", "residence_permit_granted", "new_asylum_application", "other_new_procedure", "departure_postponed_medical", "onward_migration", "moved_to_other_shelter", "ended_by_chain_decision", "deceased", "other"]))]
        outcome: OutflowOutcome,
        #[command(flatten)]
        noted: DatedNote,
    },
}

pub async fn outflow_cmd<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: OutflowCmd) -> Result<()> {
    let OutflowCmd::Record { participant, outcome, noted: DatedNote { on, note, expect } } = cmd;
    let case = load(svc, ctx, &participant).await?;
    let cmd = CaseCommand::RecordOutflow { outcome, on: date_or_today(on), note: opt_text("--note", note.as_ref())? };
    write(svc, ctx, &case, expect, cmd)
        .await?
        .confirm(t!("done-outflow", outcome = crate::i18n::term("outflow", &crate::args::ser(&outcome))))
}
