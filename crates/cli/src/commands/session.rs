//! `perspectief session`: information sessions and their attendance.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use clap::Subcommand;
use perspectief_core::codes::{CountryCode, LanguageCode};
use perspectief_core::ids::SessionId;
use perspectief_core::organisation::DirectoryService;
use perspectief_core::service::PerspectiefService;
use perspectief_core::session::{InformationSession, PlanSession, SessionCommand, SessionTopic};
use serde_json::{Value, json};

use super::case::new_id;
use super::{label, text, users, vfail};
use crate::args::{parse_date, today};
use crate::context::{Ctx, pick};
use crate::directory::Directory;
use crate::exit::{Failure, Result};
use crate::output::{self, Col, col, obj, short};
use crate::t;

#[derive(Debug, Subcommand)]
pub enum SessionCmd {
    /// Plan een informatiebijeenkomst over één thema (--theme) of één land (--country); die combineren niet: een bijeenkomst over een thema voor mensen uit één land krijgt het thema
    Create {
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        date: NaiveDate,
        /// Thema (of --country, niet allebei)
        #[arg(long, required_unless_present = "country", conflicts_with = "country")]
        theme: Option<String>,
        /// Land (ISO 3166; of --theme, niet allebei)
        #[arg(long)]
        country: Option<String>,
        /// Locatie
        #[arg(long)]
        venue: String,
        /// Taal (herhaalbaar)
        #[arg(long = "language", value_name = "TAAL")]
        languages: Vec<String>,
        /// Begeleiders (standaard de handelende medewerker; herhaalbaar)
        #[arg(long = "facilitator", value_name = "GEBRUIKER")]
        facilitators: Vec<String>,
        #[arg(long, value_name = "ORGANISATIE")]
        partner: Option<String>,
    },
    /// Registreer aanwezigheid (of met --remove: haal weg)
    Attend {
        session: String,
        /// Deelnemers (herhaalbaar)
        #[arg(long = "participant", value_name = "DEELNEMER")]
        participants: Vec<String>,
        /// Aantal aanwezigen zonder inschrijving
        #[arg(long, value_name = "AANTAL")]
        head_count: Option<u32>,
        #[arg(long)]
        remove: bool,
    },
    /// Verplaats een bijeenkomst
    Reschedule {
        session: String,
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        date: NaiveDate,
    },
    /// Zeg een bijeenkomst af
    Cancel {
        session: String,
        #[arg(long)]
        reason: String,
    },
    /// Bijeenkomsten in een periode
    #[command(visible_alias = "ls")]
    List {
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true, default_value = "-3m")]
        from: NaiveDate,
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true, default_value = "+3m")]
        to: NaiveDate,
    },
    /// Eén bijeenkomst
    Show { session: String },
}

fn session_row(directory: &Directory, s: &InformationSession) -> serde_json::Map<String, Value> {
    let topic = match s.topic() {
        SessionTopic::Theme(l) => l.to_string(),
        SessionTopic::Country(c) => c.as_str().to_owned(),
    };
    obj(json!({
        "id": s.id().to_string(),
        "date": s.date().to_string(),
        "topic": topic,
        "venue": s.venue().as_str(),
        "languages": s.languages().iter().map(|l| l.as_str()).collect::<Vec<_>>(),
        "attendees": s.attendees().len(),
        "unregistered_head_count": s.unregistered_head_count(),
        "reach": s.reach(),
        "cancelled": s.is_cancelled(),
        "partner": s.partner().map(|p| directory.name(p)),
        "version": s.version(),
    }))
}

const SESSION_COLS: &[Col] = &[
    col("id", "col-id"),
    col("date", "col-date"),
    col("topic", "col-topic"),
    col("venue", "col-venue"),
    col("languages", "col-languages"),
    col("attendees", "col-attendees"),
    col("unregistered_head_count", "col-head-count"),
    col("reach", "col-reach"),
    col("cancelled", "col-cancelled"),
];

async fn session_id<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, v: &str) -> Result<SessionId> {
    if let Ok(id) = SessionId::parse(v) {
        return Ok(id);
    }
    let today = today();
    let list = svc.list_sessions(&ctx.caller, today - chrono::Days::new(3660), today + chrono::Days::new(3660)).await?;
    pick("information_session", v, list.iter().map(InformationSession::id))
}

