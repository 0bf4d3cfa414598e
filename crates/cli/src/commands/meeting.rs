//! `perspectief meeting`: the chain-partner meeting, its agenda, discussion and termination advice.

use chrono::NaiveDate;
use clap::Subcommand;
use perspectief_core::ids::{MeetingId, ParticipantId};
use perspectief_core::meeting::{Advice, AgendaReason, ChainDecision, ChainMeeting, MeetingCommand};
use perspectief_core::organisation::DirectoryService;
use perspectief_core::service::PerspectiefService;
use perspectief_core::time::DateRange;
use serde_json::{Value, json};

use super::case::{date_or_today, new_id};
use super::{label, opt_text, text, vfail};
use crate::args::parse_date;
use crate::choice;
use crate::cli::OutputFormat;
use crate::context::{Ctx, all_pages};
use crate::exit::{Failure, Result};
use crate::output::{self, col, obj, term_col};
use crate::t;

#[derive(Debug, Subcommand)]
pub enum MeetingCmd {
    /// Plan een ketenoverleg
    Schedule {
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        date: NaiveDate,
    },
    /// Zet een deelnemer op de agenda, met een of meer redenen (--reason)
    Agenda {
        meeting: String,
        #[arg(long)]
        participant: String,
        /// Waarom (herhaalbaar): deadline_passed (een termijn is verstreken), no_contact:DAGEN (zoveel dagen geen contact), limit_approaching:DAGEN (de grens van 18 maanden ligt zoveel dagen weg; negatief: voorbij), judgment_pending_or_changed (een terugkeeroordeel staat open of is gewijzigd), obstacle_stalled (een belemmering zit vast), termination_advice_due (een advies over beëindiging is nodig), goal_due_soon (de termijn van een doel nadert), judgment_not_communicated (een eindoordeel is nog niet aan iedereen meegedeeld), progress_report_due (een voortgangsrapportage is nodig), past_limit_without_advice:DAGEN (de grens van 18 maanden is zoveel dagen voorbij zonder advies over beëindiging), other:TEKST (een andere reden)
        #[arg(long = "reason", required = true, value_name = "REDEN")]
        reasons: Vec<String>,
    },
    /// Leg de bespreking vast
    Record {
        meeting: String,
        #[arg(long)]
        participant: String,
        /// Aangeleverde informatie
        #[arg(long)]
        information: Option<String>,
        /// Besluit
        #[arg(long)]
        decision: Option<String>,
    },
    /// Advies over beëindiging
    Advise {
        meeting: String,
        #[arg(long)]
        participant: String,
        #[arg(long, value_parser = choice!(Advice, ["continue", "end_guidance", "end_guidance_and_shelter"]))]
        advice: Advice,
        #[arg(long)]
        reasoning: String,
    },
    /// Besluit van het ketenoverleg over het advies
    Decide {
        meeting: String,
        #[arg(long)]
        participant: String,
        /// Het advies is overgenomen (anders: niet overgenomen)
        #[arg(long)]
        adopted: bool,
        #[arg(long)]
        note: Option<String>,
    },
    /// Het beëindigingsgesprek is gevoerd
    Talk {
        meeting: String,
        #[arg(long)]
        participant: String,
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        on: Option<NaiveDate>,
    },
    /// Eén ketenoverleg
    Show { meeting: String },
    /// De ketenoverleggen in een periode (hoogstens 366 dagen), nieuwste eerst
    List {
        /// Vanaf deze dag
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true, default_value = "-6m")]
        from: NaiveDate,
        /// Tot en met deze dag
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true, default_value = "+6m")]
        to: NaiveDate,
    },
    /// Neem de gegenereerde agenda van de dag van het overleg over als agendapunten (in één stap)
    AdoptAgenda { meeting: String },
}

pub(crate) fn agenda_reason(v: &str) -> Result<AgendaReason> {
    let (kind, rest) = v.split_once(':').map_or((v, None), |(k, r)| (k, Some(r)));
    let days = |r: Option<&str>| {
        r.and_then(|d| d.trim().parse::<i64>().ok())
            .ok_or_else(|| Failure::field("--reason", t!("violation-reason-days", value = v)))
    };
    Ok(match kind.trim() {
        "deadline_passed" => AgendaReason::DeadlinePassed,
        "no_contact" => AgendaReason::NoContact { days: days(rest)? },
        "limit_approaching" => AgendaReason::LimitApproaching { days_left: days(rest)? },
        "judgment_pending_or_changed" => AgendaReason::JudgmentPendingOrChanged,
        "obstacle_stalled" => AgendaReason::ObstacleStalled,
        "termination_advice_due" => AgendaReason::TerminationAdviceDue,
        "goal_due_soon" => AgendaReason::GoalDueSoon,
        "judgment_not_communicated" => AgendaReason::JudgmentNotCommunicated,
        "progress_report_due" => AgendaReason::ProgressReportDue,
        "past_limit_without_advice" => AgendaReason::PastLimitWithoutAdvice { days_over: days(rest)? },
        "other" => AgendaReason::Other { note: label("--reason", rest.unwrap_or_default())? },
        _ => return Err(Failure::field("--reason", t!("violation-unknown-value", value = v))),
    })
}

