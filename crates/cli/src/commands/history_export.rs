//! `export history DIR`: the inverse of `import history`. Every participant's case history and
//! every information session as exactly the CSV files `import history` reads (same names,
//! columns and formats; see docs/import.md), so a database can be moved into another one.
//!
//! As sensitive as a backup: only who may export the database (the core's decision on
//! [`Resource::Database`](perspectief_core::access::Resource::Database)) may run it, the read
//! is audited (`export_history`), and the files are private (0600, the directory 0700). The
//! files are written into a new directory beside the target and renamed into place at the
//! end, so nothing half is ever left under the target's name; a non-empty target is refused.
//!
//! The rows come from the case's events, oldest first, so the history is what was recorded
//! and when it took effect. A participant is keyed by the number an earlier import stored, or
//! else by their participant id (stable: the same database exports the same numbers).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Args;
use perspectief_core::case::{CaseChange, CaseEvent};
use perspectief_core::plan::{AgreementStatus, Responsible};
use perspectief_core::returns::Recipient;
use perspectief_core::session::SessionTopic;
use perspectief_core::{ContactLocation, DateOfBirth, DomainError, Nationality, OrganisationId};
use perspectief_store::{ExportedParticipant, HistoryExport, Store};
use serde_json::json;

use super::history::{Kind, ZRM_COLUMNS};
use crate::context::Ctx;
use crate::directory::Directory;
use crate::exit::{Failure, PERMISSION, Result, VALIDATION};
use crate::output;
use crate::t;

#[derive(Debug, Args)]
pub struct ExportHistoryArgs {
    /// De nieuwe map voor de CSV-bestanden (mag niet bestaan of moet leeg zijn)
    #[arg(value_name = "MAP")]
    pub dir: PathBuf,
}

/// One file being written: its columns and rows (cells by column).
struct Table {
    columns: Vec<&'static str>,
    rows: Vec<BTreeMap<&'static str, String>>,
}

impl Table {
    fn new(columns: &[&'static str]) -> Self {
        Self { columns: columns.to_vec(), rows: Vec::new() }
    }

    fn push(&mut self, cells: Vec<(&'static str, String)>) {
        self.rows.push(cells.into_iter().filter(|(_, v)| !v.is_empty()).collect());
    }

    fn csv(&self) -> std::result::Result<Vec<u8>, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.columns)?;
        for row in &self.rows {
            w.write_record(self.columns.iter().map(|c| row.get(c).map_or("", String::as_str)))?;
        }
        w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }
}

/// An enum value as the command line (and so the import) names it: its serde name.
fn name<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn opt_day(d: Option<NaiveDate>) -> String {
    d.map(day).unwrap_or_default()
}

fn text<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn yes_no(v: Option<bool>) -> String {
    match v {
        Some(true) => "ja".to_owned(),
        Some(false) => "nee".to_owned(),
        None => String::new(),
    }
}

/// The written forms the import reads back.
struct Writer<'a> {
    directory: &'a Directory,
    number: String,
}

impl Writer<'_> {
    fn org(&self, id: OrganisationId) -> String {
        self.directory.code(id).map_or_else(|| id.to_string(), str::to_owned)
    }

    fn opt_org(&self, id: Option<OrganisationId>) -> String {
        id.map(|o| self.org(o)).unwrap_or_default()
    }

    fn responsible(&self, r: &Responsible) -> String {
        match r {
            Responsible::Participant => "participant".to_owned(),
            Responsible::Staff(u) => format!("staff:{u}"),
            Responsible::Partner(o) => format!("partner:{}", self.org(*o)),
        }
    }

    fn n(&self) -> (&'static str, String) {
        ("number", self.number.clone())
    }
}

fn date_of_birth(d: &DateOfBirth) -> String {
    match d {
        DateOfBirth::Exact { date } => day(*date),
        DateOfBirth::Month { year, month } => format!("{year:04}-{month:02}"),
        DateOfBirth::Year { year } => format!("{year:04}"),
        DateOfBirth::Estimated { year } => format!("~{year:04}"),
    }
}

