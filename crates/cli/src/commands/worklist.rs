//! `perspectief worklist`: what needs attention today.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use clap::Args;
use perspectief_core::organisation::DirectoryService;
use perspectief_core::returns::Recipient;
use perspectief_core::service::{ParticipantFilter, PerspectiefService, WorkSubject, WorklistQuery};
use serde_json::{Value, json};

use crate::args::{parse_date, today};
use crate::cli::OutputFormat;
use crate::context::{Ctx, all_participants};
use crate::directory::Directory;
use crate::exit::Result;
use crate::output::{self, col, obj, term_col};
use crate::t;

#[derive(Debug, Args)]
pub struct WorklistArgs {
    /// Van deze projectmedewerker (standaard uzelf)
    #[arg(long, value_name = "GEBRUIKER", conflicts_with = "all")]
    pub worker: Option<String>,
    /// Van iedereen
    #[arg(long)]
    pub all: bool,
    /// Voor deze dag
    #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
    pub today: Option<NaiveDate>,
    /// Meld deelnemers zonder ZRM-meting sinds meer dan zoveel maanden (standaard 6)
    #[arg(long, value_name = "MAANDEN", value_parser = clap::value_parser!(u32).range(1..=120))]
    pub no_assessment_months: Option<u32>,
    /// Toon doelen waarvan de termijn binnen zoveel dagen valt (standaard 14)
    #[arg(long, value_name = "DAGEN", value_parser = clap::value_parser!(u32).range(1..=365))]
    pub goals_due_days: Option<u32>,
    /// Hoogstens zoveel regels per lijst (0: alles)
    #[arg(long, default_value_t = 0, value_name = "AANTAL")]
    pub page_size: u32,
    /// Ga verder na de vorige pagina (het token dat die noemde)
    #[arg(long, value_name = "TOKEN")]
    pub page_token: Option<String>,
}

pub async fn worklist<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, args: WorklistArgs) -> Result<()> {
    let mut query = WorklistQuery::for_day(args.today.unwrap_or_else(today));
    if let Some(months) = args.no_assessment_months {
        query.no_assessment_months = months;
    }
    if let Some(days) = args.goals_due_days {
        query.goal_due_within_days = days;
    }
    query.project_worker = if args.all {
        None
    } else {
        Some(args.worker.map(|w| ctx.user("--worker", &w)).transpose()?.unwrap_or(ctx.me()))
    };
    query.page_size = args.page_size;
    query.page_token = args.page_token;
    let list = svc.worklist(&ctx.caller, query).await?;
    if let Some(token) = &list.next_page_token {
        output::note(&t!("note-next-page", token = token.as_str()));
    }
    let mut names = BTreeMap::new();
    if ctx.format == OutputFormat::Table {
        let every = ParticipantFilter { include_closed: true, ..Default::default() };
        names.extend(all_participants(svc, ctx, every).await?.into_iter().map(|p| (p.id, p.display_name)));
    }
    let sections = [
        ("overdue_goals", &list.overdue_goals),
        ("overdue_agreements", &list.overdue_agreements),
        ("agreements_due", &list.agreements_due),
        ("without_contact", &list.without_contact),
        ("near_limit", &list.near_limit),
        ("unanswered_referrals", &list.unanswered_referrals),
        ("without_assessment", &list.without_assessment),
        ("goals_due", &list.goals_due),
        ("uncommunicated_judgments", &list.uncommunicated_judgments),
        ("reports_due", &list.reports_due),
        ("past_limit_without_advice", &list.past_limit_without_advice),
    ];
    // The recipients a judgment has not reached, as `--to` of `return communicate` takes them.
    let recipients = list
        .uncommunicated_judgments
        .iter()
        .any(|i| matches!(i.subject, WorkSubject::Communication { to: Recipient::Partner(_), .. }));
    let directory = if recipients { Some(Directory::load(svc, &ctx.caller).await?) } else { None };
    let recipient = |to: Recipient| match (to, &directory) {
        (Recipient::Participant, _) => "participant".to_owned(),
        (Recipient::Municipality, _) => "municipality".to_owned(),
        (Recipient::Partner(o), Some(d)) => {
            format!("partner:{}", d.code(o).map_or_else(|| o.to_string(), str::to_owned))
        }
        (Recipient::Partner(o), None) => format!("partner:{o}"),
    };
    let mut rows = Vec::new();
    for (list_name, items) in sections {
        for i in items {
            let (kind, id, to) = match i.subject {
                WorkSubject::Goal(g) => ("goal", Some(g.to_string()), None),
                WorkSubject::Agreement(a) => ("agreement", Some(a.to_string()), None),
                WorkSubject::Referral(r) => ("referral", Some(r.to_string()), None),
                WorkSubject::Participant => ("participant", None, None),
                WorkSubject::Communication { judgment, to } => {
                    ("return_judgment", Some(judgment.to_string()), Some(recipient(to)))
                }
            };
            rows.push(obj(json!({
                "list": list_name,
                "participant": i.participant.to_string(),
                "name": names.get(&i.participant),
                "subject": kind,
                "subject_id": id,
                "recipient": to,
                "date": i.date.to_string(),
            })));
        }
    }
    let cols = [
        term_col("list", "col-list", "worklist"),
        col("date", "col-date"),
        col("participant_id", "col-participant"),
        col("name", "col-name"),
        term_col("subject", "col-subject", "entity"),
        col("subject_id", "col-id"),
        col("recipient", "col-recipient"),
    ];
    if ctx.format == OutputFormat::Table {
        for r in &mut rows {
            let p = r.get("participant").cloned().unwrap_or(Value::Null);
            r.insert("participant_id".to_owned(), p);
        }
        return output::list(ctx.format, &cols, &rows);
    }
    let cols = [
        col("list", ""),
        col("participant", ""),
        col("subject", ""),
        col("subject_id", ""),
        col("date", ""),
        col("recipient", ""),
    ];
    output::list(ctx.format, &cols, &rows)
}
