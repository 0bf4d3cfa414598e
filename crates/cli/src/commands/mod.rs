//! The commands. Workflow commands are written once, generic over [`PerspectiefService`], and
//! run on the local store or through a server alike.

// One module a noun of the command line, each with its clap arguments and its handler.
pub mod agreement;
pub mod audit;
pub mod backup;
pub mod consent;
pub mod contact;
pub mod dev;
pub mod export;
pub mod goal;
pub mod grant;
pub mod history;
pub mod history_export;
pub mod import;
pub mod init;
pub mod key;
pub mod meeting;
pub mod misc;
pub mod organisation;
pub mod outflow;
pub mod participant;
pub mod period;
pub mod plan;
pub mod privacy;
pub mod referral;
pub mod report;
pub mod returns;
pub mod session;
pub mod token;
pub mod user;
pub mod worklist;
pub mod zrm;

// Parts of a command that live in their own module: `participant document`, `report zrm`
// (documents), `privacy retention`, `privacy erase` and `privacy hold`.
pub mod documents;
pub mod erasure;
pub mod retention;

// What the case-file commands share.
pub mod case;

use perspectief_core::error::ValueError;
use perspectief_core::ids::{OrganisationId, UserId};
use perspectief_core::organisation::DirectoryService;
use perspectief_core::plan::Responsible;
use perspectief_core::returns::Recipient;
use perspectief_core::text::{Label, Text};

use crate::context::Ctx;
use crate::directory::{Directory, Staff};
use crate::exit::{Failure, Result};
use crate::t;

/// The caller for keeping accounts, tokens, grants and the register.
pub fn admin_caller(ctx: &Ctx) -> perspectief_core::service::Caller {
    ctx.with_purpose(perspectief_core::service::Purpose::Administration)
}

/// A value error as a validation failure naming the flag.
pub fn vfail(flag: &str, e: &ValueError) -> Failure {
    let id = format!("violation-{}", e.code);
    let problem = if crate::i18n::has(&id) { t!(&id) } else { e.message.clone() };
    Failure::field(flag, problem)
}

pub fn text(flag: &str, v: &str) -> Result<Text> {
    Text::parse(v).map_err(|e| vfail(flag, &e))
}

pub fn opt_text(flag: &str, v: Option<&String>) -> Result<Option<Text>> {
    v.map(|v| text(flag, v)).transpose()
}

pub fn label(flag: &str, v: &str) -> Result<Label> {
    Label::parse(v).map_err(|e| vfail(flag, &e))
}

/// `participant`, `staff[:USER]` or `partner:ORG` (Dutch: deelnemer, medewerker, partner); an
/// organisation by its code or id.
pub async fn responsible<S: DirectoryService>(svc: &S, ctx: &Ctx, flag: &str, v: &str) -> Result<Responsible> {
    let (kind, rest) = v.split_once(':').map_or((v, None), |(k, r)| (k, Some(r)));
    match (kind.trim().to_lowercase().as_str(), rest) {
        ("participant" | "deelnemer", None) => Ok(Responsible::Participant),
        ("staff" | "medewerker", None) => Ok(Responsible::Staff(ctx.me())),
        ("staff" | "medewerker", Some(u)) => Ok(Responsible::Staff(ctx.user(flag, u)?)),
        ("partner", Some(o)) => Ok(Responsible::Partner(ctx.org(svc, flag, o).await?)),
        _ => Err(Failure::field(flag, t!("violation-responsible", value = v))),
    }
}

/// `participant`, `municipality` or `partner:ORG` (an organisation by its code or id).
pub async fn recipient<S: DirectoryService>(svc: &S, ctx: &Ctx, flag: &str, v: &str) -> Result<Recipient> {
    let (kind, rest) = v.split_once(':').map_or((v, None), |(k, r)| (k, Some(r)));
    match (kind.trim().to_lowercase().as_str(), rest) {
        ("participant" | "deelnemer", None) => Ok(Recipient::Participant),
        ("municipality" | "gemeente", None) => Ok(Recipient::Municipality),
        ("partner", Some(o)) => Ok(Recipient::Partner(ctx.org(svc, flag, o).await?)),
        _ => Err(Failure::field(flag, t!("violation-recipient", value = v))),
    }
}

/// How a responsible party reads in a table or JSON: an organisation by name and code, a
/// staff member by name.
pub fn responsible_str(directory: &Directory, staff: &Staff, r: &Responsible) -> String {
    match r {
        Responsible::Participant => "participant".to_owned(),
        Responsible::Staff(u) => format!("staff:{}", staff.name(*u)),
        Responsible::Partner(o) => format!("partner:{}", directory.name(*o)),
    }
}

pub fn users(ctx: &Ctx, flag: &str, values: &[String]) -> Result<Vec<UserId>> {
    values.iter().map(|v| ctx.user(flag, v)).collect()
}

/// Organisations by code or id.
pub async fn orgs<S: DirectoryService>(
    svc: &S,
    ctx: &Ctx,
    flag: &str,
    values: &[String],
) -> Result<Vec<OrganisationId>> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let directory = ctx.directory(svc).await?;
    values.iter().map(|v| directory.resolve(flag, v)).collect()
}

/// Ask for a value on the terminal; `None` when the answer is empty.
pub fn ask(prompt: &str) -> Result<Option<String>> {
    use std::io::{BufRead, Write};
    let mut err = std::io::stderr();
    let _ = write!(err, "{prompt}: ");
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| Failure::new(crate::exit::IO, e.to_string()))?;
    let v = line.trim().to_owned();
    Ok((!v.is_empty()).then_some(v))
}

/// Whether prompting is possible (stdin and stderr are terminals).
pub fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// A required value: given, asked for on a terminal, or a validation error naming the flag.
pub fn required(value: Option<String>, flag: &str, prompt_id: &str) -> Result<String> {
    if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
        return Ok(v);
    }
    if interactive()
        && let Some(v) = ask(&t!(prompt_id))?
    {
        return Ok(v);
    }
    Err(Failure::field(flag, t!("violation-required")))
}
