//! `perspectief backup`: a copy of the SQLite database (local only).

use std::path::PathBuf;

use clap::Args;
use perspectief_core::DomainError;
use perspectief_core::access::{Action, Resource};
use perspectief_store::Store;
use serde_json::json;

use crate::context;
use crate::context::{Ctx, sqlite_path};
use crate::exit::{Failure, Result, UNAVAILABLE, VALIDATION};
use crate::output;
use crate::t;

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Het nieuwe bestand (anders in de map met beheerde reservekopieën naast de database, die de bewaartermijnen ook opschonen)
    pub file: Option<PathBuf>,
}

pub async fn backup(store: &Store, ctx: &Ctx, url: &str, args: BackupArgs) -> Result<()> {
    // The whole database: the core's decision (the administrator's alone), on record.
    match store.authorise(&ctx.caller, Action::Export, Resource::Database, "backup").await {
        Err(DomainError::AccessDenied(_)) => {
            return Err(Failure::new(crate::exit::PERMISSION, t!("error-backup-role")));
        }
        other => other?,
    }
    if sqlite_path(url).is_none() {
        return Err(Failure::new(UNAVAILABLE, t!("error-backup-postgres")));
    }
    if let Some(file) = &args.file {
        if file.exists() {
            return Err(Failure::new(VALIDATION, t!("error-backup-exists", path = file.display())));
        }
        context::make_parent(file)?;
    }
    let spinner = super::import::spinner(&t!("progress-backup"));
    // Without a file: a managed backup, which the retention run processes too.
    let result = match &args.file {
        Some(file) => store.backup_to(file).await.map(|()| file.clone()),
        None => store.managed_backup().await,
    };
    spinner.finish_and_clear();
    let path = result.map_err(Failure::from)?;
    let sentence = if args.file.is_some() {
        t!("done-backup", path = path.display())
    } else {
        t!("done-backup-managed", path = path.display())
    };
    output::done(ctx.format, &sentence, json!({"file": path.display().to_string(), "managed": args.file.is_none()}))
}
