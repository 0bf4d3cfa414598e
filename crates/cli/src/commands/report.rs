//! `perspectief report subsidy|drilldown|progress|agenda`: the accountability report to the
//! municipality, the persons behind any of its figures, a participant's progress report for
//! the municipal case manager, and the chain-partner meeting's agenda. The figures and the
//! renderings come from the core; this only asks and prints.

use std::path::Path;

use perspectief_core::error::EntityKind;
use perspectief_core::late::{LateEntryPolicy, LateEntryQuery};
use perspectief_core::organisation::DirectoryService;
use perspectief_core::report::{
    AgendaQuery, Figure, FigureQuery, Measure, MeasureFigures, ReportingService, Slice, YearMonth,
};
use perspectief_core::service::PerspectiefService;
use perspectief_core::{CountryCode, OutflowOutcome, PeriodLookup, SubsidyPeriod, SubsidyPeriodId};
use serde_json::{Value, json};

use super::case::{Dated, Expect, load, new_id, write, write_as};
use crate::args::parse_date;
use crate::args::today;
use crate::commands::vfail;
use crate::context::Ctx;
use crate::exit::{Failure, INTERNAL, NOT_FOUND, Result, VALIDATION};
use crate::output::{self, col, obj};
use crate::t;
use chrono::NaiveDate;
use clap::Subcommand;
use perspectief_core::case::CaseCommand;
use perspectief_core::ids::ReportId;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// Verantwoording per subsidieperiode: gerealiseerd tegen streefcijfer per activiteit en thema
    Subsidy {
        /// De subsidieperiode: haar naam (2026-2027), een jaar (2026: de periode die in dat jaar loopt) of haar id (of het begin of eind ervan)
        period: String,
        /// Peildatum (standaard vandaag)
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        as_of: Option<NaiveDate>,
        /// Schrijf de afdrukbare HTML-versie (met grafieken) naar dit bestand
        #[arg(long, value_name = "BESTAND")]
        html: Option<PathBuf>,
        /// Schrijf de Markdown-versie naar dit bestand
        #[arg(long, value_name = "BESTAND")]
        markdown: Option<PathBuf>,
    },
    /// De deelnemers (interne id's) achter een cijfer van de verantwoording
    Drilldown {
        /// De subsidieperiode: haar naam, een jaar of haar id
        period: String,
        /// Het cijfer: een activiteitnummer (5.2.a(2)), theme:inform|activate|guide|evaluate, reached, departed of outflow:UITKOMST
        figure: String,
        /// Peildatum (standaard vandaag)
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        as_of: Option<NaiveDate>,
        /// Alleen deze maand (JJJJ-MM)
        #[arg(long, value_name = "MAAND")]
        month: Option<String>,
        /// Alleen deze nationaliteit (landcode; - voor onbekend)
        #[arg(long, value_name = "LAND")]
        nationality: Option<String>,
        /// Alleen deze LVV-locatie (- voor onbekend)
        #[arg(long, value_name = "LOCATIE")]
        location: Option<String>,
        /// Alleen deze projectmedewerker
        #[arg(long, value_name = "GEBRUIKER")]
        worker: Option<String>,
    },
    /// Voortgangsrapportage voor de casemanager van de gemeente (5.2.e)
    Progress {
        participant: String,
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        from: NaiveDate,
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        to: NaiveDate,
        /// Schrijf de afdrukbare HTML-versie naar dit bestand
        #[arg(long, value_name = "BESTAND")]
        html: Option<PathBuf>,
        /// Schrijf de Markdown-versie naar dit bestand
        #[arg(long, value_name = "BESTAND")]
        markdown: Option<PathBuf>,
    },
    /// Zelfredzaamheid (ZRM, 5.2.d) van een subsidieperiode: gemiddelde verandering per domein tussen eerste en laatste meting, voor deelnemers met ten minste twee metingen
    Zrm {
        /// De subsidieperiode: haar naam (2026-2027), een jaar (2026: de periode die in dat jaar loopt) of haar id (of het begin of eind ervan)
        period: String,
        /// Schrijf de afdrukbare HTML-versie (met grafiek) naar dit bestand
        #[arg(long, value_name = "BESTAND")]
        html: Option<PathBuf>,
    },
    /// Agenda voor het ketenoverleg: wie besproken moet worden en waarom (3.2.f/g)
    Agenda {
        /// De datum van het overleg (standaard vandaag)
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        date: Option<NaiveDate>,
        /// Geen contact sinds meer dan zoveel dagen (standaard 21)
        #[arg(long, value_name = "DAGEN")]
        no_contact_days: Option<u32>,
        /// Einde traject binnen zoveel weken (standaard 12)
        #[arg(long, value_name = "WEKEN")]
        limit_weeks: Option<u32>,
        /// Schrijf de agenda als Markdown naar dit bestand
        #[arg(long, value_name = "BESTAND")]
        markdown: Option<PathBuf>,
    },
    /// Te laat vastgelegde dossierregels: meer dan de drempel (standaard 14 dagen) na de dag waarop ze plaatsvonden (projectleider)
    Late {
        /// Eerste dag van vastleggen (standaard 30 dagen voor --to)
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        from: Option<NaiveDate>,
        /// Laatste dag van vastleggen (standaard vandaag)
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        to: Option<NaiveDate>,
        /// Alleen wat deze gebruiker vastlegde (id, of "ik")
        #[arg(long, value_name = "GEBRUIKER")]
        by: Option<String>,
    },
    /// De drempel voor te laat vastleggen tonen, of wijzigen met DAGEN (1 tot 365; projectleider, alleen op de database)
    LateThreshold {
        /// Het nieuwe aantal dagen
        days: Option<u32>,
    },
    /// Leg vast dat een voortgangsrapportage is verstuurd
    Sent {
        participant: String,
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        from: NaiveDate,
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        to: NaiveDate,
        /// De gemeente (organisatie)
        #[arg(long, value_name = "ORGANISATIE")]
        sent_to: String,
        #[command(flatten)]
        dated: Dated,
    },
    /// Stel in om de hoeveel maanden een voortgangsrapportage nodig is (standaard 3), geteld vanaf de inschrijving of de laatste rapportage
    Schedule {
        participant: String,
        /// Om de zoveel maanden (1 tot en met 12)
        #[arg(long, value_name = "MAANDEN", value_parser = clap::value_parser!(u32).range(1..=12))]
        every_months: u32,
        #[command(flatten)]
        expect: Expect,
    },
}

