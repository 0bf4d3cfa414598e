//! The daily workflow on case files, sessions, meetings, periods, the worklist and the audit
//! log: generic over the service, so local and remote work are the same code.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use perspectief_core::access::DataCategory;
use perspectief_core::activity::{ActivityCode, SubsidyPeriod, Target, TargetMeasure, Theme};
use perspectief_core::app::profile::{ProfileField, ProfileFields as _, filled_in, merge_profile};
use perspectief_core::case::{Case, CaseCommand, NewAgreement};
use perspectief_core::codes::{CountryCode, LanguageCode};
use perspectief_core::contact::ContactLocation;
use perspectief_core::ids::{
    AgreementId, ConsentId, ContactId, GoalId, JudgmentId, MeetingId, ObstacleId, ParticipantId, ReferralId, ReportId,
    SessionId, SubsidyPeriodId,
};
use perspectief_core::input::{
    AgreementInput, LocationInput, LocationKind, LogContactInput, RecordJudgmentInput, RegisterParticipantInput,
    SetGoalInput,
};
use perspectief_core::meeting::{AgendaReason, ChainDecision, ChainMeeting, MeetingCommand};
use perspectief_core::organisation::DirectoryService;
use perspectief_core::outflow::ZrmDomain;
use perspectief_core::plan::{GoalStatus, Responsible};
use perspectief_core::returns::{
    DepartureStep, ExplorationFindings, Finality, ObstacleStatus, ReanChecklist, ReintegrationPlan,
};
use perspectief_core::service::{
    Executed, PageRequest, ParticipantFilter, PerspectiefService, Purpose, WorkSubject, WorklistQuery,
};
use perspectief_core::session::{InformationSession, PlanSession, SessionCommand, SessionTopic};
use perspectief_core::{ContactKind, DomainError};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{label, opt_text, orgs, recipient, required, responsible, responsible_str, text, users, vfail};
use crate::args::{now, today};
use crate::cli::*;
use crate::context::{Ctx, participant, pick};
use crate::directory::{Directory, Staff};
use crate::exit::{Failure, Result};
use crate::output::{self, Col, col, obj, short, term_col};
use crate::t;

fn new_id() -> Uuid {
    Uuid::now_v7()
}

async fn load<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, p: &str) -> Result<Case> {
    let id = participant(svc, ctx, p).await?;
    Ok(svc.get_case(&ctx.caller, id).await?)
}

/// Execute on the version just read (or the one given with `--expect-version`).
async fn exec<S: PerspectiefService + DirectoryService>(
    svc: &S,
    ctx: &Ctx,
    case: &Case,
    expect: Expect,
    cmd: CaseCommand,
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
        Err(e) => Err(e.into()),
    }
}

/// Confirm a write: a sentence, or `{participant, version, <key>: id}` for scripts.
fn confirm(ctx: &Ctx, case: &Case, done: &Executed, sentence: String, key: Option<(&str, String)>) -> Result<()> {
    let mut v =
        json!({ "participant": case.id().to_string(), "version": done.version, "changed": !done.events.is_empty() });
    if let Some((k, id)) = &key {
        v[*k] = json!(id);
    }
    let sentence = if done.events.is_empty() { t!("done-nothing-changed") } else { sentence };
    output::done(ctx.format, &format!("{sentence} ({})", t!("version-now", version = done.version)), v)
}

fn date_or_today(d: Option<NaiveDate>) -> NaiveDate {
    d.unwrap_or_else(today)
}

fn profile_input(p: &ProfileArgs, base: RegisterParticipantInput) -> RegisterParticipantInput {
    RegisterParticipantInput {
        given_names: p.given_names.clone().unwrap_or(base.given_names),
        family_name: p.family_name.clone().or(base.family_name),
        aliases: if p.aliases.is_empty() { base.aliases } else { p.aliases.clone() },
        date_of_birth: p.date_of_birth.clone().or(base.date_of_birth),
        country_of_origin: p.country_of_origin.clone().or(base.country_of_origin),
        nationalities: if p.nationalities.is_empty() { base.nationalities } else { p.nationalities.clone() },
        languages: if p.languages.is_empty() { base.languages } else { p.languages.clone() },
        v_number: p.v_number.clone().or(base.v_number),
        lvv_location: p.lvv_location.clone().or(base.lvv_location),
        registered_on: base.registered_on,
    }
}

/// The input a stored profile came from (to merge an update into).
fn input_of(case: &Case) -> RegisterParticipantInput {
    let p = case.profile();
    let dob = p.date_of_birth.map(|d| match d {
        perspectief_core::DateOfBirth::Exact { date } => date.to_string(),
        perspectief_core::DateOfBirth::Month { year, month } => format!("{year:04}-{month:02}"),
        perspectief_core::DateOfBirth::Year { year } => format!("{year:04}"),
        perspectief_core::DateOfBirth::Estimated { year } => format!("~{year:04}"),
    });
    RegisterParticipantInput {
        given_names: p.given_names.to_string(),
        family_name: p.family_name.as_ref().map(ToString::to_string),
        aliases: p.aliases.iter().map(ToString::to_string).collect(),
        date_of_birth: dob,
        country_of_origin: p.country_of_origin.map(|c| c.as_str().to_owned()),
        nationalities: p
            .nationalities
            .iter()
            .map(|n| match n {
                perspectief_core::Nationality::Country(c) => c.as_str().to_owned(),
                perspectief_core::Nationality::Stateless => "stateless".to_owned(),
                perspectief_core::Nationality::Unknown => "unknown".to_owned(),
            })
            .collect(),
        languages: p.languages.iter().map(|l| l.as_str().to_owned()).collect(),
        v_number: p.v_number.as_ref().map(|v| v.as_str().to_owned()),
        lvv_location: p.lvv_location.as_ref().map(ToString::to_string),
        registered_on: None,
    }
}

/// Register a participant (also used by the import).
pub async fn register<S: PerspectiefService + DirectoryService>(
    svc: &S,
    ctx: &Ctx,
    input: RegisterParticipantInput,
    worker: perspectief_core::UserId,
) -> std::result::Result<Case, DomainError> {
    let cmd = input.into_command(ParticipantId::from_uuid(new_id()), worker, today())?;
    svc.register_participant(&ctx.caller, cmd).await
}

const PARTICIPANT_COLS: &[Col] = &[
    col("id", "col-id"),
    col("name", "col-name"),
    term_col("phase", "col-phase", "phase"),
    term_col("direction", "col-direction", "direction"),
    col("registered_on", "col-registered-on"),
    col("limit_on", "col-limit-on"),
    col("last_contact_on", "col-last-contact"),
    col("project_worker", "col-worker"),
];

