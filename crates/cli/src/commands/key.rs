//! `key new`, `key rotate`, `key status`: retiring an encryption key. Local only: they work on
//! the database and the key file of this machine, never through a server.

use std::ops::ControlFlow;

use perspectief_core::service::Purpose;
use perspectief_store::{Keyring, Store};
use serde_json::json;

use crate::cli::{Cli, OutputFormat};
use crate::commands::misc::RefArgs;
use crate::config::Config;
use crate::context::{self, Ctx};
use crate::exit::{CONFIG, Failure, Result};
use crate::output::{self, col, obj};
use crate::t;
use clap::{Args, Subcommand};

/// Retiring a key: `key new`, then `key rotate`, then `key status`, then the old line out.
#[derive(Debug, Subcommand)]
pub enum KeyCmd {
    /// Zet een nieuwe sleutel vooraan in het sleutelbestand (rechten 0600); de oude sleutels blijven staan tot `key rotate` klaar is. Start de server daarna opnieuw met dit bestand
    New,
    /// Versleutel alles wat nog onder een oudere sleutel staat opnieuw met de huidige (beheerder); in porties, elk in één transactie: afgebroken gaat een volgende keer verder waar het stopte
    Rotate(RotateArgs),
    /// Welke sleutels de database nog nodig heeft: per sleutel het aantal waarden en of hij uit het sleutelbestand mag (beheerder)
    Status(RefArgs),
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// Hoeveel rijen per transactie
    #[arg(long, default_value_t = perspectief_store::DEFAULT_ROTATION_BATCH as u64, value_parser = clap::value_parser!(u64).range(1..=100_000), value_name = "AANTAL")]
    pub batch: u64,
}

/// `key new`: a new key at the front of the key file (it seals from the next start on; the
/// keys after it keep opening older values until `key rotate` is done).
pub fn new_key(cli: &Cli, config: &Config) -> Result<()> {
    // Keys from the environment cannot be rewritten from here: say what to do instead.
    if cli.key_file.is_none() && std::env::var("PERSPECTIEF_KEY").is_ok_and(|v| !v.trim().is_empty()) {
        return Err(Failure::new(CONFIG, t!("error-key-new-env")));
    }
    let path = context::key_file(cli, config)?;
    if !path.exists() {
        return Err(Failure::new(CONFIG, t!("error-no-key", path = path.display())));
    }
    let ring = Keyring::prepend_to_file(&path).map_err(|e| Failure::new(CONFIG, e.to_string()))?;
    let key_id = ring.current_id().to_owned();
    let older: Vec<&String> = ring.ids().skip(1).collect();
    output::done(
        cli.output,
        &t!("done-key-new", key = key_id.as_str(), path = path.display()),
        json!({"key": key_id, "file": path.display().to_string(), "older_keys": older}),
    )
}

pub async fn key_cmd(store: &Store, ctx: &Ctx, cmd: KeyCmd) -> Result<()> {
    let caller = ctx.with_purpose(Purpose::Administration);
    match cmd {
        KeyCmd::New => Err(Failure::new(crate::exit::INTERNAL, "unroutable command")),
        KeyCmd::Rotate(args) => {
            let batch = usize::try_from(args.batch).unwrap_or(perspectief_store::DEFAULT_ROTATION_BATCH);
            // One line per batch on stderr: the data on stdout stays the summary alone.
            let rotation = store
                .rotate_keys(&caller, batch, |p| {
                    output::note(&t!("progress-key-rotate", done = p.resealed, total = p.total));
                    ControlFlow::Continue(())
                })
                .await?;
            let sentence = match (rotation.resealed, rotation.retired.as_slice()) {
                (0, []) => t!("done-key-rotate-nothing", key = rotation.current.as_str()),
                (_, []) => t!("done-key-rotate", key = rotation.current.as_str(), count = rotation.resealed),
                (_, retired) => t!(
                    "done-key-rotate-retired",
                    key = rotation.current.as_str(),
                    count = rotation.resealed,
                    retired = retired.join(", ")
                ),
            };
            output::done(
                ctx.format,
                &sentence,
                json!({
                    "current": rotation.current,
                    "resealed": rotation.resealed,
                    "complete": rotation.complete,
                    "retired": rotation.retired,
                }),
            )
        }
        KeyCmd::Status(args) => {
            let format = if args.json { OutputFormat::Json } else { ctx.format };
            let status = store.key_status(&caller).await?;
            let rows: Vec<_> = status
                .keys
                .iter()
                .map(|k| {
                    obj(json!({
                        "key": k.key_id,
                        "current": k.current,
                        "in_key_file": k.in_keyring,
                        "values": k.values,
                        "needed": k.needed,
                    }))
                })
                .collect();
            let cols = [
                col("key", "col-key"),
                col("current", "col-key-current"),
                col("in_key_file", "col-key-in-file"),
                col("values", "col-key-values"),
                col("needed", "col-key-needed"),
            ];
            output::list(format, &cols, &rows)?;
            if format == OutputFormat::Table {
                let retirable: Vec<&str> =
                    status.keys.iter().filter(|k| !k.needed && k.in_keyring).map(|k| k.key_id.as_str()).collect();
                if !retirable.is_empty() {
                    output::note(&t!("note-key-retirable", keys = retirable.join(", ")));
                } else if status.keys.iter().any(|k| k.needed && !k.current) {
                    output::note(&t!("note-key-rotate-first"));
                }
            }
            Ok(())
        }
    }
}