/// Write a report file holding personal data: readable by its owner only.
pub(crate) fn write_report(path: &Path, text: &str) -> Result<()> {
    crate::context::make_parent(path)?;
    crate::config::write_private(path, text.as_bytes()).map_err(|e| Failure::io(path, &e))?;
    output::note(&t!("report-written", file = path.display().to_string()));
    Ok(())
}

fn json_of<T: serde::Serialize>(value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Failure::new(INTERNAL, e.to_string()))
}

/// A subsidy period by name (`2026-2027`), year (`2026`) or id (or the start or end of it).
pub async fn period<S: PerspectiefService>(svc: &S, ctx: &Ctx, value: &str) -> Result<SubsidyPeriodId> {
    let periods = svc.subsidy_periods(&ctx.caller).await?;
    match SubsidyPeriod::find(&periods, value) {
        PeriodLookup::Found(p) => Ok(p.id()),
        PeriodLookup::Ambiguous(several) => {
            let names: Vec<String> = several
                .iter()
                .map(|p| format!("{} ({} – {})", p.name().as_str(), p.starts_on(), p.ends_on()))
                .collect();
            Err(Failure::new(VALIDATION, t!("error-period-ambiguous", value = value, periods = names.join(", "))))
        }
        PeriodLookup::NotFound => Err(crate::exit::not_found(EntityKind::SubsidyPeriod, value)),
    }
}