fn case_summary(c: &Case) -> serde_json::Map<String, Value> {
    let p = c.profile();
    let limit = c.trajectory().limit();
    let agreed = c.latest_agreed_revision().map(|r| r.number);
    obj(json!({
        "id": c.id().to_string(),
        "name": p.display_name(),
        "aliases": p.aliases.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "date_of_birth": input_of(c).date_of_birth,
        "country_of_origin": p.country_of_origin.map(|x| x.as_str().to_owned()),
        "languages": p.languages.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
        "v_number": p.v_number.as_ref().map(|v| v.as_str().to_owned()),
        "lvv_location": p.lvv_location.as_ref().map(ToString::to_string),
        "project_worker": p.project_worker.to_string(),
        "phase": c.phase().as_str(),
        "direction": c.direction().as_str(),
        "return_stance": c.return_stance().as_str(),
        "registered_on": c.registered_on().to_string(),
        "limit_on": limit.to_string(),
        "plan_revisions": c.plan_revisions().len(),
        "plan_agreed_revision": agreed,
        "goals_open": c.goals().filter(|g| g.status.is_active()).count(),
        "goals_overdue": c.overdue_goals(today()).count(),
        "contacts": c.contacts().count(),
        "referrals": c.referrals().count(),
        "outflow": c.outflow().map(|o| json!({"outcome": o.outcome, "on": o.on.to_string()})),
        "version": c.version(),
    }))
}

const SHOW_COLS: &[Col] = &[
    col("id", "col-id"),
    col("name", "col-name"),
    col("aliases", "col-aliases"),
    col("date_of_birth", "col-date-of-birth"),
    col("country_of_origin", "col-country"),
    col("languages", "col-languages"),
    col("v_number", "col-v-number"),
    col("lvv_location", "col-lvv-location"),
    col("project_worker", "col-worker"),
    term_col("phase", "col-phase", "phase"),
    term_col("direction", "col-direction", "direction"),
    term_col("return_stance", "col-return-stance", "stance"),
    col("registered_on", "col-registered-on"),
    col("limit_on", "col-limit-on"),
    col("plan_revisions", "col-plan-revisions"),
    col("plan_agreed_revision", "col-plan-agreed"),
    col("goals_open", "col-goals-open"),
    col("goals_overdue", "col-goals-overdue"),
    col("contacts", "col-contacts"),
    col("referrals", "col-referrals"),
    col("outflow_outcome", "col-outflow"),
    col("version", "col-version"),
];

