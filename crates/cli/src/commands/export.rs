//! `perspectief export`: every case file as one JSON line each.

use std::path::PathBuf;

use clap::Args;
use perspectief_core::organisation::DirectoryService;
use perspectief_core::service::{ParticipantFilter, PerspectiefService};
use serde_json::json;

use crate::context::{Ctx, all_participants};
use crate::exit::{Failure, Result};
use crate::output;
use crate::t;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub what: Option<ExportCmd>,
    /// Het bestand (JSON-regels: één dossier per regel)
    #[arg(required = true)]
    pub file: Option<PathBuf>,
    /// Ook afgesloten trajecten
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum ExportCmd {
    /// Exporteer alle dossiers en voorlichtingen als de CSV-bestanden van `import history` (alleen lokaal, alleen de beheerder)
    History(super::history_export::ExportHistoryArgs),
}

/// Export every case file as one JSON line each.
pub async fn export<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, args: ExportArgs) -> Result<()> {
    use std::io::Write;
    let filter = ParticipantFilter { include_closed: args.all, ..Default::default() };
    let Some(file) = args.file else { return Err(Failure::new(crate::exit::USAGE, "export FILE")) };
    let ids: Vec<_> = all_participants(svc, ctx, filter).await?.iter().map(|p| p.id).collect();
    crate::context::make_parent(&file)?;
    let mut out = Vec::new();
    let bar = crate::commands::import::progress(ids.len() as u64, &t!("progress-export"));
    for id in &ids {
        let case = svc.get_case(&ctx.caller, *id).await?;
        serde_json::to_writer(&mut out, &case).map_err(|e| Failure::new(crate::exit::INTERNAL, e.to_string()))?;
        out.push(b'\n');
        bar.inc(1);
    }
    bar.finish_and_clear();
    crate::config::write_private(&file, &out).map_err(|e| Failure::io(&file, &e))?;
    let _ = std::io::stderr().flush();
    output::done(
        ctx.format,
        &t!("done-export", count = ids.len(), path = file.display()),
        json!({"exported": ids.len(), "file": file.display().to_string()}),
    )
}