/// A measure's name in the table: the plan's Dutch name, or in English the English one.
fn measure_name(measure: Measure) -> String {
    match measure {
        Measure::Activity(c) if crate::i18n::lang() == crate::i18n::Lang::En => {
            format!("{} {}", c.code(), c.english_name())
        }
        Measure::Activity(_) => measure.label(),
        Measure::Theme(theme) => {
            crate::i18n::term("measure-theme", perspectief_core::report::subsidy::theme_name(theme))
        }
        Measure::Reached => t!("measure-reached"),
    }
}

fn measure_row(m: &MeasureFigures) -> serde_json::Map<String, Value> {
    obj(json!({
        "measure": m.measure.key(),
        "name": measure_name(m.measure),
        "realised": m.realised,
        "registered_persons": m.registered_persons,
        "unregistered_head_count": m.unregistered_head_count,
        "target": m.target,
        "percent": m.percent,
        "projected": m.projected,
        "on_track": m.on_track,
    }))
}

/// A figure by its key: a measure key (`5.2.a(2)`, `theme:inform`, `reached`), `departed`,
/// or `outflow:<outcome>`.
fn figure(value: &str) -> Result<Figure> {
    let v = value.trim();
    if v == "departed" {
        return Ok(Figure::Departed);
    }
    if let Some(outcome) = v.strip_prefix("outflow:") {
        let outcome: OutflowOutcome = crate::args::de(outcome).map_err(|e| Failure::field("FIGUUR", e))?;
        return Ok(Figure::Outflow(outcome));
    }
    Measure::from_key(v).map(Figure::Measure).map_err(|e| vfail("FIGUUR", &e))
}