fn meeting_rows(ctx: &Ctx, m: &ChainMeeting) -> Vec<serde_json::Map<String, Value>> {
    let _ = ctx;
    m.items()
        .map(|i| {
            obj(json!({
                "participant": i.participant.to_string(),
                "reasons": i.reasons.iter().map(|r| serde_json::to_value(r).ok().and_then(|v| v.get("reason").cloned()).unwrap_or(Value::Null)).collect::<Vec<_>>(),
                "information_supplied": i.information_supplied.as_ref().map(|t| t.as_str()),
                "decision": i.decision.as_ref().map(|t| t.as_str()),
                "advice": i.termination.as_ref().map(|t| crate::args::ser(&t.advice)),
                "advice_adopted": i.termination.as_ref().and_then(|t| t.decision.as_ref()).map(|d| d.adopted),
                "termination_talk_on": i.termination.as_ref().and_then(|t| t.termination_talk_on).map(|d| d.to_string()),
            }))
        })
        .collect()
}

pub async fn meeting_cmd<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: MeetingCmd) -> Result<()> {
    let run = |meeting: String,
               participant: String,
               build: Box<dyn FnOnce(ParticipantId) -> Result<MeetingCommand> + Send>| async move {
        let id = MeetingId::parse(&meeting).map_err(|e| vfail("MEETING", &e))?;
        let participant = crate::context::participant(svc, ctx, &participant).await?;
        let m = svc.get_meeting(&ctx.caller, id).await?;
        let m = svc.execute_meeting(&ctx.caller, id, Some(m.version()), build(participant)?).await?;
        output::done(
            ctx.format,
            &t!("done-meeting-updated", version = m.version()),
            json!({"meeting": id.to_string(), "version": m.version()}),
        )
    };
    match cmd {
        MeetingCmd::Schedule { date } => {
            let id = MeetingId::from_uuid(new_id());
            let m = svc.schedule_meeting(&ctx.caller, id, date).await?;
            output::done(
                ctx.format,
                &t!("done-meeting-scheduled", id = id, date = date),
                json!({"meeting": id.to_string(), "version": m.version()}),
            )
        }
        MeetingCmd::Agenda { meeting, participant, reasons } => {
            let reasons = reasons.iter().map(|r| agenda_reason(r)).collect::<Result<Vec<_>>>()?;
            run(
                meeting,
                participant,
                Box::new(move |participant| Ok(MeetingCommand::AddToAgenda { participant, reasons })),
            )
            .await
        }
        MeetingCmd::Record { meeting, participant, information, decision } => {
            let information_supplied = opt_text("--information", information.as_ref())?;
            let decision = opt_text("--decision", decision.as_ref())?;
            run(
                meeting,
                participant,
                Box::new(move |participant| {
                    Ok(MeetingCommand::RecordDiscussion { participant, information_supplied, decision })
                }),
            )
            .await
        }
        MeetingCmd::Advise { meeting, participant, advice, reasoning } => {
            let reasoning = text("--reasoning", &reasoning)?;
            run(
                meeting,
                participant,
                Box::new(move |participant| Ok(MeetingCommand::AdviseTermination { participant, advice, reasoning })),
            )
            .await
        }
        MeetingCmd::Decide { meeting, participant, adopted, note } => {
            let note = opt_text("--note", note.as_ref())?;
            run(
                meeting,
                participant,
                Box::new(move |participant| {
                    Ok(MeetingCommand::RecordChainDecision { participant, decision: ChainDecision { adopted, note } })
                }),
            )
            .await
        }
        MeetingCmd::Talk { meeting, participant, on } => {
            let on = date_or_today(on);
            run(
                meeting,
                participant,
                Box::new(move |participant| Ok(MeetingCommand::RecordTerminationTalk { participant, on })),
            )
            .await
        }
        MeetingCmd::List { from, to } => {
            let days = DateRange::new(from, to)
                .and_then(|d| d.at_most(366))
                .map_err(|_| Failure::field("--to", t!("violation-meeting-list-days")))?;
            let list = all_pages(|page| svc.list_meetings(&ctx.caller, days, page)).await?;
            let rows: Vec<_> = list
                .iter()
                .map(|m| {
                    let items: Vec<_> = m.items().collect();
                    obj(json!({
                        "meeting": m.id().to_string(),
                        "date": m.date().to_string(),
                        "participants": items.len(),
                        "advice": items.iter().filter(|i| i.termination.is_some()).count(),
                        "version": m.version(),
                    }))
                })
                .collect();
            let cols = [
                col("meeting", "col-meeting-id"),
                col("date", "col-date"),
                col("participants", "col-meeting-participants"),
                col("advice", "col-meeting-advice"),
                col("version", "col-version"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
        MeetingCmd::AdoptAgenda { meeting } => {
            let id = MeetingId::parse(&meeting).map_err(|e| vfail("MEETING", &e))?;
            let before = svc.get_meeting(&ctx.caller, id).await?;
            let m = svc.adopt_agenda(&ctx.caller, id, Some(before.version())).await?;
            let added = m.items().count() - before.items().count();
            output::done(
                ctx.format,
                &t!("done-meeting-agenda-adopted", added = added, version = m.version()),
                json!({"meeting": id.to_string(), "version": m.version(), "added": added}),
            )
        }
        MeetingCmd::Show { meeting } => {
            let id = MeetingId::parse(&meeting).map_err(|e| vfail("MEETING", &e))?;
            let m = svc.get_meeting(&ctx.caller, id).await?;
            if ctx.format == OutputFormat::Table {
                output::print(&format!(
                    "{} {} ({})\n",
                    t!("col-meeting"),
                    m.date(),
                    t!("version-now", version = m.version())
                ))?;
            }
            let cols = [
                col("participant", "col-participant"),
                term_col("reasons", "col-reasons", "reason"),
                col("information_supplied", "col-information"),
                col("decision", "col-decision"),
                term_col("advice", "col-advice", "advice"),
                col("advice_adopted", "col-adopted"),
                col("termination_talk_on", "col-talk-on"),
            ];
            output::list(ctx.format, &cols, &meeting_rows(ctx, &m))
        }
    }
}