fn moment(at: chrono::DateTime<chrono::Utc>) -> String {
    let local = at + chrono::Duration::hours(perspectief_core::time::amsterdam_offset_hours(at));
    local.format("%Y-%m-%d %H:%M").to_string()
}

/// The day an event took effect: its own date, or the day it was recorded.
fn effective(event: &CaseEvent) -> NaiveDate {
    event.change.effective_on(event.at)
}

/// Every file's table, filled from the export.
struct Tables(BTreeMap<Kind, Table>);

impl Tables {
    fn new() -> Self {
        let mut t = BTreeMap::new();
        for kind in Kind::ALL {
            let columns: Vec<&'static str> = match kind {
                Kind::Participants => super::history::participant_file_columns().to_vec(),
                Kind::Zrm => ZRM_COLUMNS.to_vec(),
                other => other.columns().to_vec(),
            };
            t.insert(kind, Table::new(&columns));
        }
        Self(t)
    }

    fn push(&mut self, kind: Kind, cells: Vec<(&'static str, String)>) {
        if let Some(t) = self.0.get_mut(&kind) {
            t.push(cells);
        }
    }
}

/// What of the case files has no file: counted by change, so the answer says what was left.
type Left = BTreeMap<&'static str, usize>;

fn participant_rows(p: &ExportedParticipant, w: &Writer<'_>, tables: &mut Tables, left: &mut Left) {
    let case = &p.case;
    let profile = case.profile();
    let list = |v: Vec<String>| v.join(";");
    tables.push(
        Kind::Participants,
        vec![
            w.n(),
            ("given_names", profile.given_names.to_string()),
            ("family_name", text(&profile.family_name)),
            ("aliases", list(profile.aliases.iter().map(ToString::to_string).collect())),
            ("date_of_birth", profile.date_of_birth.as_ref().map(date_of_birth).unwrap_or_default()),
            ("country_of_origin", text(&profile.country_of_origin)),
            (
                "nationalities",
                list(
                    profile
                        .nationalities
                        .iter()
                        .map(|n| match n {
                            Nationality::Country(c) => c.to_string(),
                            Nationality::Stateless => "stateless".to_owned(),
                            Nationality::Unknown => "unknown".to_owned(),
                        })
                        .collect(),
                ),
            ),
            ("languages", list(profile.languages.iter().map(ToString::to_string).collect())),
            ("v_number", profile.v_number.as_ref().map(|v| v.as_str().to_owned()).unwrap_or_default()),
            ("lvv_location", text(&profile.lvv_location)),
            ("registered_on", day(case.registered_on())),
            ("project_worker", profile.project_worker.to_string()),
        ],
    );
    // A goal's latest status change goes on its row.
    let mut goal_status = BTreeMap::new();
    for e in &p.events {
        if let CaseChange::GoalStatusChanged { goal, to, new_deadline, on, .. } = &e.change {
            goal_status.insert(*goal, (name(to), *on, *new_deadline));
        }
    }
    // The outflow's day: a schedule set before the outflow was recorded (with an earlier day)
    // took effect before it, so its row is dated no later than the outflow.
    let outflow_on = p.events.iter().find_map(|e| match &e.change {
        CaseChange::OutflowRecorded(o) => Some(o.on),
        _ => None,
    });
    for e in &p.events {
        match &e.change {
            CaseChange::Registered { .. } | CaseChange::PlanAgreed { .. } | CaseChange::GoalStatusChanged { .. } => {}
            CaseChange::ConsentWithdrawn { .. } | CaseChange::AgreementSettled { .. } => {}
            CaseChange::PlanRevised(r) => {
                let agreed = case.plan_revisions().iter().find(|x| x.number == r.number).and_then(|x| x.agreed_on);
                tables.push(
                    Kind::Plans,
                    vec![
                        w.n(),
                        ("drawn_up_on", day(r.drawn_up_on)),
                        ("personal_situation", r.personal_situation.to_string()),
                        ("perspective", r.perspective.to_string()),
                        ("agreed_on", opt_day(agreed)),
                    ],
                );
            }
            CaseChange::GoalSet(g) => {
                let (status, status_on, new_deadline) =
                    goal_status.get(&g.id).cloned().map_or((String::new(), None, None), |(s, o, d)| (s, Some(o), d));
                tables.push(
                    Kind::Goals,
                    vec![
                        w.n(),
                        ("set_on", day(g.set_on)),
                        ("description", g.description.to_string()),
                        ("rationale", text(&g.rationale)),
                        ("responsible", w.responsible(&g.responsible)),
                        ("deadline", day(g.deadline)),
                        ("next_steps", text(&g.next_steps)),
                        ("status", status),
                        ("status_on", opt_day(status_on)),
                        ("new_deadline", opt_day(new_deadline)),
                        ("partners", g.partners.iter().map(|o| w.org(*o)).collect::<Vec<_>>().join(";")),
                    ],
                );
            }
            CaseChange::ConsentGiven(c) => {
                let withdrawn = case.consents().iter().find(|x| x.id == c.id).and_then(|x| x.withdrawn_on);
                tables.push(
                    Kind::Consents,
                    vec![
                        w.n(),
                        ("given_on", day(c.given_on)),
                        ("organisation", w.org(c.organisation)),
                        ("categories", c.categories.iter().map(name).collect::<Vec<_>>().join(";")),
                        ("purpose", c.purpose.to_string()),
                        ("withdrawn_on", opt_day(withdrawn)),
                    ],
                );
            }
            CaseChange::ReferralProposed(r) => {
                let on = r.history.first().map_or_else(|| effective(e), |s| s.on);
                tables.push(
                    Kind::Referrals,
                    vec![
                        w.n(),
                        ("referral", r.id.to_string()),
                        ("on", day(on)),
                        ("status", "proposed".to_owned()),
                        ("partner", w.org(r.partner)),
                        ("domain", name(&r.domain)),
                        ("reason", r.reason.to_string()),
                        ("note", r.history.first().map(|s| text(&s.note)).unwrap_or_default()),
                    ],
                );
            }
            CaseChange::ReferralAdvanced { referral, step, .. } => {
                // Only sending shares data: an override, if the lead gave one, was for that step.
                let sent = step.status == perspectief_core::contact::ReferralStatus::Sent;
                let reason = p
                    .overrides
                    .iter()
                    .find(|o| sent && o.referral == Some(*referral))
                    .map(|o| o.reason.to_string())
                    .unwrap_or_default();
                tables.push(
                    Kind::Referrals,
                    vec![
                        w.n(),
                        ("referral", referral.to_string()),
                        ("on", day(step.on)),
                        ("status", name(&step.status)),
                        ("note", text(&step.note)),
                        ("override", reason),
                    ],
                )
            }
            CaseChange::ContactLogged { contact, category } => {
                let location = match &contact.location {
                    ContactLocation::Office => "office".to_owned(),
                    ContactLocation::Remote => "remote".to_owned(),
                    ContactLocation::LvvLocation(l) => format!("lvv:{l}"),
                    ContactLocation::Partner(l) => format!("partner:{l}"),
                    ContactLocation::External(l) => format!("external:{l}"),
                };
                if !contact.documents.is_empty() {
                    *left.entry("contact_documents").or_default() += 1;
                }
                tables.push(
                    Kind::Contacts,
                    vec![
                        w.n(),
                        ("contact", contact.id.to_string()),
                        ("at", moment(contact.at)),
                        ("kind", name(&contact.kind)),
                        ("location", location),
                        (
                            "activities",
                            contact.activities.iter().map(ToString::to_string).collect::<Vec<_>>().join(";"),
                        ),
                        ("summary", contact.summary.to_string()),
                        ("category", name(category)),
                        ("duration_minutes", contact.duration_minutes.map(|m| m.to_string()).unwrap_or_default()),
                        ("partner", w.opt_org(contact.partner)),
                        ("staff", contact.staff.iter().map(ToString::to_string).collect::<Vec<_>>().join(";")),
                    ],
                );
            }
            CaseChange::AgreementMade { agreement, category } => {
                let status =
                    case.agreements().find(|a| a.id == agreement.id).map_or(AgreementStatus::Open, |a| a.status);
                let (fulfilled, settled_on) = match status {
                    AgreementStatus::Open => (String::new(), None),
                    AgreementStatus::Fulfilled(on) => ("ja".to_owned(), Some(on)),
                    AgreementStatus::NotFulfilled(on) => ("nee".to_owned(), Some(on)),
                };
                tables.push(
                    Kind::Agreements,
                    vec![
                        w.n(),
                        ("made_on", day(agreement.made_on.unwrap_or_else(|| effective(e)))),
                        ("description", agreement.description.to_string()),
                        ("due_on", day(agreement.due_on)),
                        ("who_acts", w.responsible(&agreement.who_acts)),
                        ("category", name(category)),
                        ("fulfilled", fulfilled),
                        ("settled_on", opt_day(settled_on)),
                        ("contact", agreement.made_in.map(|c| c.to_string()).unwrap_or_default()),
                    ],
                );
            }
            CaseChange::ReturnStanceRecorded { to, on, note, .. } => tables.push(
                Kind::Return,
                vec![w.n(), ("record", "stance".into()), ("on", day(*on)), ("value", name(to)), ("text", text(note))],
            ),
            CaseChange::DirectionChanged(d) => tables.push(
                Kind::Return,
                vec![
                    w.n(),
                    ("record", "direction".into()),
                    ("on", day(d.on)),
                    ("value", name(&d.to)),
                    ("text", d.reasoning.to_string()),
                ],
            ),
            CaseChange::ReturnExplorationStarted(x) => tables.push(
                Kind::Return,
                vec![
                    w.n(),
                    ("record", "exploration".into()),
                    ("on", day(x.started_on)),
                    ("motivation", text(&x.motivation)),
                    ("documents", text(&x.documents)),
                    ("family_contact", text(&x.family_contact)),
                    ("prospects", text(&x.prospects)),
                ],
            ),
            CaseChange::ReturnExplorationUpdated { findings, .. } => tables.push(
                Kind::Return,
                vec![
                    w.n(),
                    ("record", "exploration".into()),
                    ("on", day(effective(e))),
                    ("motivation", text(&findings.motivation)),
                    ("documents", text(&findings.documents)),
                    ("family_contact", text(&findings.family_contact)),
                    ("prospects", text(&findings.prospects)),
                ],
            ),
            CaseChange::ObstacleIdentified(o) => tables.push(
                Kind::Return,
                vec![
                    w.n(),
                    ("record", "obstacle".into()),
                    ("on", day(o.identified_on)),
                    ("reference", o.id.to_string()),
                    ("value", name(&o.kind)),
                    ("text", o.description.to_string()),
                    ("partner", w.opt_org(o.partner)),
                ],
            ),
            CaseChange::ObstacleActedOn { obstacle, action } => tables.push(
                Kind::Return,
                vec![
                    w.n(),
                    ("record", "obstacle_action".into()),
                    ("on", day(action.on)),
                    ("reference", obstacle.to_string()),
                    ("value", name(&action.status)),
                    ("text", action.description.to_string()),
                ],
            ),
            CaseChange::JudgmentRecorded(j) => tables.push(
                Kind::Return,
                vec![
                    w.n(),
                    ("record", "judgment".into()),
                    ("on", day(j.formed_on)),
                    ("reference", j.id.to_string()),
                    ("value", name(&j.verdict)),
                    ("finality", name(&j.finality)),
                    ("text", j.reasoning.to_string()),
                ],
            ),
            CaseChange::JudgmentCommunicated { judgment, communication } => {
                let to = match communication.to {
                    Recipient::Participant => "participant".to_owned(),
                    Recipient::Municipality => "municipality".to_owned(),
                    Recipient::Partner(o) => format!("partner:{}", w.org(o)),
                };
                let partner = match communication.to {
                    Recipient::Partner(o) => Some(o),
                    _ => None,
                };
                let reason = p
                    .overrides
                    .iter()
                    .find(|o| {
                        communication.to != Recipient::Participant
                            && o.referral.is_none()
                            && o.judgment == Some(*judgment)
                            && o.partner == partner
                    })
                    .map(|o| o.reason.to_string())
                    .unwrap_or_default();
                tables.push(
                    Kind::Return,
                    vec![
                        w.n(),
                        ("record", "communicated".into()),
                        ("on", day(communication.on)),
                        ("reference", judgment.to_string()),
                        ("value", to),
                        ("override", reason),
                    ],
                );
            }
            CaseChange::ConsequencesExplained { judgment, on } => tables.push(
                Kind::Return,
                vec![w.n(), ("record", "consequences".into()), ("on", day(*on)), ("reference", judgment.to_string())],
            ),
            CaseChange::ReintegrationPlanUpdated(plan) => tables.push(
                Kind::Return,
                vec![
                    w.n(),
                    ("record", "reintegration".into()),
                    ("on", day(plan.updated_on.unwrap_or_else(|| effective(e)))),
                    ("housing", text(&plan.housing)),
                    ("income_work", text(&plan.income_work)),
                    ("business_plan", text(&plan.business_plan)),
                    ("care", text(&plan.care)),
                    ("contacts_abroad", text(&plan.contacts_abroad)),
                ],
            ),
            CaseChange::DepartureStepRecorded(s) => tables.push(
                Kind::Return,
                vec![
                    w.n(),
                    ("record", "departure_step".into()),
                    ("on", day(s.on)),
                    ("value", name(&s.kind)),
                    ("text", s.note.to_string()),
                ],
            ),
            CaseChange::ReanChecklistUpdated(c) => tables.push(
                Kind::Return,
                vec![
                    w.n(),
                    ("record", "rean".into()),
                    ("on", day(c.updated_on.unwrap_or_else(|| effective(e)))),
                    ("no_assisted_return", yes_no(c.no_assisted_return_in_five_years)),
                    ("travel_document", yes_no(c.travel_document_obtainable)),
                    ("procedures_end", yes_no(c.agrees_procedures_end)),
                ],
            ),
            CaseChange::DeparturePlanned { on: Some(on), accompany_to_schiphol } => tables.push(
                Kind::Return,
                vec![
                    w.n(),
                    ("record", "departure".into()),
                    ("on", day(*on)),
                    ("value", yes_no(Some(*accompany_to_schiphol))),
                ],
            ),
            CaseChange::SelfRelianceAssessed(a) => {
                let mut cells = vec![w.n(), ("assessed_on", day(a.assessed_on))];
                for (domain, score) in &a.scores {
                    cells.push((domain.as_str(), score.get().to_string()));
                }
                tables.push(Kind::Zrm, cells);
            }
            CaseChange::ProgressReportSent(r) => tables.push(
                Kind::Reports,
                vec![
                    w.n(),
                    ("period_from", day(r.period_from)),
                    ("period_to", day(r.period_to)),
                    ("sent_to", w.org(r.sent_to)),
                    ("sent_on", day(r.sent_on)),
                ],
            ),
            CaseChange::ReportingScheduleSet { every_months } => {
                let on = outflow_on.map_or(effective(e), |o: NaiveDate| o.min(effective(e)));
                tables.push(
                    Kind::Schedules,
                    vec![w.n(), ("set_on", day(on)), ("every_months", every_months.to_string())],
                );
            }
            // Dated the day it was recorded, as the command dates it (it has no day of its own).
            CaseChange::ConfidentialitySet { category, to, reason, .. } => tables.push(
                Kind::Confidentiality,
                vec![
                    w.n(),
                    ("set_on", day(effective(e))),
                    ("category", name(category)),
                    ("level", name(to)),
                    ("reason", reason.to_string()),
                ],
            ),
            // A phase change that follows from another row (a plan agreed, an adopted advice)
            // comes back with that row; an explicit one has a reason and a row of its own.
            CaseChange::PhaseChanged { reason: None, .. } => {}
            CaseChange::PhaseChanged { to, reason: Some(reason), .. } => tables.push(
                Kind::Phases,
                vec![w.n(), ("on", day(effective(e))), ("phase", name(to)), ("reason", reason.to_string())],
            ),
            CaseChange::OutflowRecorded(o) => tables.push(
                Kind::Outflows,
                vec![w.n(), ("on", day(o.on)), ("outcome", name(&o.outcome)), ("note", text(&o.note))],
            ),
            // Comes back with the meeting records file (see `meeting_rows`).
            CaseChange::ChainMeetingRecorded(_) => {}
            other => *left.entry(other.kind()).or_default() += 1,
        }
    }
}