pub async fn participant_cmd<S: PerspectiefService + DirectoryService>(
    svc: &S,
    ctx: &Ctx,
    cmd: ParticipantCmd,
) -> Result<()> {
    match cmd {
        ParticipantCmd::Document { participant, kind, html, hand_over, expect } => {
            let request = crate::commands::documents::DocumentRequest {
                participant,
                kind,
                language: ctx.document_language,
                html,
                hand_over,
                expect_version: expect.version,
            };
            crate::commands::documents::document(svc, ctx, request).await
        }
        ParticipantCmd::Register { profile, registered_on, worker } => {
            let given = required(profile.given_names.clone(), "--given-names", "prompt-given-names")?;
            let mut input = profile_input(&profile, RegisterParticipantInput::default());
            input.given_names = given;
            if profile.family_name.is_none() && super::interactive() && profile.given_names.is_none() {
                input.family_name = super::ask(&t!("prompt-family-name"))?;
            }
            input.registered_on = registered_on;
            let worker = match worker {
                Some(w) => ctx.user("--worker", &w)?,
                None => ctx.me(),
            };
            let case = register(svc, ctx, input, worker).await?;
            let v = json!({ "participant": case.id().to_string(), "version": case.version() });
            output::done(
                ctx.format,
                &format!(
                    "{}\n{}",
                    t!("done-registered", name = case.profile().display_name(), id = case.id()),
                    t!("next-after-register", id = short(&case.id().to_string()))
                ),
                v,
            )
        }
        ParticipantCmd::List { worker, phase, all } => {
            let filter = ParticipantFilter {
                project_worker: worker.map(|w| ctx.user("--worker", &w)).transpose()?,
                phase,
                registered_from: None,
                include_closed: all || phase == Some(perspectief_core::Phase::Closed),
            };
            let mut rows = Vec::new();
            let mut page = PageRequest { page_size: 500, page_token: None };
            loop {
                let result = svc.list_participants(&ctx.caller, filter.clone(), page.clone()).await?;
                let staff = ctx.staff_if(svc, !result.items.is_empty()).await?;
                for p in &result.items {
                    rows.push(obj(json!({
                        "id": p.id.to_string(),
                        "name": p.display_name,
                        "phase": p.phase.as_str(),
                        "direction": p.direction.as_str(),
                        "registered_on": p.registered_on.to_string(),
                        "limit_on": p.limit_on.to_string(),
                        "last_contact_on": p.last_contact_on.map(|d| d.to_string()),
                        "project_worker": staff.name(p.project_worker),
                        "project_worker_id": p.project_worker.to_string(),
                        "version": p.version,
                    })));
                }
                match result.next_page_token {
                    Some(t) => page.page_token = Some(t),
                    None => break,
                }
            }
            output::list(ctx.format, PARTICIPANT_COLS, &rows)
        }
        ParticipantCmd::Show { participant } => {
            let case = load(svc, ctx, &participant).await?;
            if ctx.format == OutputFormat::Json {
                // The whole case file, with every organisation by name and code, not by id.
                let mut value =
                    serde_json::to_value(&case).map_err(|e| Failure::new(crate::exit::INTERNAL, e.to_string()))?;
                ctx.directory(svc).await?.name_ids(&mut value);
                return output::print(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&value)
                        .map_err(|e| Failure::new(crate::exit::INTERNAL, e.to_string()))?
                ));
            }
            let mut row = case_summary(&case);
            row.insert("project_worker".to_owned(), json!(ctx.staff(svc).await?.name(case.profile().project_worker)));
            if let Some(o) = case.outflow() {
                row.insert(
                    "outflow_outcome".to_owned(),
                    json!(crate::i18n::term("outflow", &crate::args::ser(&o.outcome))),
                );
            }
            if let Some(status) = case.limit_status(today(), perspectief_core::trajectory::DEFAULT_LIMIT_WARNING_DAYS) {
                row.insert(
                    "limit_on".to_owned(),
                    json!(format!("{} ({})", case.trajectory().limit(), limit_text(status))),
                );
            }
            output::record(ctx.format, SHOW_COLS, &row)
        }
        ParticipantCmd::Update { participant, profile, clear, expect } => {
            let case = load(svc, ctx, &participant).await?;
            // The flags given and the fields to clear (left empty), merged by the core's rule.
            let blank = RegisterParticipantInput::default();
            let mut given = profile_input(&profile, blank.clone());
            let cleared: Vec<ProfileField> = clear.iter().filter_map(|f| ProfileField::parse(f)).collect();
            for field in &cleared {
                given.take(*field, &blank);
            }
            let mut named = filled_in(&given);
            named.extend(cleared);
            // Given names are required: an empty flag is named (and refused), not ignored.
            if profile.given_names.is_some() {
                named.push(ProfileField::GivenNames);
            }
            let input = merge_profile(&input_of(&case), &given, named);
            let new = input.into_profile(case.profile().project_worker, today())?;
            let done = exec(svc, ctx, &case, expect, CaseCommand::UpdateProfile { profile: new }).await?;
            confirm(ctx, &case, &done, t!("done-profile-updated"), None)
        }
        ParticipantCmd::Confidentiality { participant, category, level, reason, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let cmd = CaseCommand::SetConfidentiality { category, level, reason: text("--reason", &reason)? };
            let done = exec(svc, ctx, &case, expect, cmd).await?;
            let sentence = t!(
                "done-confidentiality",
                category = crate::i18n::term("category", category.as_str()),
                level = crate::i18n::term("level", level.as_str())
            );
            confirm(ctx, &case, &done, sentence, None)
        }
        ParticipantCmd::Assign { participant, worker, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let worker = ctx.user("--worker", &worker)?;
            let done = exec(svc, ctx, &case, expect, CaseCommand::AssignProjectWorker { worker }).await?;
            confirm(ctx, &case, &done, t!("done-assigned", worker = worker), None)
        }
        ParticipantCmd::Phase { participant, to, reason, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let cmd = CaseCommand::ChangePhase { to, reason: text("--reason", &reason)? };
            let done = exec(svc, ctx, &case, expect, cmd).await?;
            confirm(ctx, &case, &done, t!("done-phase", phase = crate::i18n::term("phase", to.as_str())), None)
        }
        ParticipantCmd::History { participant, corrections } => {
            let id = crate::context::participant(svc, ctx, &participant).await?;
            let mut all = Vec::new();
            let mut after = 0;
            loop {
                let events = svc.case_events(&ctx.caller, id, after, 500).await?;
                let Some(last) = events.last() else { break };
                after = last.version;
                let full = events.len() == 500;
                all.extend(events);
                if !full {
                    break;
                }
            }
            if corrections {
                let shown = |v: &Value| match v {
                    Value::Null => "—".to_owned(),
                    Value::Array(a) if a.is_empty() => "—".to_owned(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let rows: Vec<_> = perspectief_core::privacy::profile_corrections(&all)
                    .iter()
                    .map(|c| {
                        obj(json!({
                            "version": c.version,
                            "at": local_time(c.at),
                            "actor": c.by.to_string(),
                            "field": c.field,
                            "old": shown(&c.old),
                            "new": shown(&c.new),
                        }))
                    })
                    .collect();
                let cols = [
                    col("version", "col-version"),
                    col("at", "col-at"),
                    col("field", "col-field"),
                    col("old", "col-old-value"),
                    col("new", "col-new-value"),
                    col("actor", "col-actor"),
                ];
                return output::list(ctx.format, &cols, &rows);
            }
            let rows: Vec<_> = all
                .iter()
                .map(|e| {
                    obj(json!({
                        "version": e.version,
                        "at": local_time(e.at),
                        "actor": e.actor.to_string(),
                        "change": e.change.kind(),
                        "category": e.change.category(),
                        "activities": e.change.activities().iter().map(|a| a.code()).collect::<Vec<_>>(),
                    }))
                })
                .collect();
            let cols = [
                col("version", "col-version"),
                col("at", "col-at"),
                term_col("change", "col-change", "change"),
                term_col("category", "col-category", "category"),
                col("activities", "col-activities"),
                col("actor", "col-actor"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}

fn limit_text(status: perspectief_core::LimitStatus) -> String {
    match status {
        perspectief_core::LimitStatus::WithinLimit { days_left } => t!("limit-within", days = days_left),
        perspectief_core::LimitStatus::Approaching { days_left } => t!("limit-approaching", days = days_left),
        perspectief_core::LimitStatus::Exceeded { days_over } => t!("limit-exceeded", days = days_over),
    }
}

/// An instant as Amsterdam local time, `YYYY-MM-DD HH:MM`.
pub fn local_time(at: chrono::DateTime<chrono::Utc>) -> String {
    let offset = perspectief_core::time::amsterdam_offset_hours(at);
    (at + chrono::Duration::hours(offset)).format("%Y-%m-%d %H:%M").to_string()
}

pub async fn plan_cmd<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: PlanCmd) -> Result<()> {
    match cmd {
        PlanCmd::Show { participant } => {
            let case = load(svc, ctx, &participant).await?;
            let rows: Vec<_> = case
                .plan_revisions()
                .iter()
                .map(|r| {
                    obj(json!({
                        "revision": r.number,
                        "direction": r.direction.as_str(),
                        "drawn_up_at": local_time(r.drawn_up_at),
                        "drawn_up_by": r.drawn_up_by.to_string(),
                        "agreed_on": r.agreed_on.map(|d| d.to_string()),
                        "personal_situation": r.personal_situation.as_str(),
                        "perspective": r.perspective.as_str(),
                    }))
                })
                .collect();
            let cols = [
                col("revision", "col-revision"),
                term_col("direction", "col-direction", "direction"),
                col("drawn_up_at", "col-drawn-up"),
                col("agreed_on", "col-agreed-on"),
                col("personal_situation", "col-situation"),
                col("perspective", "col-perspective"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
        PlanCmd::Revise { participant, situation, perspective, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let cmd = CaseCommand::RevisePlan {
                personal_situation: text("--situation", &situation)?,
                perspective: text("--perspective", &perspective)?,
            };
            let done = exec(svc, ctx, &case, expect, cmd).await?;
            let n = case.plan_revisions().len() + 1;
            confirm(ctx, &case, &done, t!("done-plan-revised", revision = n), Some(("revision", n.to_string())))
        }
        PlanCmd::Agree { participant, revision, on, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let revision = match revision.or_else(|| case.plan_revisions().last().map(|r| r.number)) {
                Some(r) => r,
                None => {
                    return Err(crate::exit::from_domain(DomainError::RuleViolated {
                        rule: perspectief_core::Rule::PlanRequired,
                    }));
                }
            };
            let done =
                exec(svc, ctx, &case, expect, CaseCommand::AgreePlan { revision, on: date_or_today(on) }).await?;
            confirm(ctx, &case, &done, t!("done-plan-agreed", revision = revision), None)
        }
        PlanCmd::Direction { participant, to, reasoning, on, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let cmd =
                CaseCommand::ChangeDirection { to, on: date_or_today(on), reasoning: text("--reasoning", &reasoning)? };
            let done = exec(svc, ctx, &case, expect, cmd).await?;
            confirm(
                ctx,
                &case,
                &done,
                t!("done-direction", direction = crate::i18n::term("direction", to.as_str())),
                None,
            )
        }
    }
}

pub async fn goal_cmd<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: GoalCmd) -> Result<()> {
    match cmd {
        GoalCmd::Add {
            participant,
            description,
            rationale,
            deadline,
            responsible: who,
            partners,
            next_steps,
            expect,
        } => {
            let case = load(svc, ctx, &participant).await?;
            let id = GoalId::from_uuid(new_id());
            let input = SetGoalInput {
                description,
                rationale,
                responsible: responsible(svc, ctx, "--responsible", &who).await?,
                partners: orgs(svc, ctx, "--partner", &partners).await?,
                deadline,
                next_steps,
            };
            let done = exec(svc, ctx, &case, expect, input.into_command(id)?).await?;
            confirm(
                ctx,
                &case,
                &done,
                t!("done-goal-added", id = short(&id.to_string()), deadline = deadline),
                Some(("goal", id.to_string())),
            )
        }
        GoalCmd::Update { participant, goal, status, deadline, next_steps, on, expect } => {
            let mut case = load(svc, ctx, &participant).await?;
            let goal = pick("goal", &goal, case.goals().map(|g| g.id))?;
            if status.is_none() && next_steps.is_none() {
                return Err(Failure::field("--status", t!("violation-status-or-steps")));
            }
            let mut last = None;
            let mut expect = expect;
            if let Some(steps) = next_steps {
                let done = exec(
                    svc,
                    ctx,
                    &case,
                    expect,
                    CaseCommand::UpdateGoalSteps { goal, next_steps: text("--next-steps", &steps)? },
                )
                .await?;
                expect.version = Some(done.version);
                last = Some(done);
            }
            if let Some(to) = status {
                if last.is_some() {
                    case = svc.get_case(&ctx.caller, case.id()).await?;
                }
                let cmd = CaseCommand::ChangeGoalStatus { goal, to, new_deadline: deadline, on: date_or_today(on) };
                last = Some(exec(svc, ctx, &case, expect, cmd).await?);
            }
            let done = last.ok_or_else(|| Failure::field("--status", t!("violation-required")))?;
            confirm(
                ctx,
                &case,
                &done,
                t!("done-goal-updated", id = short(&goal.to_string())),
                Some(("goal", goal.to_string())),
            )
        }
        GoalCmd::Done { participant, goal, on, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let goal = pick("goal", &goal, case.goals().map(|g| g.id))?;
            let cmd = CaseCommand::ChangeGoalStatus {
                goal,
                to: GoalStatus::Achieved,
                new_deadline: None,
                on: date_or_today(on),
            };
            let done = exec(svc, ctx, &case, expect, cmd).await?;
            confirm(
                ctx,
                &case,
                &done,
                t!("done-goal-achieved", id = short(&goal.to_string())),
                Some(("goal", goal.to_string())),
            )
        }
        GoalCmd::List { participant } => {
            let case = load(svc, ctx, &participant).await?;
            let today = today();
            let (directory, staff) =
                parties(svc, ctx, &case.goals().map(|g| &g.responsible).collect::<Vec<_>>()).await?;
            let rows: Vec<_> = case
                .goals()
                .map(|g| {
                    obj(json!({
                        "id": g.id.to_string(),
                        "description": g.description.as_str(),
                        "deadline": g.deadline.to_string(),
                        "status": g.status.as_str(),
                        "overdue": g.is_overdue(today),
                        "responsible": responsible_str(directory, staff, &g.responsible),
                        "partners": g.partners.iter().map(|p| directory.name(*p)).collect::<Vec<_>>(),
                        "next_steps": g.next_steps.as_ref().map(|t| t.as_str()),
                        "plan_revision": g.plan_revision,
                    }))
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                col("description", "col-description"),
                col("deadline", "col-deadline"),
                term_col("status", "col-status", "status"),
                col("overdue", "col-overdue"),
                col("responsible", "col-responsible"),
                col("next_steps", "col-next-steps"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}

pub async fn agreement_cmd<S: PerspectiefService + DirectoryService>(
    svc: &S,
    ctx: &Ctx,
    cmd: AgreementCmd,
) -> Result<()> {
    match cmd {
        AgreementCmd::Add { participant, description, due, who, category, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let id = AgreementId::from_uuid(new_id());
            let agreement = NewAgreement {
                id,
                description: text("--description", &description)?,
                due_on: due,
                who_acts: responsible(svc, ctx, "--who", &who).await?,
            };
            let done = exec(svc, ctx, &case, expect, CaseCommand::AddAgreement { agreement, category }).await?;
            confirm(
                ctx,
                &case,
                &done,
                t!("done-agreement-added", id = short(&id.to_string()), due = due),
                Some(("agreement", id.to_string())),
            )
        }
        AgreementCmd::Done { participant, agreement, not_fulfilled, on, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let agreement = pick("agreement", &agreement, case.agreements().map(|a| a.id))?;
            let cmd = CaseCommand::SettleAgreement { agreement, fulfilled: !not_fulfilled, on: date_or_today(on) };
            let done = exec(svc, ctx, &case, expect, cmd).await?;
            let sentence =
                if not_fulfilled { t!("done-agreement-not-fulfilled") } else { t!("done-agreement-fulfilled") };
            confirm(ctx, &case, &done, sentence, Some(("agreement", agreement.to_string())))
        }
        AgreementCmd::List { participant } => {
            let case = load(svc, ctx, &participant).await?;
            let (directory, staff) =
                parties(svc, ctx, &case.agreements().map(|a| &a.who_acts).collect::<Vec<_>>()).await?;
            let rows: Vec<_> = case
                .agreements_with_category()
                .map(|(a, category)| {
                    obj(json!({
                        "id": a.id.to_string(),
                        "description": a.description.as_str(),
                        "due_on": a.due_on.to_string(),
                        "who_acts": responsible_str(directory, staff, &a.who_acts),
                        "status": a.status.as_str(),
                        "category": category,
                        "made_in": a.made_in.map(|c| c.to_string()),
                    }))
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                col("description", "col-description"),
                col("due_on", "col-due"),
                col("who_acts", "col-who"),
                term_col("status", "col-status", "status"),
                term_col("category", "col-category", "category"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}

/// `office`, `remote`, `lvv:NAME`, `partner:NAME`, `external:NAME`.
fn location(v: &str) -> Result<LocationInput> {
    let (kind, name) = v.split_once(':').map_or((v, None), |(k, n)| (k, Some(n.trim().to_owned())));
    let kind = match kind.trim().to_lowercase().as_str() {
        "office" | "kantoor" => LocationKind::Office,
        "remote" | "op-afstand" | "telefoon" => LocationKind::Remote,
        "lvv" | "lvv_location" => LocationKind::LvvLocation,
        "partner" => LocationKind::Partner,
        "external" | "extern" => LocationKind::External,
        _ => return Err(Failure::field("--location", t!("violation-location", value = v))),
    };
    Ok(LocationInput { kind, name })
}

/// `DESCRIPTION@DATE`.
fn agreement_arg(v: &str) -> Result<AgreementInput> {
    let (description, due) =
        v.rsplit_once('@').ok_or_else(|| Failure::field("--agreement", t!("violation-agreement-format")))?;
    let due_on = crate::args::parse_date(due).map_err(|e| Failure::field("--agreement", e))?;
    Ok(AgreementInput { description: description.trim().to_owned(), due_on, who_acts: Responsible::Participant })
}

/// Build a contact moment from flags (asking on a terminal for what is missing).
pub async fn contact_input<S: DirectoryService>(svc: &S, ctx: &Ctx, a: ContactArgs) -> Result<LogContactInput> {
    let kind = match a.kind {
        Some(k) => k,
        None => {
            let v = required(None, "--kind", "prompt-contact-kind")?;
            crate::args::de::<ContactKind>(v.trim())
                .map_err(|_| Failure::field("--kind", t!("violation-unknown-value", value = v)))?
        }
    };
    let activities = if a.activities.is_empty() {
        let v = required(None, "--activity", "prompt-activity")?;
        v.split([',', ' ']).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    } else {
        a.activities
    };
    let summary = required(a.summary, "--summary", "prompt-summary")?;
    Ok(LogContactInput {
        at: a.at.unwrap_or_else(now),
        kind,
        location: location(a.location.as_deref().unwrap_or("office"))?,
        staff: users(ctx, "--staff", &a.staff)?,
        activities,
        summary,
        category: a.category.unwrap_or(DataCategory::Guidance),
        partner: match a.partner {
            Some(p) => Some(ctx.org(svc, "--partner", &p).await?),
            None => None,
        },
        duration_minutes: a.duration,
        agreements: a.agreements.iter().map(|s| agreement_arg(s)).collect::<Result<_>>()?,
    })
}

/// Turn a contact input into the command, with fresh ids.
pub fn contact_command(input: LogContactInput) -> std::result::Result<(ContactId, CaseCommand), DomainError> {
    let id = ContactId::from_uuid(new_id());
    let agreement_ids: Vec<AgreementId> = input.agreements.iter().map(|_| AgreementId::from_uuid(new_id())).collect();
    Ok((id, input.into_command(id, &agreement_ids)?))
}

pub async fn contact_cmd<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: ContactCmd) -> Result<()> {
    match cmd {
        ContactCmd::Log { participant, contact, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let input = contact_input(svc, ctx, contact).await?;
            let (id, cmd) = contact_command(input)?;
            let done = exec(svc, ctx, &case, expect, cmd).await?;
            let phase = done.events.iter().find_map(|e| match &e.change {
                perspectief_core::CaseChange::PhaseChanged { to, .. } => Some(*to),
                _ => None,
            });
            let mut sentence = t!("done-contact-logged", id = short(&id.to_string()));
            if let Some(p) = phase {
                sentence = format!("{sentence}; {}", t!("done-phase", phase = crate::i18n::term("phase", p.as_str())));
            }
            confirm(ctx, &case, &done, sentence, Some(("contact", id.to_string())))
        }
        ContactCmd::List { participant } => {
            let case = load(svc, ctx, &participant).await?;
            let mut contacts: Vec<_> = case.contacts().collect();
            contacts.sort_by_key(|(c, _)| c.at);
            let directory = ctx.directory_if(svc, contacts.iter().any(|(c, _)| c.partner.is_some())).await?;
            let rows: Vec<_> = contacts
                .iter()
                .map(|(c, category)| {
                    let (loc_kind, loc_name) = match &c.location {
                        ContactLocation::Office => ("office", None),
                        ContactLocation::Remote => ("remote", None),
                        ContactLocation::LvvLocation(l) => ("lvv_location", Some(l.to_string())),
                        ContactLocation::Partner(l) => ("partner", Some(l.to_string())),
                        ContactLocation::External(l) => ("external", Some(l.to_string())),
                    };
                    obj(json!({
                        "id": c.id.to_string(),
                        "at": local_time(c.at),
                        "kind": c.kind.as_str(),
                        "location": loc_name.unwrap_or_else(|| crate::i18n::term("location", loc_kind)),
                        "location_kind": loc_kind,
                        "activities": c.activities.iter().map(|a| a.code()).collect::<Vec<_>>(),
                        "summary": c.summary.as_str(),
                        "category": category,
                        "duration_minutes": c.duration_minutes,
                        "partner": c.partner.map(|p| directory.name(p)),
                        "staff": c.staff.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    }))
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                col("at", "col-at"),
                term_col("kind", "col-kind", "contact"),
                col("location", "col-location"),
                col("activities", "col-activities"),
                col("summary", "col-summary"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}

pub async fn referral_cmd<S: PerspectiefService + DirectoryService>(
    svc: &S,
    ctx: &Ctx,
    cmd: ReferralCmd,
) -> Result<()> {
    match cmd {
        ReferralCmd::Add { participant, partner, domain, reason, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let id = ReferralId::from_uuid(new_id());
            let to = ctx.org(svc, "--partner", &partner).await?;
            let cmd = CaseCommand::ProposeReferral { id, partner: to, domain, reason: text("--reason", &reason)? };
            let done = exec(svc, ctx, &case, expect, cmd).await?;
            confirm(
                ctx,
                &case,
                &done,
                t!("done-referral-added", id = short(&id.to_string()), partner = ctx.directory(svc).await?.name(to)),
                Some(("referral", id.to_string())),
            )
        }
        ReferralCmd::Update { participant, referral, status, on, note, override_reason, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let referral = pick("referral", &referral, case.referrals().map(|r| r.id))?;
            let cmd = CaseCommand::AdvanceReferral {
                referral,
                to: status,
                on: date_or_today(on),
                note: opt_text("--note", note.as_ref())?,
                consent_override: opt_text("--override-reason", override_reason.as_ref())?,
            };
            let done = exec(svc, ctx, &case, expect, cmd).await?;
            confirm(
                ctx,
                &case,
                &done,
                t!("done-referral-updated", status = crate::i18n::term("status", status.as_str())),
                Some(("referral", referral.to_string())),
            )
        }
        ReferralCmd::List { participant } => {
            let case = load(svc, ctx, &participant).await?;
            let directory = ctx.directory_if(svc, case.referrals().next().is_some()).await?;
            let rows: Vec<_> = case
                .referrals()
                .map(|r| {
                    obj(json!({
                        "id": r.id.to_string(),
                        "partner": directory.name(r.partner),
                        "partner_code": directory.code(r.partner),
                        "domain": r.domain.as_str(),
                        "status": r.status().as_str(),
                        "reason": r.reason.as_str(),
                        "sent_on": r.sent_on().map(|d| d.to_string()),
                        "proposed_on": r.history.first().map(|s| s.on.to_string()),
                    }))
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                col("partner", "col-partner"),
                term_col("domain", "col-domain", "domain"),
                term_col("status", "col-status", "status"),
                col("sent_on", "col-sent-on"),
                col("reason", "col-reason"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}

pub async fn consent_cmd<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: ConsentCmd) -> Result<()> {
    match cmd {
        ConsentCmd::Give { participant, organisation, categories, purpose, on, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let id = ConsentId::from_uuid(new_id());
            let cmd = CaseCommand::GiveConsent {
                id,
                organisation: ctx.org(svc, "--organisation", &organisation).await?,
                categories: categories.into_iter().collect(),
                purpose: text("--purpose", &purpose)?,
                given_on: date_or_today(on),
            };
            let done = exec(svc, ctx, &case, expect, cmd).await?;
            confirm(
                ctx,
                &case,
                &done,
                t!("done-consent-given", id = short(&id.to_string())),
                Some(("consent", id.to_string())),
            )
        }
        ConsentCmd::Withdraw { participant, consent, on, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let consent = pick("consent", &consent, case.consents().iter().map(|c| c.id))?;
            let done =
                exec(svc, ctx, &case, expect, CaseCommand::WithdrawConsent { consent, on: date_or_today(on) }).await?;
            confirm(ctx, &case, &done, t!("done-consent-withdrawn"), Some(("consent", consent.to_string())))
        }
        ConsentCmd::List { participant } => {
            let case = load(svc, ctx, &participant).await?;
            let directory = ctx.directory_if(svc, !case.consents().is_empty()).await?;
            let rows: Vec<_> = case
                .consents()
                .iter()
                .map(|c| {
                    obj(json!({
                        "id": c.id.to_string(),
                        "organisation": directory.name(c.organisation),
                        "organisation_code": directory.code(c.organisation),
                        "categories": c.categories.iter().collect::<Vec<_>>(),
                        "purpose": c.purpose.as_str(),
                        "given_on": c.given_on.to_string(),
                        "withdrawn_on": c.withdrawn_on.map(|d| d.to_string()),
                    }))
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                col("organisation", "col-organisation"),
                term_col("categories", "col-categories", "category"),
                col("purpose", "col-purpose"),
                col("given_on", "col-given-on"),
                col("withdrawn_on", "col-withdrawn-on"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}

fn findings(f: &FindingsArgs) -> Result<ExplorationFindings> {
    Ok(ExplorationFindings {
        motivation: opt_text("--motivation", f.motivation.as_ref())?,
        documents: opt_text("--documents", f.documents.as_ref())?,
        family_contact: opt_text("--family-contact", f.family_contact.as_ref())?,
        prospects: opt_text("--prospects", f.prospects.as_ref())?,
    })
}

pub async fn return_cmd<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: ReturnCmd) -> Result<()> {
    match cmd {
        ReturnCmd::Stance { participant, stance, on, note, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let cmd = CaseCommand::RecordReturnStance {
                stance,
                on: date_or_today(on),
                note: opt_text("--note", note.as_ref())?,
            };
            let done = exec(svc, ctx, &case, expect, cmd).await?;
            confirm(ctx, &case, &done, t!("done-stance", stance = crate::i18n::term("stance", stance.as_str())), None)
        }
        ReturnCmd::Explore { participant, findings: f, on, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let findings = findings(&f)?;
            let (cmd, sentence) = if case.return_exploration().is_some() {
                (CaseCommand::UpdateReturnExploration { findings }, t!("done-exploration-updated"))
            } else {
                (
                    CaseCommand::StartReturnExploration { on: date_or_today(on), findings },
                    t!("done-exploration-started"),
                )
            };
            let done = exec(svc, ctx, &case, expect, cmd).await?;
            confirm(ctx, &case, &done, sentence, None)
        }
        ReturnCmd::Obstacle { participant, kind, description, partner, on, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let id = ObstacleId::from_uuid(new_id());
            let cmd = CaseCommand::IdentifyObstacle {
                id,
                kind,
                description: text("--description", &description)?,
                partner: match partner {
                    Some(p) => Some(ctx.org(svc, "--partner", &p).await?),
                    None => None,
                },
                on: date_or_today(on),
            };
            let done = exec(svc, ctx, &case, expect, cmd).await?;
            confirm(
                ctx,
                &case,
                &done,
                t!("done-obstacle-added", id = short(&id.to_string())),
                Some(("obstacle", id.to_string())),
            )
        }
        ReturnCmd::ObstacleAction { participant, obstacle, description, status, on, expect } => {
            obstacle_action(svc, ctx, &participant, &obstacle, &description, status, on, expect).await
        }
        ReturnCmd::RemoveObstacle { participant, obstacle, description, on, expect } => {
            obstacle_action(svc, ctx, &participant, &obstacle, &description, ObstacleStatus::Removed, on, expect).await
        }
        ReturnCmd::Reintegration {
            participant,
            housing,
            income_work,
            business_plan,
            care,
            contacts_abroad,
            expect,
        } => {
            let case = load(svc, ctx, &participant).await?;
            let plan = ReintegrationPlan {
                housing: opt_text("--housing", housing.as_ref())?,
                income_work: opt_text("--income-work", income_work.as_ref())?,
                business_plan: opt_text("--business-plan", business_plan.as_ref())?,
                care: opt_text("--care", care.as_ref())?,
                contacts_abroad: opt_text("--contacts-abroad", contacts_abroad.as_ref())?,
            };
            let done = exec(svc, ctx, &case, expect, CaseCommand::UpdateReintegrationPlan(plan)).await?;
            confirm(ctx, &case, &done, t!("done-reintegration"), None)
        }
        ReturnCmd::Departure { participant, step, note, on, date, schiphol, expect } => {
            let mut case = load(svc, ctx, &participant).await?;
            let mut expect = expect;
            let mut last = None;
            if let Some(kind) = step {
                let note = text("--note", note.as_deref().unwrap_or_default())?;
                let done = exec(
                    svc,
                    ctx,
                    &case,
                    expect,
                    CaseCommand::RecordDepartureStep(DepartureStep { on: date_or_today(on), kind, note }),
                )
                .await?;
                expect.version = Some(done.version);
                last = Some(done);
            }
            if date.is_some() || schiphol {
                if last.is_some() {
                    case = svc.get_case(&ctx.caller, case.id()).await?;
                }
                last = Some(
                    exec(
                        svc,
                        ctx,
                        &case,
                        expect,
                        CaseCommand::PlanDeparture { on: date, accompany_to_schiphol: schiphol },
                    )
                    .await?,
                );
            }
            let done = last.ok_or_else(|| Failure::field("--step", t!("violation-step-or-date")))?;
            confirm(ctx, &case, &done, t!("done-departure"), None)
        }
        ReturnCmd::Rean {
            participant,
            no_assisted_return_in_five_years,
            travel_document_obtainable,
            agrees_procedures_end,
            expect,
        } => {
            let case = load(svc, ctx, &participant).await?;
            let current = case.departure().map(|d| d.rean).unwrap_or_default();
            let checklist = ReanChecklist {
                no_assisted_return_in_five_years: no_assisted_return_in_five_years
                    .map_or(current.no_assisted_return_in_five_years, |t| t.0),
                travel_document_obtainable: travel_document_obtainable
                    .map_or(current.travel_document_obtainable, |t| t.0),
                agrees_procedures_end: agrees_procedures_end.map_or(current.agrees_procedures_end, |t| t.0),
            };
            let done = exec(svc, ctx, &case, expect, CaseCommand::UpdateReanChecklist(checklist)).await?;
            let sentence = if checklist.all_met() { t!("done-rean-met") } else { t!("done-rean") };
            confirm(ctx, &case, &done, sentence, None)
        }
        ReturnCmd::Judgment { participant, verdict, is_final, reasoning, on, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let id = JudgmentId::from_uuid(new_id());
            let input = RecordJudgmentInput {
                verdict,
                finality: if is_final { Finality::Final } else { Finality::Provisional },
                reasoning,
                formed_on: date_or_today(on),
            };
            let done = exec(svc, ctx, &case, expect, input.into_command(id)?).await?;
            confirm(
                ctx,
                &case,
                &done,
                t!("done-judgment", id = short(&id.to_string())),
                Some(("judgment", id.to_string())),
            )
        }
        ReturnCmd::Communicated { participant, judgment, to, on, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let judgment = pick("return_judgment", &judgment, case.judgments().iter().map(|j| j.id))?;
            let cmd = CaseCommand::RecordJudgmentCommunicated {
                judgment,
                to: recipient(svc, ctx, "--to", &to).await?,
                on: date_or_today(on),
            };
            let done = exec(svc, ctx, &case, expect, cmd).await?;
            confirm(ctx, &case, &done, t!("done-communicated"), Some(("judgment", judgment.to_string())))
        }
        ReturnCmd::Consequences { participant, judgment, on, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let judgment = pick("return_judgment", &judgment, case.judgments().iter().map(|j| j.id))?;
            let done = exec(
                svc,
                ctx,
                &case,
                expect,
                CaseCommand::RecordConsequencesExplained { judgment, on: date_or_today(on) },
            )
            .await?;
            confirm(ctx, &case, &done, t!("done-consequences"), Some(("judgment", judgment.to_string())))
        }
        ReturnCmd::Show { participant } => {
            let case = load(svc, ctx, &participant).await?;
            let value = json!({
                "return_stance": case.return_stance(),
                "exploration": case.return_exploration(),
                "obstacles": case.obstacles().collect::<Vec<_>>(),
                "reintegration_plan": case.reintegration_plan(),
                "departure": case.departure(),
                "judgments": case.judgments(),
            });
            if ctx.format != OutputFormat::Table {
                // Organisations by name and code, not by id (obstacles' partners, judgments'
                // recipients).
                let mut value = value;
                ctx.directory(svc).await?.name_ids(&mut value);
                return output::print(&format!("{}\n", serde_json::to_string_pretty(&value).unwrap_or_default()));
            }
            let mut text = format!(
                "{}: {}\n",
                t!("col-return-stance"),
                crate::i18n::term("stance", case.return_stance().as_str())
            );
            if let Some(e) = case.return_exploration() {
                text.push_str(&format!("{}: {}\n", t!("col-exploration-started"), e.started_on));
            }
            let rows: Vec<_> = case
                .obstacles()
                .map(|o| obj(json!({"id": o.id.to_string(), "kind": crate::args::ser(&o.kind), "status": o.status.as_str(), "description": o.description.as_str(), "identified_on": o.identified_on.to_string()})))
                .collect();
            output::print(&text)?;
            let cols = [
                col("id", "col-id"),
                term_col("kind", "col-kind", "obstacle"),
                term_col("status", "col-status", "status"),
                col("identified_on", "col-date"),
                col("description", "col-description"),
            ];
            if !rows.is_empty() {
                output::list(ctx.format, &cols, &rows)?;
            }
            for j in case.judgments() {
                output::print(&format!(
                    "{}: {} ({}, {}) {}\n",
                    t!("col-judgment"),
                    crate::i18n::term("verdict", &crate::args::ser(&j.verdict)),
                    crate::i18n::term("finality", &crate::args::ser(&j.finality)),
                    j.formed_on,
                    short(&j.id.to_string())
                ))?;
            }
            Ok(())
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn obstacle_action<S: PerspectiefService + DirectoryService>(
    svc: &S,
    ctx: &Ctx,
    participant: &str,
    obstacle: &str,
    description: &str,
    status: ObstacleStatus,
    on: Option<NaiveDate>,
    expect: Expect,
) -> Result<()> {
    let case = load(svc, ctx, participant).await?;
    let obstacle = pick("return_obstacle", obstacle, case.obstacles().map(|o| o.id))?;
    let cmd = CaseCommand::ActOnObstacle {
        obstacle,
        description: text("--description", description)?,
        status,
        on: date_or_today(on),
    };
    let done = exec(svc, ctx, &case, expect, cmd).await?;
    confirm(
        ctx,
        &case,
        &done,
        t!("done-obstacle-action", status = crate::i18n::term("status", status.as_str())),
        Some(("obstacle", obstacle.to_string())),
    )
}

pub async fn zrm_cmd<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: ZrmCmd) -> Result<()> {
    match cmd {
        ZrmCmd::Record { participant, scores, on, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let mut input = BTreeMap::new();
            for s in &scores {
                let (domain, score) = s
                    .split_once('=')
                    .ok_or_else(|| Failure::field("--score", t!("violation-score-format", value = s)))?;
                let domain: ZrmDomain = crate::args::de(domain.trim()).map_err(|_| {
                    Failure::field(
                        "--score",
                        t!(
                            "violation-zrm-domain",
                            value = domain,
                            domains = ZrmDomain::ALL.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    )
                })?;
                let score: u8 =
                    score.trim().parse().map_err(|_| Failure::field("--score", t!("violation-out_of_range")))?;
                input.insert(domain, score);
            }
            let scores = perspectief_core::input::zrm_scores(&input)?;
            let done = exec(
                svc,
                ctx,
                &case,
                expect,
                CaseCommand::RecordSelfReliance { assessed_on: date_or_today(on), scores },
            )
            .await?;
            confirm(ctx, &case, &done, t!("done-zrm"), None)
        }
        ZrmCmd::List { participant } => {
            let case = load(svc, ctx, &participant).await?;
            let mut rows = Vec::new();
            for a in case.self_reliance() {
                for (d, s) in &a.scores {
                    rows.push(obj(
                        json!({"assessed_on": a.assessed_on.to_string(), "domain": d.as_str(), "score": s.get()}),
                    ));
                }
            }
            let cols =
                [col("assessed_on", "col-date"), term_col("domain", "col-domain", "zrm"), col("score", "col-score")];
            output::list(ctx.format, &cols, &rows)
        }
    }
}

/// `report sent`: record that a progress report went to the municipality.
pub async fn report_sent<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: ReportCmd) -> Result<()> {
    let ReportCmd::Sent { participant, from, to, sent_to, expect } = cmd else {
        return Err(Failure::new(crate::exit::INTERNAL, "not a report-sent command"));
    };
    let case = load(svc, ctx, &participant).await?;
    let id = ReportId::from_uuid(new_id());
    let cmd = CaseCommand::RecordProgressReport {
        id,
        period_from: from,
        period_to: to,
        sent_to: ctx.org(svc, "--sent-to", &sent_to).await?,
    };
    let done = exec(svc, ctx, &case, expect, cmd).await?;
    confirm(ctx, &case, &done, t!("done-report"), Some(("report", id.to_string())))
}

pub async fn outflow_cmd<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: OutflowCmd) -> Result<()> {
    let OutflowCmd::Record { participant, outcome, on, note, expect } = cmd;
    let case = load(svc, ctx, &participant).await?;
    let cmd = CaseCommand::RecordOutflow { outcome, on: date_or_today(on), note: opt_text("--note", note.as_ref())? };
    let done = exec(svc, ctx, &case, expect, cmd).await?;
    confirm(
        ctx,
        &case,
        &done,
        t!("done-outflow", outcome = crate::i18n::term("outflow", &crate::args::ser(&outcome))),
        None,
    )
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

fn agenda_reason(v: &str) -> Result<AgendaReason> {
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

pub async fn period_cmd<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: PeriodCmd) -> Result<()> {
    match cmd {
        PeriodCmd::Define { name: period_name, from, to, targets } => {
            let mut list = Vec::new();
            for t in &targets {
                let (code, n) = t
                    .split_once('=')
                    .ok_or_else(|| Failure::field("--target", t!("violation-target-format", value = t)))?;
                let persons: u32 = n
                    .trim()
                    .parse()
                    .map_err(|_| Failure::field("--target", t!("violation-target-format", value = t)))?;
                let code = code.trim();
                let measure = match code.to_uppercase().as_str() {
                    "A" => TargetMeasure::Theme(Theme::Inform),
                    "B" => TargetMeasure::Theme(Theme::Activate),
                    "C" => TargetMeasure::Theme(Theme::Guide),
                    "D" => TargetMeasure::Theme(Theme::Evaluate),
                    _ => TargetMeasure::Activity(ActivityCode::parse(code).map_err(|e| vfail("--target", &e))?),
                };
                list.push(Target { measure, persons });
            }
            let period = SubsidyPeriod::new(SubsidyPeriodId::from_uuid(new_id()), &period_name, from, to, list)?;
            let id = period.id();
            svc.define_subsidy_period(&ctx.caller, period).await?;
            output::done(ctx.format, &t!("done-period", id = id), json!({"period": id.to_string()}))
        }
        PeriodCmd::List => {
            let periods = svc.subsidy_periods(&ctx.caller).await?;
            let rows: Vec<_> = periods
                .iter()
                .map(|p| {
                    obj(json!({
                        "id": p.id().to_string(),
                        "name": p.name().as_str(),
                        "starts_on": p.starts_on().to_string(),
                        "ends_on": p.ends_on().to_string(),
                        "targets": p.targets().iter().map(|t| format!("{}={}", match t.measure { TargetMeasure::Activity(a) => a.code().to_owned(), TargetMeasure::Theme(th) => th.letter().to_string() }, t.persons)).collect::<Vec<_>>(),
                    }))
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                col("name", "col-name"),
                col("starts_on", "col-from"),
                col("ends_on", "col-to"),
                col("targets", "col-targets"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}

pub async fn worklist<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, args: WorklistArgs) -> Result<()> {
    let mut query = WorklistQuery::for_day(args.today.unwrap_or_else(today));
    if let Some(months) = args.no_assessment_months {
        query.no_assessment_months = months;
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
        let mut page = PageRequest { page_size: 500, page_token: None };
        loop {
            let result = svc
                .list_participants(
                    &ctx.caller,
                    ParticipantFilter { include_closed: true, ..Default::default() },
                    page.clone(),
                )
                .await?;
            names.extend(result.items.into_iter().map(|p| (p.id, p.display_name)));
            match result.next_page_token {
                Some(t) => page.page_token = Some(t),
                None => break,
            }
        }
    }
    let sections = [
        ("overdue_goals", &list.overdue_goals),
        ("overdue_agreements", &list.overdue_agreements),
        ("agreements_due", &list.agreements_due),
        ("without_contact", &list.without_contact),
        ("near_limit", &list.near_limit),
        ("unanswered_referrals", &list.unanswered_referrals),
        ("without_assessment", &list.without_assessment),
    ];
    let mut rows = Vec::new();
    for (list_name, items) in sections {
        for i in items {
            let (kind, id) = match i.subject {
                WorkSubject::Goal(g) => ("goal", Some(g.to_string())),
                WorkSubject::Agreement(a) => ("agreement", Some(a.to_string())),
                WorkSubject::Referral(r) => ("referral", Some(r.to_string())),
                WorkSubject::Participant => ("participant", None),
            };
            rows.push(obj(json!({
                "list": list_name,
                "participant": i.participant.to_string(),
                "name": names.get(&i.participant),
                "subject": kind,
                "subject_id": id,
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
    ];
    if ctx.format == OutputFormat::Table {
        for r in &mut rows {
            let p = r.get("participant").cloned().unwrap_or(Value::Null);
            r.insert("participant_id".to_owned(), p);
        }
        return output::list(ctx.format, &cols, &rows);
    }
    let cols = [col("list", ""), col("participant", ""), col("subject", ""), col("subject_id", ""), col("date", "")];
    output::list(ctx.format, &cols, &rows)
}

pub async fn audit_cmd<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: AuditCmd) -> Result<()> {
    let caller = ctx.with_purpose(Purpose::Audit);
    match cmd {
        AuditCmd::Log { participant, after, limit } => {
            let participant = match participant {
                Some(p) => Some(crate::context::participant(svc, ctx, &p).await?),
                None => None,
            };
            let records = svc.audit_log(&caller, participant, after, limit).await?;
            let rows: Vec<_> = records
                .iter()
                .map(|r| {
                    let e = &r.entry;
                    obj(json!({
                        "seq": r.seq,
                        "at": local_time(e.at),
                        "user": e.user.to_string(),
                        "role": e.role.as_str(),
                        "action": e.action,
                        "operation": e.operation,
                        "participant": e.participant.map(|p| p.to_string()),
                        "category": e.category,
                        "purpose": e.purpose.as_str(),
                        "outcome": e.outcome.as_str(),
                        "error_code": e.error_code,
                        "client": e.client,
                    }))
                })
                .collect();
            let cols = [
                col("seq", "col-seq"),
                col("at", "col-at"),
                col("user", "col-user"),
                term_col("role", "col-role", "role"),
                col("operation", "col-operation"),
                col("participant", "col-participant"),
                term_col("outcome", "col-outcome", "outcome"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
        AuditCmd::Verify => {
            let v = svc.verify_audit_log(&caller).await?;
            let value = serde_json::to_value(&v).unwrap_or(Value::Null);
            match v {
                perspectief_core::service::ChainVerification::Intact { records, .. } => {
                    output::done(ctx.format, &t!("done-audit-intact", records = records), value)
                }
                perspectief_core::service::ChainVerification::Broken { first_broken_seq, reason } => {
                    output::done(ctx.format, &t!("audit-broken", seq = first_broken_seq, reason = reason), value)?;
                    Err(Failure::new(crate::exit::VALIDATION, t!("audit-broken", seq = first_broken_seq, reason = "")))
                }
            }
        }
    }
}

/// Export every case file as one JSON line each.
pub async fn export<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, args: ExportArgs) -> Result<()> {
    use std::io::Write;
    let mut ids = Vec::new();
    let mut page = PageRequest { page_size: 500, page_token: None };
    loop {
        let result = svc
            .list_participants(
                &ctx.caller,
                ParticipantFilter { include_closed: args.all, ..Default::default() },
                page.clone(),
            )
            .await?;
        ids.extend(result.items.iter().map(|p| p.id));
        match result.next_page_token {
            Some(t) => page.page_token = Some(t),
            None => break,
        }
    }
    crate::context::make_parent(&args.file)?;
    let mut out = Vec::new();
    let bar = crate::commands::import::progress(ids.len() as u64, &t!("progress-export"));
    for id in &ids {
        let case = svc.get_case(&ctx.caller, *id).await?;
        serde_json::to_writer(&mut out, &case).map_err(|e| Failure::new(crate::exit::INTERNAL, e.to_string()))?;
        out.push(b'\n');
        bar.inc(1);
    }
    bar.finish_and_clear();
    crate::config::write_private(&args.file, &out).map_err(|e| Failure::io(&args.file, &e))?;
    let _ = std::io::stderr().flush();
    output::done(
        ctx.format,
        &t!("done-export", count = ids.len(), path = args.file.display()),
        json!({"exported": ids.len(), "file": args.file.display().to_string()}),
    )
}

/// The register and the staff directory as far as these responsible parties need them: an
/// organisation's name needs the register, a staff member's the staff directory; parties that
/// need neither read nothing (and log nothing).
async fn parties<'c, S: DirectoryService>(
    svc: &S,
    ctx: &'c Ctx,
    responsible: &[&Responsible],
) -> Result<(&'c Directory, &'c Staff)> {
    let partner = responsible.iter().any(|r| matches!(r, Responsible::Partner(_)));
    let staff = responsible.iter().any(|r| matches!(r, Responsible::Staff(_)));
    Ok((ctx.directory_if(svc, partner).await?, ctx.staff_if(svc, staff).await?))
}