/// `perspectief report subsidy|drilldown|progress|agenda|late|late-threshold|sent`; changing
/// the late-entry threshold needs the database (`store`), like other settings.
pub async fn report_cmd<S: PerspectiefService + ReportingService + DirectoryService>(
    svc: &S,
    store: Option<&perspectief_store::Store>,
    ctx: &Ctx,
    cmd: ReportCmd,
) -> Result<()> {
    match cmd {
        sent @ ReportCmd::Sent { .. } => report_sent(svc, ctx, sent).await,
        ReportCmd::Schedule { participant, every_months, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let cmd = CaseCommand::SetReportingSchedule { every_months };
            write(svc, ctx, &case, expect, cmd)
                .await?
                .confirm(t!("done-reporting-schedule", months = i64::from(every_months)))
        }
        ReportCmd::Late { from, to, by } => {
            let to = to.unwrap_or_else(today);
            let from = from.unwrap_or_else(|| to - chrono::Duration::days(30));
            let recorded_by = by.map(|b| ctx.user("--by", &b)).transpose()?;
            let found = crate::context::all_pages(|page| {
                svc.late_entries(&ctx.caller, LateEntryQuery { from, to, recorded_by, page })
            })
            .await?;
            let rows: Vec<_> = found
                .iter()
                .map(|e| {
                    obj(json!({
                        "participant_id": e.participant.to_string(),
                        "version": e.version,
                        "change": e.kind,
                        "effective_on": e.effective_on.to_string(),
                        "recorded_at": super::case::local_time(e.recorded_at),
                        "recorded_by": e.recorded_by.to_string(),
                        "days_late": e.days_late,
                    }))
                })
                .collect();
            let cols = [
                col("participant_id", "col-participant"),
                col("version", "col-version"),
                crate::output::term_col("change", "col-change", "change"),
                col("effective_on", "col-effective-on"),
                col("recorded_at", "col-recorded-at"),
                col("days_late", "col-days-late"),
                col("recorded_by", "col-actor"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
        ReportCmd::LateThreshold { days } => {
            let policy = match days {
                None => svc.late_entry_policy(&ctx.caller).await?,
                Some(days) => {
                    let store =
                        store.ok_or_else(|| Failure::new(crate::exit::UNAVAILABLE, t!("error-remote-admin")))?;
                    let policy = LateEntryPolicy::new(days)
                        .map_err(|_| Failure::field("DAGEN", t!("violation-late-threshold")))?;
                    store.set_late_entry_policy(&super::admin_caller(ctx), policy).await?
                }
            };
            output::done(ctx.format, &t!("late-threshold", days = policy.days()), json!({ "days": policy.days() }))
        }
        ReportCmd::Subsidy { period: p, as_of, html, markdown } => {
            let id = period(svc, ctx, &p).await?;
            let report = svc.subsidy_report(&ctx.caller, id, as_of.unwrap_or_else(today)).await?;
            write_files(html.as_deref(), markdown.as_deref(), || report.to_html(), || report.to_markdown())?;
            if ctx.format == crate::cli::OutputFormat::Json {
                return output::print(&format!("{:#}\n", json_of(&report)?));
            }
            let mut rows: Vec<_> = report.activities.iter().map(measure_row).collect();
            rows.extend(report.themes.iter().map(measure_row));
            rows.push(measure_row(&report.reached));
            let cols = [
                col("measure", "col-measure"),
                col("name", "col-name"),
                col("realised", "col-realised"),
                col("target", "col-target"),
                col("percent", "col-percent"),
                col("projected", "col-projected"),
                col("unregistered_head_count", "col-head-count"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
        ReportCmd::Drilldown { period: p, figure: f, as_of, month, nationality, location, worker } => {
            let id = period(svc, ctx, &p).await?;
            let slice = match (month, nationality, location, worker) {
                (None, None, None, None) => Slice::All,
                (Some(m), None, None, None) => Slice::Month(YearMonth::parse(&m).map_err(|e| vfail("--month", &e))?),
                (None, Some(n), None, None) if n == "-" => Slice::Nationality(None),
                (None, Some(n), None, None) => {
                    Slice::Nationality(Some(CountryCode::parse(&n).map_err(|e| vfail("--nationality", &e))?))
                }
                (None, None, Some(l), None) if l == "-" => Slice::Location(None),
                (None, None, Some(l), None) => Slice::Location(Some(l)),
                (None, None, None, Some(w)) => Slice::ProjectWorker(ctx.user("--worker", &w)?),
                _ => return Err(Failure::field("--month", t!("violation-one-slice"))),
            };
            let query = FigureQuery { figure: figure(&f)?, slice };
            let found = svc.subsidy_drilldown(&ctx.caller, id, as_of.unwrap_or_else(today), query).await?;
            if ctx.format == crate::cli::OutputFormat::Json {
                return output::print(&format!("{:#}\n", json_of(&found)?));
            }
            let rows: Vec<_> =
                found.participants.iter().map(|p| obj(json!({ "participant": p.to_string() }))).collect();
            output::list(ctx.format, &[col("participant", "col-participant")], &rows)?;
            output::note(&t!(
                "drilldown-summary",
                participants = found.participants.len(),
                contacts = found.contacts.len(),
                sessions = found.sessions.len(),
                head_count = found.unregistered_head_count
            ));
            Ok(())
        }
        ReportCmd::Progress { participant, from, to, html, markdown } => {
            let id = crate::context::participant(svc, ctx, &participant).await?;
            let report = svc.progress_report(&ctx.caller, id, from, to).await?;
            // Organisations (referral partners, judgments' recipients, the addressees of earlier
            // reports) by name and code from the register.
            let directory = ctx.directory(svc).await?;
            let names = |o| directory.get(o).map(perspectief_core::Organisation::display);
            write_files(
                html.as_deref(),
                markdown.as_deref(),
                || report.to_html_named(&names),
                || report.to_markdown_named(&names),
            )?;
            match ctx.format {
                crate::cli::OutputFormat::Json => {
                    let mut value = json_of(&report)?;
                    directory.name_ids(&mut value);
                    output::print(&format!("{value:#}\n"))
                }
                // Without a file the report itself is the output.
                _ if html.is_none() && markdown.is_none() => output::print(&report.to_markdown_named(&names)),
                _ => Ok(()),
            }
        }
        ReportCmd::Zrm { period, html } => crate::commands::documents::zrm_report(svc, ctx, &period, html).await,
        ReportCmd::Agenda { date, no_contact_days, limit_weeks, markdown } => {
            let mut query = AgendaQuery::for_meeting(date.unwrap_or_else(today));
            if let Some(days) = no_contact_days {
                query.no_contact_days = days;
            }
            if let Some(weeks) = limit_weeks {
                query.limit_lead_weeks = weeks;
            }
            let agenda = svc.meeting_agenda(&ctx.caller, query).await?;
            if let Some(path) = markdown.as_deref() {
                write_report(path, &agenda.to_markdown())?;
            }
            if ctx.format == crate::cli::OutputFormat::Json {
                return output::print(&format!("{:#}\n", json_of(&agenda)?));
            }
            // Project workers by name (the staff directory), not by account id.
            let staff = ctx.staff_if(svc, !agenda.entries.is_empty()).await?;
            let rows: Vec<_> = agenda
                .entries
                .iter()
                .map(|e| {
                    let reasons: Vec<Value> = e.reasons.iter().map(|r| json_of(r).unwrap_or(Value::Null)).collect();
                    obj(json!({
                        "participant": e.participant.to_string(),
                        "project_worker": staff.name(e.project_worker),
                        "reasons": reasons.iter().map(reason_text).collect::<Vec<_>>(),
                    }))
                })
                .collect();
            let cols = [
                col("participant", "col-participant"),
                col("project_worker", "col-worker"),
                col("reasons", "col-reasons"),
            ];
            if rows.is_empty() && ctx.format == crate::cli::OutputFormat::Table {
                return Err(Failure::new(NOT_FOUND, t!("agenda-empty")));
            }
            output::list(ctx.format, &cols, &rows)
        }
    }
}

/// A reason on the agenda as one short line: its kind and its details.
fn reason_text(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            let kind = crate::i18n::term("reason", map.get("reason").and_then(Value::as_str).unwrap_or("other"));
            let details: Vec<String> = map
                .iter()
                .filter(|(k, _)| k.as_str() != "reason")
                .map(|(k, v)| format!("{k}={}", v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                .collect();
            if details.is_empty() { kind } else { format!("{kind} ({})", details.join(", ")) }
        }
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn write_files(
    html: Option<&Path>,
    markdown: Option<&Path>,
    to_html: impl FnOnce() -> String,
    to_markdown: impl FnOnce() -> String,
) -> Result<()> {
    if let Some(path) = html {
        write_report(path, &to_html())?;
    }
    if let Some(path) = markdown {
        write_report(path, &to_markdown())?;
    }
    Ok(())
}

/// `report sent`: record that a progress report went to the municipality.
pub async fn report_sent<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: ReportCmd) -> Result<()> {
    let ReportCmd::Sent { participant, from, to, sent_to, dated: Dated { on, expect } } = cmd else {
        return Err(Failure::new(crate::exit::INTERNAL, "not a report-sent command"));
    };
    let case = load(svc, ctx, &participant).await?;
    let id = ReportId::from_uuid(new_id());
    let cmd = CaseCommand::RecordProgressReport {
        id,
        period_from: from,
        period_to: to,
        sent_to: ctx.org(svc, "--sent-to", &sent_to).await?,
        sent_on: on,
    };
    write_as(svc, ctx, &case, expect, cmd, &[("sent_on", "on")]).await?.naming("report", id).confirm(t!("done-report"))
}