/// The chain meetings (one row each, referenced by id) and what each did about each person on
/// it (one row per record, in the order the meeting took them: on the agenda, discussed,
/// advised, decided, the termination talk). The texts come from the meeting, the bare fact of
/// a discussion without texts from the case's records.
fn meeting_rows(export: &HistoryExport, numbers: &BTreeMap<String, String>, tables: &mut Tables, left: &mut Left) {
    let cases: BTreeMap<perspectief_core::ParticipantId, &perspectief_core::case::Case> =
        export.participants.iter().map(|p| (p.case.id(), &p.case)).collect();
    for m in &export.meetings {
        let reference = m.id().to_string();
        tables.push(Kind::Meetings, vec![("meeting", reference.clone()), ("date", day(m.date()))]);
        for item in m.items() {
            let (Some(number), Some(case)) = (numbers.get(&item.participant.to_string()), cases.get(&item.participant))
            else {
                // An erased participant's item: nothing of theirs is exported.
                *left.entry("meeting_items").or_default() += 1;
                continue;
            };
            let row = |record: &str, mut cells: Vec<(&'static str, String)>| {
                let mut all =
                    vec![("meeting", reference.clone()), ("number", number.clone()), ("record", record.to_owned())];
                all.append(&mut cells);
                all
            };
            let reasons: Vec<String> = item.reasons.iter().filter_map(agenda_reason).collect();
            if reasons.len() < item.reasons.len() {
                *left.entry("agenda_reasons").or_default() += item.reasons.len() - reasons.len();
            }
            tables.push(Kind::MeetingRecords, row("agenda", vec![("reasons", reasons.join(";"))]));
            let discussed = case
                .chain_meetings()
                .iter()
                .any(|r| r.meeting == m.id() && r.step == perspectief_core::meeting::ChainStep::Discussed);
            if item.information_supplied.is_some()
                || item.decision.is_some()
                || (discussed && item.termination.is_none())
            {
                tables.push(
                    Kind::MeetingRecords,
                    row(
                        "discussed",
                        vec![
                            ("information_supplied", text(&item.information_supplied)),
                            ("decision", text(&item.decision)),
                        ],
                    ),
                );
            }
            let Some(t) = &item.termination else { continue };
            tables.push(
                Kind::MeetingRecords,
                row("advised", vec![("advice", name(&t.advice)), ("reasoning", t.reasoning.to_string())]),
            );
            if let Some(d) = &t.decision {
                tables.push(
                    Kind::MeetingRecords,
                    row("decided", vec![("adopted", yes_no(Some(d.adopted))), ("note", text(&d.note))]),
                );
            }
            if let Some(on) = t.termination_talk_on {
                tables.push(Kind::MeetingRecords, row("talk", vec![("on", day(on))]));
            }
        }
    }
}