pub async fn session_cmd<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: SessionCmd) -> Result<()> {
    match cmd {
        SessionCmd::Create { date, theme, country, venue, languages, facilitators, partner } => {
            let topic = match (theme, country) {
                (Some(t), _) => SessionTopic::Theme(label("--theme", &t)?),
                (None, Some(c)) => SessionTopic::Country(CountryCode::parse(&c).map_err(|e| vfail("--country", &e))?),
                (None, None) => return Err(Failure::field("--theme", t!("violation-required"))),
            };
            let languages = languages
                .iter()
                .map(|l| LanguageCode::parse(l).map_err(|e| vfail("--language", &e)))
                .collect::<Result<BTreeSet<_>>>()?;
            let mut facilitators: BTreeSet<_> = users(ctx, "--facilitator", &facilitators)?.into_iter().collect();
            if facilitators.is_empty() {
                facilitators.insert(ctx.me());
            }
            let cmd = PlanSession {
                id: SessionId::from_uuid(new_id()),
                date,
                topic,
                venue: label("--venue", &venue)?,
                languages,
                facilitators,
                partner: match partner {
                    Some(p) => Some(ctx.org(svc, "--partner", &p).await?),
                    None => None,
                },
            };
            let s = svc.plan_session(&ctx.caller, cmd).await?;
            output::done(
                ctx.format,
                &t!("done-session-created", id = short(&s.id().to_string()), date = s.date()),
                json!({"session": s.id().to_string(), "version": s.version()}),
            )
        }
        SessionCmd::Attend { session, participants, head_count, remove } => {
            let id = session_id(svc, ctx, &session).await?;
            let mut s = svc.get_session(&ctx.caller, id).await?;
            for p in &participants {
                let participant = crate::context::participant(svc, ctx, p).await?;
                let cmd = if remove {
                    SessionCommand::RemoveAttendance { participant }
                } else {
                    SessionCommand::RegisterAttendance { participant }
                };
                s = svc.execute_session(&ctx.caller, id, Some(s.version()), cmd).await?;
            }
            if let Some(count) = head_count {
                s = svc
                    .execute_session(
                        &ctx.caller,
                        id,
                        Some(s.version()),
                        SessionCommand::SetUnregisteredHeadCount { count },
                    )
                    .await?;
            }
            output::done(
                ctx.format,
                &t!("done-attendance", count = s.attendees().len(), reach = s.reach()),
                json!({"session": id.to_string(), "version": s.version(), "attendees": s.attendees().len(), "reach": s.reach()}),
            )
        }
        SessionCmd::Reschedule { session, date } => {
            let id = session_id(svc, ctx, &session).await?;
            let s = svc.get_session(&ctx.caller, id).await?;
            let s =
                svc.execute_session(&ctx.caller, id, Some(s.version()), SessionCommand::Reschedule { date }).await?;
            output::done(
                ctx.format,
                &t!("done-session-rescheduled", date = date),
                json!({"session": id.to_string(), "version": s.version()}),
            )
        }
        SessionCmd::Cancel { session, reason } => {
            let id = session_id(svc, ctx, &session).await?;
            let s = svc.get_session(&ctx.caller, id).await?;
            let s = svc
                .execute_session(
                    &ctx.caller,
                    id,
                    Some(s.version()),
                    SessionCommand::Cancel { reason: text("--reason", &reason)? },
                )
                .await?;
            output::done(
                ctx.format,
                &t!("done-session-cancelled"),
                json!({"session": id.to_string(), "version": s.version()}),
            )
        }
        SessionCmd::List { from, to } => {
            let list = svc.list_sessions(&ctx.caller, from, to).await?;
            let directory = ctx.directory_if(svc, list.iter().any(|s| s.partner().is_some())).await?;
            let rows: Vec<_> = list.iter().map(|s| session_row(directory, s)).collect();
            output::list(ctx.format, SESSION_COLS, &rows)
        }
        SessionCmd::Show { session } => {
            let id = session_id(svc, ctx, &session).await?;
            let s = svc.get_session(&ctx.caller, id).await?;
            let directory = ctx.directory_if(svc, s.partner().is_some()).await?;
            let mut row = session_row(directory, &s);
            row.insert(
                "attendee_ids".to_owned(),
                json!(s.attendees().iter().map(ToString::to_string).collect::<Vec<_>>()),
            );
            let mut cols = SESSION_COLS.to_vec();
            cols.push(col("attendee_ids", "col-attendee-ids"));
            output::record(ctx.format, &cols, &row)
        }
    }
}
