//! Reference data, shell completions and the man page.

use perspectief_core::ActivityCode;
use perspectief_core::trajectory::Phase;
use serde_json::json;

use crate::cli::OutputFormat;
use crate::exit::{Failure, IO, Result};
use crate::i18n::{Lang, lang};
use crate::output::{self, col, obj};
use clap::Args;

#[derive(Debug, Args)]
pub struct RefArgs {
    /// Als JSON (hetzelfde als --output json)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn activities(format: OutputFormat) -> Result<()> {
    let rows: Vec<_> = ActivityCode::ALL
        .iter()
        .map(|c| {
            obj(json!({
                "code": c.code(),
                "theme": c.theme().letter().to_string(),
                "name": if lang() == Lang::En { c.english_name() } else { c.dutch_name() },
                "name_nl": c.dutch_name(),
                "name_en": c.english_name(),
            }))
        })
        .collect();
    let cols = if format == OutputFormat::Table {
        vec![col("code", "col-code"), col("theme", "col-theme"), col("name", "col-name")]
    } else {
        vec![col("code", ""), col("theme", ""), col("name_nl", ""), col("name_en", "")]
    };
    output::list(format, &cols, &rows)
}

pub fn phases(format: OutputFormat) -> Result<()> {
    let rows: Vec<_> = Phase::ALL
        .iter()
        .map(|p| obj(json!({ "phase": p.as_str(), "name": crate::i18n::term("phase", p.as_str()), "name_nl": p.dutch_name() })))
        .collect();
    let cols = if format == OutputFormat::Table {
        vec![col("phase", "col-phase-code"), col("name", "col-name")]
    } else {
        vec![col("phase", ""), col("name_nl", "")]
    };
    output::list(format, &cols, &rows)
}

pub fn completions(mut cmd: clap::Command, shell: clap_complete::Shell) -> Result<()> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "perspectief", &mut buf);
    output::print(&String::from_utf8_lossy(&buf))
}

pub fn man(cmd: clap::Command) -> Result<()> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut buf).map_err(|e| Failure::new(IO, e.to_string()))?;
    // Every subcommand too, so `man perspectief` documents the whole tool.
    output::print(&String::from_utf8_lossy(&buf))
}