/// An agenda reason as `meeting agenda --reason` (and so the import) takes it; `None` for a
/// note that does not fit the form.
fn agenda_reason(r: &perspectief_core::meeting::AgendaReason) -> Option<String> {
    use perspectief_core::meeting::AgendaReason as R;
    let kind = serde_json::to_value(r).ok()?.get("reason")?.as_str()?.to_owned();
    Some(match r {
        R::NoContact { days } => format!("{kind}:{days}"),
        R::LimitApproaching { days_left } => format!("{kind}:{days_left}"),
        R::PastLimitWithoutAdvice { days_over } => format!("{kind}:{days_over}"),
        R::Other { note } if note.as_str().contains([';', '|']) => return None,
        R::Other { note } => format!("{kind}:{note}"),
        _ => kind,
    })
}

fn session_rows(export: &HistoryExport, numbers: &BTreeMap<String, String>, w: &Writer<'_>, tables: &mut Tables) {
    for s in export.sessions.iter().filter(|s| !s.is_cancelled()) {
        let (theme, country) = match s.topic() {
            SessionTopic::Theme(l) => (l.to_string(), String::new()),
            SessionTopic::Country(c) => (String::new(), c.to_string()),
        };
        let reference = s.id().to_string();
        tables.push(
            Kind::Sessions,
            vec![
                ("session", reference.clone()),
                ("date", day(s.date())),
                ("theme", theme),
                ("country", country),
                ("venue", s.venue().to_string()),
                ("languages", s.languages().iter().map(ToString::to_string).collect::<Vec<_>>().join(";")),
                ("partner", w.opt_org(s.partner())),
                ("facilitators", s.facilitators().iter().map(ToString::to_string).collect::<Vec<_>>().join(";")),
                ("unregistered", s.unregistered_head_count().to_string()),
            ],
        );
        for p in s.attendees() {
            let number = numbers.get(&p.to_string()).cloned().unwrap_or_else(|| p.to_string());
            tables.push(Kind::Attendance, vec![("session", reference.clone()), ("number", number)]);
        }
    }
}

