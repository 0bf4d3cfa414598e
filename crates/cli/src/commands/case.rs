//! What the case-file commands share: the `--expect-version` flag, reading a case by a
//! participant reference, executing a command on the version just read, and confirming the
//! write in one form for people and scripts.

use chrono::NaiveDate;
use clap::Args;
use perspectief_core::DomainError;
use perspectief_core::case::{Case, CaseCommand};
use perspectief_core::organisation::DirectoryService;
use perspectief_core::plan::Responsible;
use perspectief_core::service::{Executed, PerspectiefService};
use serde_json::json;
use uuid::Uuid;

use crate::args::{parse_date, today};
use crate::context::{Ctx, participant};
use crate::directory::{Directory, Staff};
use crate::exit::Result;
use crate::output;
use crate::t;

/// Writes: the version the change is based on.
#[derive(Debug, Args, Clone, Copy)]
pub struct Expect {
    /// Weiger als het dossier niet meer deze versie heeft (standaard: de versie die net gelezen is)
    #[arg(long = "expect-version", value_name = "VERSIE")]
    pub version: Option<u64>,
}

/// Writes on a day: the day (`--on`, standard today) and the version the change is based on.
#[derive(Debug, Args, Clone, Copy)]
pub struct Dated {
    /// De dag waarop het gebeurde (standaard vandaag; ook JJJJ-MM-DD, DD-MM-JJJJ, gisteren, -3d)
    #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
    pub on: Option<NaiveDate>,
    #[command(flatten)]
    pub expect: Expect,
}

/// Writes on a day with an optional note: `--on`, `--note` and the version the change is based on.
#[derive(Debug, Args)]
pub struct DatedNote {
    /// De dag waarop het gebeurde (standaard vandaag; ook JJJJ-MM-DD, DD-MM-JJJJ, gisteren, -3d)
    #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
    pub on: Option<NaiveDate>,
    #[arg(long)]
    pub note: Option<String>,
    #[command(flatten)]
    pub expect: Expect,
}

/// A new id (time-ordered).
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

/// The case of a participant given by id or the start of its id.
pub async fn load<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, p: &str) -> Result<Case> {
    let id = participant(svc, ctx, p).await?;
    Ok(svc.get_case(&ctx.caller, id).await?)
}

/// Execute on the version just read (or the one given with `--expect-version`).
pub async fn exec<S: PerspectiefService + DirectoryService>(
    svc: &S,
    ctx: &Ctx,
    case: &Case,
    expect: Expect,
    cmd: CaseCommand,
) -> Result<Executed> {
    exec_as(svc, ctx, case, expect, cmd, &[]).await
}

/// [`exec`] for a command whose flags are named otherwise than the core's fields: each
/// `(field, flag)` of `flags` names a refused `field` as `--flag` (`return departure` gives
/// the planned day, the core's `on`, as `--date`).
pub async fn exec_as<S: PerspectiefService + DirectoryService>(
    svc: &S,
    ctx: &Ctx,
    case: &Case,
    expect: Expect,
    cmd: CaseCommand,
    flags: &[(&str, &str)],
) -> Result<Executed> {
    let version = expect.version.unwrap_or(case.version());
    match svc.execute(&ctx.caller, case.id(), Some(version), cmd).await {
        Ok(done) => Ok(done),
        // The error names the organisation by id: have the register at hand, so the message
        // names it by name and code (see `Ctx::named`).
        Err(e @ DomainError::ConsentRequired { .. }) => {
            ctx.directory(svc).await?;
            Err(e.into())
        }
        Err(DomainError::InvalidInput(mut v)) if !flags.is_empty() => {
            for violation in v.0.iter_mut() {
                if let Some((_, flag)) = flags.iter().find(|(field, _)| *field == violation.field) {
                    violation.field = (*flag).to_owned();
                }
            }
            Err(DomainError::InvalidInput(v).into())
        }
        Err(e) => Err(e.into()),
    }
}