/// A new private directory beside `target`, for writing before the rename.
fn staging_dir(target: &Path) -> Result<PathBuf> {
    let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Failure::io(parent, &e))?;
    let base = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "export".to_owned());
    let staging = parent.join(format!(".{base}.partial-{}", uuid::Uuid::now_v7().simple()));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(&staging).map_err(|e| Failure::io(&staging, &e))?;
    Ok(staging)
}

pub async fn export_history(store: &Store, ctx: &Ctx, args: ExportHistoryArgs) -> Result<()> {
    let target = &args.dir;
    if target.exists() {
        let empty = std::fs::read_dir(target).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !empty {
            return Err(Failure::new(VALIDATION, t!("error-export-history-not-empty", path = target.display())));
        }
    }
    let export = match store.export_history(&ctx.caller).await {
        Err(DomainError::AccessDenied(_)) => return Err(Failure::new(PERMISSION, t!("error-export-history-role"))),
        other => other?,
    };
    let directory = ctx.directory(store).await?;
    let mut tables = Tables::new();
    let mut left = Left::new();
    let mut numbers = BTreeMap::new();
    for p in &export.participants {
        let id = p.case.id().to_string();
        let number = p.number.clone().unwrap_or_else(|| id.clone());
        numbers.insert(id, number.clone());
        participant_rows(p, &Writer { directory, number }, &mut tables, &mut left);
    }
    session_rows(&export, &numbers, &Writer { directory, number: String::new() }, &mut tables);
    meeting_rows(&export, &numbers, &mut tables, &mut left);

    let staging = staging_dir(target)?;
    let written = (|| -> Result<usize> {
        let mut rows = 0;
        for (kind, table) in &tables.0 {
            let bytes = table.csv().map_err(|e| Failure::new(crate::exit::INTERNAL, e.to_string()))?;
            let path = staging.join(format!("{}.csv", kind.names()[0]));
            crate::config::write_private(&path, &bytes).map_err(|e| Failure::io(&path, &e))?;
            rows += table.rows.len();
        }
        // An empty target is replaced by the finished directory in one rename.
        std::fs::rename(&staging, target).map_err(|e| Failure::io(target, &e))?;
        Ok(rows)
    })();
    let rows = match written {
        Ok(rows) => rows,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    let left_out: serde_json::Map<String, serde_json::Value> =
        left.iter().map(|(k, n)| ((*k).to_owned(), json!(n))).collect();
    if !left.is_empty() {
        let list = left.iter().map(|(k, n)| format!("{k} ({n})")).collect::<Vec<_>>().join(", ");
        output::note(&t!("export-history-left-out", list = list));
    }
    output::done(
        ctx.format,
        &t!(
            "done-export-history",
            participants = export.participants.len(),
            sessions = export.sessions.len(),
            rows = rows,
            path = target.display()
        ),
        json!({
            "participants": export.participants.len(),
            "sessions": export.sessions.len(),
            "rows": rows,
            "directory": target.display().to_string(),
            "left_out": left_out,
        }),
    )
}