/// [`exec`], then what to confirm.
pub async fn write<'a, S: PerspectiefService + DirectoryService>(
    svc: &S,
    ctx: &'a Ctx,
    case: &'a Case,
    expect: Expect,
    cmd: CaseCommand,
) -> Result<Written<'a>> {
    write_as(svc, ctx, case, expect, cmd, &[]).await
}

/// [`write`] with the flags named as in [`exec_as`].
pub async fn write_as<'a, S: PerspectiefService + DirectoryService>(
    svc: &S,
    ctx: &'a Ctx,
    case: &'a Case,
    expect: Expect,
    cmd: CaseCommand,
    flags: &[(&str, &str)],
) -> Result<Written<'a>> {
    let done = exec_as(svc, ctx, case, expect, cmd, flags).await?;
    Ok(Written::new(ctx, case, done))
}

/// A write on a case, to be confirmed: a sentence, or `{participant, version, changed, <key>:
/// id}` for scripts.
pub struct Written<'a> {
    ctx: &'a Ctx,
    case: &'a Case,
    /// What the service did.
    pub done: Executed,
    key: Option<(&'static str, String)>,
}

impl<'a> Written<'a> {
    /// What `done`, executed on `case`, confirms.
    pub fn new(ctx: &'a Ctx, case: &'a Case, done: Executed) -> Self {
        Self { ctx, case, done, key: None }
    }

    /// Name the record the write made or changed in the scripts' form (`"goal": "<id>"`).
    pub fn naming(mut self, key: &'static str, id: impl ToString) -> Self {
        self.key = Some((key, id.to_string()));
        self
    }

    /// Confirm with `sentence` (or that nothing changed) and the version the case has now.
    pub fn confirm(self, sentence: String) -> Result<()> {
        let done = &self.done;
        let mut v = json!({
            "participant": self.case.id().to_string(),
            "version": done.version,
            "changed": !done.events.is_empty(),
        });
        if let Some((k, id)) = &self.key {
            v[*k] = json!(id);
        }
        let sentence = if done.events.is_empty() { t!("done-nothing-changed") } else { sentence };
        let mut sentence = format!("{sentence} ({})", t!("version-now", version = done.version));
        // Entered later than the foundation's threshold after the day it happened (the store
        // marks it): say so now, as the history and the project lead's listing will.
        let days_late = done
            .events
            .iter()
            .filter(|e| e.late)
            .map(|e| {
                perspectief_core::late::days_late(
                    e.change.effective_on(e.at),
                    perspectief_core::time::amsterdam_date(e.at),
                )
            })
            .max();
        if let Some(days) = days_late {
            v["days_late"] = json!(days);
            sentence = format!("{sentence}\n{}", t!("note-late-entry", days = days));
        }
        output::done(self.ctx.format, &sentence, v)
    }
}

/// The day given, or today.
pub fn date_or_today(d: Option<NaiveDate>) -> NaiveDate {
    d.unwrap_or_else(today)
}

/// An instant as Amsterdam local time, `YYYY-MM-DD HH:MM`.
pub fn local_time(at: chrono::DateTime<chrono::Utc>) -> String {
    let offset = perspectief_core::time::amsterdam_offset_hours(at);
    (at + chrono::Duration::hours(offset)).format("%Y-%m-%d %H:%M").to_string()
}

/// The register and the staff directory as far as these responsible parties need them: an
/// organisation's name needs the register, a staff member's the staff directory; parties that
/// need neither read nothing (and log nothing).
pub async fn parties<'c, S: DirectoryService>(
    svc: &S,
    ctx: &'c Ctx,
    responsible: &[&Responsible],
) -> Result<(&'c Directory, &'c Staff)> {
    let partner = responsible.iter().any(|r| matches!(r, Responsible::Partner(_)));
    let staff = responsible.iter().any(|r| matches!(r, Responsible::Staff(_)));
    Ok((ctx.directory_if(svc, partner).await?, ctx.staff_if(svc, staff).await?))
}
