//! `import history DIR|FILE...`: whole case histories from one CSV file per record kind (see
//! docs/import.md), keyed by the foundation's own participant numbers.
//!
//! Every file is read and checked first: the columns, each row's cells, then every row as the
//! core command it becomes, executed on a copy of the participant's case in effective-date
//! order, so every rule of the core applies; the report names file, row, column and problem,
//! all at once. Only a history without problems is written, by the store in one transaction
//! ([`Store::import_history`]): all or nothing, also when the process is interrupted. Each
//! row's stable key (a hash of its kind, participant number and content) is stored with it,
//! so importing the same file again is refused, naming the rows. Local only: a migration is
//! done on the foundation's own database.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Args;
use perspectief_cli::import_csv::{self, Encoding, Issue, ParticipantImport, Sheet, cells, iso_day, list};
use perspectief_core::UserId;
use perspectief_core::case::{Case, CaseCommand, CommandContext, NewAgreement, NewGoal, RegisterParticipant};
use perspectief_core::codes::{CountryCode, LanguageCode};
use perspectief_core::ids::ReportId;
use perspectief_core::ids::{AgreementId, ConsentId, GoalId, JudgmentId, ObstacleId, ParticipantId, ReferralId};
use perspectief_core::input::{LocationInput, LocationKind, LogContactInput};
use perspectief_core::meeting::{AgendaReason, ChainDecision, ChainMeeting, MeetingCommand};
use perspectief_core::outflow::{ZrmDomain, ZrmScore};
use perspectief_core::plan::Responsible;
use perspectief_core::returns::{DepartureStep, ExplorationFindings, ReanChecklist, Recipient, ReintegrationPlan};
use perspectief_core::service::PerspectiefService;
use perspectief_core::session::{InformationSession, PlanSession, SessionCommand, SessionTopic};
use perspectief_core::text::Label;
use perspectief_core::text::Text;
use perspectief_core::time::amsterdam_date;
use perspectief_core::{DataCategory, DomainError};
use perspectief_store::{
    HistoryImport, ImportError, ImportedChainStep, ImportedMeeting, ImportedParticipant, ImportedSession, RowKey, Store,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::args::{de, now, parse_date, parse_instant, parse_tristate, today};
use crate::context::Ctx;
use crate::directory::Directory;
use crate::exit::{Failure, Result, VALIDATION};
use crate::output;
use crate::t;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Een map met de CSV-bestanden (participants.csv, plans.csv, goals.csv, ...; zie
    /// docs/import.md), of de bestanden zelf
    #[arg(required = true, value_name = "MAP|BESTAND")]
    pub paths: Vec<PathBuf>,
    /// Alleen controleren, niets importeren
    #[arg(long)]
    pub dry_run: bool,
    /// De tekenset van de bestanden: utf-8 of windows-1252 (standaard: herkend)
    #[arg(long, value_name = "TEKENSET", value_parser = super::import::parse_encoding)]
    pub encoding: Option<Encoding>,
}

/// The record kinds, one file each, in the order their rows go on the same day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Participants,
    // A meeting is held at the start of its day (the synthetic year's at eight), before the
    // day's other steps: its records go first on a day.
    Meetings,
    MeetingRecords,
    Plans,
    Goals,
    Consents,
    Referrals,
    Contacts,
    Agreements,
    Return,
    Zrm,
    Reports,
    Schedules,
    Confidentiality,
    Phases,
    Outflows,
    Sessions,
    Attendance,
}

const NUMBER: &str = "number";

/// The ZRM file's columns: the number, the day, and one per life domain (a score 1 to 5, or
/// empty when the domain was not assessed).
pub const ZRM_COLUMNS: [&str; ZrmDomain::ALL.len() + 2] = {
    let mut columns = [NUMBER; ZrmDomain::ALL.len() + 2];
    columns[1] = "assessed_on";
    let mut i = 0;
    while i < ZrmDomain::ALL.len() {
        columns[i + 2] = ZrmDomain::ALL[i].as_str();
        i += 1;
    }
    columns
};

impl Kind {
    pub const ALL: [Kind; 18] = [
        Kind::Participants,
        Kind::Meetings,
        Kind::MeetingRecords,
        Kind::Plans,
        Kind::Goals,
        Kind::Consents,
        Kind::Referrals,
        Kind::Contacts,
        Kind::Agreements,
        Kind::Return,
        Kind::Zrm,
        Kind::Reports,
        Kind::Schedules,
        Kind::Confidentiality,
        Kind::Phases,
        Kind::Outflows,
        Kind::Sessions,
        Kind::Attendance,
    ];

    /// The file's name (without `.csv`), English then Dutch.
    pub fn names(self) -> [&'static str; 2] {
        match self {
            Kind::Participants => ["participants", "deelnemers"],
            Kind::Meetings => ["meetings", "ketenoverleggen"],
            Kind::MeetingRecords => ["meeting_records", "overlegverslagen"],
            Kind::Plans => ["plans", "plannen"],
            Kind::Goals => ["goals", "doelen"],
            Kind::Consents => ["consents", "toestemmingen"],
            Kind::Referrals => ["referrals", "verwijzingen"],
            Kind::Contacts => ["contacts", "contacten"],
            Kind::Agreements => ["agreements", "afspraken"],
            Kind::Return => ["return", "terugkeer"],
            Kind::Zrm => ["zrm", "zelfredzaamheid"],
            Kind::Reports => ["progress_reports", "voortgangsrapportages"],
            Kind::Schedules => ["reporting_schedules", "rapportageschemas"],
            Kind::Confidentiality => ["confidentiality", "vertrouwelijkheid"],
            Kind::Phases => ["phases", "fasen"],
            Kind::Outflows => ["outflows", "uitstroom"],
            Kind::Sessions => ["sessions", "voorlichtingen"],
            Kind::Attendance => ["attendance", "aanwezigheid"],
        }
    }

    fn of(path: &Path) -> Option<Kind> {
        let stem = path.file_stem()?.to_str()?.to_lowercase();
        Kind::ALL.into_iter().find(|k| k.names().contains(&stem.as_str()))
    }

    /// The columns (besides the participants file's own, which are those of `import
    /// participants` plus `number`).
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Kind::Participants => &[],
            Kind::Meetings => &["meeting", "date"],
            Kind::MeetingRecords => &[
                "meeting",
                NUMBER,
                "record",
                "on",
                "reasons",
                "information_supplied",
                "decision",
                "advice",
                "reasoning",
                "adopted",
                "note",
            ],
            Kind::Plans => &[NUMBER, "drawn_up_on", "personal_situation", "perspective", "agreed_on"],
            Kind::Goals => &[
                NUMBER,
                "set_on",
                "description",
                "rationale",
                "responsible",
                "deadline",
                "next_steps",
                "status",
                "status_on",
                "new_deadline",
                "partners",
            ],
            Kind::Consents => &[NUMBER, "given_on", "organisation", "categories", "purpose", "withdrawn_on"],
            Kind::Referrals => &[NUMBER, "referral", "on", "status", "partner", "domain", "reason", "note", "override"],
            Kind::Contacts => &[
                NUMBER,
                "contact",
                "at",
                "kind",
                "location",
                "activities",
                "summary",
                "category",
                "duration_minutes",
                "partner",
                "staff",
            ],
            Kind::Agreements => &[
                NUMBER,
                "made_on",
                "description",
                "due_on",
                "who_acts",
                "category",
                "fulfilled",
                "settled_on",
                "contact",
            ],
            Kind::Return => &[
                NUMBER,
                "record",
                "on",
                "value",
                "reference",
                "text",
                "partner",
                "finality",
                "motivation",
                "documents",
                "family_contact",
                "prospects",
                "housing",
                "income_work",
                "business_plan",
                "care",
                "contacts_abroad",
                "no_assisted_return",
                "travel_document",
                "procedures_end",
                "override",
            ],
            Kind::Zrm => &ZRM_COLUMNS,
            Kind::Reports => &[NUMBER, "period_from", "period_to", "sent_to", "sent_on"],
            Kind::Schedules => &[NUMBER, "set_on", "every_months"],
            Kind::Confidentiality => &[NUMBER, "set_on", "category", "level", "reason"],
            Kind::Phases => &[NUMBER, "on", "phase", "reason"],
            Kind::Outflows => &[NUMBER, "on", "outcome", "note"],
            Kind::Sessions => &[
                "session",
                "date",
                "theme",
                "country",
                "venue",
                "languages",
                "partner",
                "facilitators",
                "unregistered",
            ],
            Kind::Attendance => &["session", NUMBER],
        }
    }

    fn required(self) -> &'static [&'static str] {
        match self {
            Kind::Participants => &[NUMBER, "given_names"],
            Kind::Meetings => &["meeting", "date"],
            Kind::MeetingRecords => &["meeting", NUMBER, "record"],
            Kind::Plans => &[NUMBER, "drawn_up_on", "personal_situation", "perspective"],
            Kind::Goals => &[NUMBER, "set_on", "description", "deadline"],
            Kind::Consents => &[NUMBER, "given_on", "organisation", "categories", "purpose"],
            Kind::Referrals => &[NUMBER, "referral", "on", "status"],
            Kind::Contacts => &[NUMBER, "at", "kind", "activities", "summary"],
            Kind::Agreements => &[NUMBER, "made_on", "description", "due_on"],
            Kind::Return => &[NUMBER, "record", "on"],
            Kind::Zrm => &[NUMBER, "assessed_on"],
            Kind::Reports => &[NUMBER, "period_from", "period_to", "sent_to", "sent_on"],
            Kind::Schedules => &[NUMBER, "set_on", "every_months"],
            Kind::Confidentiality => &[NUMBER, "set_on", "category", "level", "reason"],
            Kind::Phases => &[NUMBER, "on", "phase", "reason"],
            Kind::Outflows => &[NUMBER, "on", "outcome"],
            Kind::Sessions => &["session", "date", "venue", "languages"],
            Kind::Attendance => &["session", NUMBER],
        }
    }

    fn as_str(self) -> &'static str {
        self.names()[0]
    }
}

/// One problem: which file, row, column, and what.
#[derive(Debug, Clone)]
struct Problem {
    file: String,
    row: usize,
    column: String,
    problem: String,
}

/// A file read.
struct File {
    kind: Kind,
    name: String,
    sheet: Sheet,
}

/// Where a step comes from: the file (index) and its row.
#[derive(Debug, Clone, Copy)]
struct Origin {
    file: usize,
    row: usize,
}

/// A row's command, some decided only once the case before it is known.
#[derive(Debug, Clone)]
enum Step {
    Ready(CaseCommand),
    /// The participant agrees to the plan revision drawn up last.
    AgreeLatestPlan {
        on: NaiveDate,
    },
    /// An agreement made in the contact of the contacts file's `contact` reference: it goes
    /// into that contact's command.
    InContact {
        reference: String,
        agreement: NewAgreement,
    },
    /// The first exploration row starts the exploration, the later ones update it.
    Explore {
        on: NaiveDate,
        findings: ExplorationFindings,
    },
    /// A command on the meeting of the meetings file's `reference`; a participant not on it
    /// yet is put on its agenda first.
    Meeting {
        reference: String,
        cmd: MeetingCommand,
    },
}

struct Planned {
    number: String,
    date: NaiveDate,
    kind: Kind,
    origin: Origin,
    step: Step,
}

/// The cells of one row, with the problems found reading them.
struct Cells<'a> {
    c: BTreeMap<&'a str, &'a str>,
    problems: Vec<(String, String)>,
    directory: &'a Directory,
    ctx: &'a Ctx,
}

impl<'a> Cells<'a> {
    fn problem(&mut self, column: &str, text: String) {
        self.problems.push((column.to_owned(), text));
    }

    fn get(&self, column: &str) -> Option<&'a str> {
        self.c.get(column).copied()
    }

    fn required(&mut self, column: &str) -> Option<&'a str> {
        let v = self.get(column);
        if v.is_none() {
            self.problem(column, t!("import-missing-value"));
        }
        v
    }

    fn date(&mut self, column: &str) -> Option<NaiveDate> {
        let v = self.required(column)?;
        parse_date(&iso_day(v)).map_err(|e| self.problem(column, e)).ok()
    }

    /// `Some(None)` when empty, `None` when not a date.
    fn opt_date(&mut self, column: &str) -> Option<Option<NaiveDate>> {
        match self.get(column) {
            None => Some(None),
            Some(v) => parse_date(&iso_day(v)).map(Some).map_err(|e| self.problem(column, e)).ok(),
        }
    }

    fn text(&mut self, column: &str) -> Option<Text> {
        let v = self.required(column)?;
        self.parse_text(column, v)
    }

    fn parse_text(&mut self, column: &str, v: &str) -> Option<Text> {
        Text::parse(v).map_err(|e| self.problem(column, violation(e.code.code(), &e.message))).ok()
    }

    fn opt_text(&mut self, column: &str) -> Option<Option<Text>> {
        match self.get(column) {
            None => Some(None),
            Some(v) => self.parse_text(column, v).map(Some),
        }
    }

    fn value<T: serde::de::DeserializeOwned>(&mut self, column: &str) -> Option<T> {
        let v = self.required(column)?;
        self.parse_value(column, v)
    }

    fn parse_value<T: serde::de::DeserializeOwned>(&mut self, column: &str, v: &str) -> Option<T> {
        de(&v.trim().to_lowercase()).map_err(|_| self.problem(column, t!("violation-unknown-value", value = v))).ok()
    }

    fn org(&mut self, column: &str, v: &str) -> Option<perspectief_core::OrganisationId> {
        self.directory.resolve(column, v).map_err(|e| self.problem(column, e.message)).ok()
    }

    fn opt_org(&mut self, column: &str) -> Option<Option<perspectief_core::OrganisationId>> {
        match self.get(column) {
            None => Some(None),
            Some(v) => self.org(column, v).map(Some),
        }
    }

    /// `participant`, `staff[:USER]` or `partner:ORG`, as the command line's flags take them.
    fn responsible(&mut self, column: &str, default: Responsible) -> Option<Responsible> {
        let Some(v) = self.get(column) else { return Some(default) };
        let (kind, rest) = v.split_once(':').map_or((v, None), |(k, r)| (k, Some(r)));
        match (kind.trim().to_lowercase().as_str(), rest) {
            ("participant" | "deelnemer", None) => Some(Responsible::Participant),
            ("staff" | "medewerker", None) => Some(Responsible::Staff(self.ctx.me())),
            ("staff" | "medewerker", Some(u)) => {
                self.ctx.user(column, u).map(Responsible::Staff).map_err(|e| self.problem(column, e.message)).ok()
            }
            ("partner", Some(o)) => self.org(column, o).map(Responsible::Partner),
            _ => {
                self.problem(column, t!("violation-responsible", value = v));
                None
            }
        }
    }
}

fn violation(code: &str, message: &str) -> String {
    let id = format!("violation-{code}");
    if crate::i18n::has(&id) { t!(&id) } else { message.to_owned() }
}

/// The record ids a file's own references stand for, per participant number.
#[derive(Default)]
struct References {
    referrals: BTreeMap<(String, String), ReferralId>,
    obstacles: BTreeMap<(String, String), ObstacleId>,
    judgments: BTreeMap<(String, String), JudgmentId>,
    /// The meetings file's references with their days.
    meetings: BTreeMap<String, NaiveDate>,
    /// The participant of the row being read (a meeting command names them).
    participant: Option<ParticipantId>,
}

fn new_uuid() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

/// The steps of one row of a record file (not participants), each with its effective date.
fn row_steps(kind: Kind, number: &str, cells: &mut Cells<'_>, refs: &mut References) -> Option<Vec<(NaiveDate, Step)>> {
    let ready = |date: NaiveDate, cmd: CaseCommand| (date, Step::Ready(cmd));
    match kind {
        Kind::Participants | Kind::Sessions | Kind::Attendance | Kind::Meetings => Some(Vec::new()),
        Kind::MeetingRecords => meeting_record(cells, refs),
        Kind::Plans => {
            let drawn = cells.date("drawn_up_on");
            let situation = cells.text("personal_situation");
            let perspective = cells.text("perspective");
            let agreed = cells.opt_date("agreed_on");
            let (drawn, personal_situation, perspective, agreed) = (drawn?, situation?, perspective?, agreed?);
            let mut steps =
                vec![ready(drawn, CaseCommand::RevisePlan { personal_situation, perspective, on: Some(drawn) })];
            if let Some(on) = agreed {
                steps.push((on, Step::AgreeLatestPlan { on }));
            }
            Some(steps)
        }
        Kind::Goals => {
            let set_on = cells.date("set_on");
            let description = cells.text("description");
            let rationale = cells.opt_text("rationale");
            let responsible = cells.responsible("responsible", Responsible::Participant);
            let deadline = cells.date("deadline");
            let next_steps = cells.opt_text("next_steps");
            let status = match cells.get("status") {
                None => Some(None),
                Some(v) => cells.parse_value("status", v).map(Some),
            };
            let status_on = cells.opt_date("status_on");
            let new_deadline = cells.opt_date("new_deadline");
            let partners: Option<Vec<_>> = list(&cells.get("partners").unwrap_or_default().replace(',', ";"))
                .iter()
                .map(|o| cells.org("partners", o))
                .collect();
            let goal = NewGoal {
                id: GoalId::from_uuid(new_uuid()),
                set_on: Some(set_on?),
                description: description?,
                rationale: rationale?,
                responsible: responsible?,
                partners: partners?,
                deadline: deadline?,
                next_steps: next_steps?,
            };
            let (set_on, status, status_on, new_deadline) = (set_on?, status?, status_on?, new_deadline?);
            let id = goal.id;
            let mut steps = vec![ready(set_on, CaseCommand::SetGoal(goal))];
            if let Some(to) = status {
                let on = status_on.unwrap_or(set_on);
                steps.push(ready(on, CaseCommand::ChangeGoalStatus { goal: id, to, new_deadline, on }));
            }
            Some(steps)
        }
        Kind::Consents => {
            let given_on = cells.date("given_on");
            let organisation = cells.required("organisation").and_then(|v| cells.org("organisation", v));
            let categories: Option<BTreeSet<DataCategory>> = cells.required("categories").and_then(|v| {
                list(&v.replace(',', ";"))
                    .iter()
                    .map(|c| cells.parse_value::<DataCategory>("categories", c))
                    .collect::<Option<BTreeSet<_>>>()
            });
            let purpose = cells.text("purpose");
            let withdrawn_on = cells.opt_date("withdrawn_on");
            let id = ConsentId::from_uuid(new_uuid());
            let (given_on, organisation, categories, purpose, withdrawn_on) =
                (given_on?, organisation?, categories?, purpose?, withdrawn_on?);
            let mut steps =
                vec![ready(given_on, CaseCommand::GiveConsent { id, organisation, categories, purpose, given_on })];
            if let Some(on) = withdrawn_on {
                steps.push(ready(on, CaseCommand::WithdrawConsent { consent: id, on }));
            }
            Some(steps)
        }
        Kind::Referrals => {
            let reference = cells.required("referral")?.to_owned();
            let on = cells.date("on");
            let status: Option<perspectief_core::contact::ReferralStatus> = cells.value("status");
            let (on, status) = (on?, status?);
            let key = (number.to_owned(), reference);
            if status == perspectief_core::contact::ReferralStatus::Proposed {
                let partner = cells.required("partner").and_then(|v| cells.org("partner", v));
                let domain = cells.value("domain");
                let reason = cells.text("reason");
                if refs.referrals.contains_key(&key) {
                    cells.problem("referral", t!("import-reference-twice", value = key.1.clone()));
                    return None;
                }
                let id = ReferralId::from_uuid(new_uuid());
                let cmd = CaseCommand::ProposeReferral {
                    id,
                    partner: partner?,
                    domain: domain?,
                    reason: reason?,
                    on: Some(on),
                };
                refs.referrals.insert(key, id);
                Some(vec![ready(on, cmd)])
            } else {
                let note = cells.opt_text("note")?;
                let Some(&referral) = refs.referrals.get(&key) else {
                    cells.problem("referral", t!("import-unknown-reference", value = key.1.clone()));
                    return None;
                };
                let consent_override = cells.opt_text("override")?;
                let cmd = CaseCommand::AdvanceReferral { referral, to: status, on, note, consent_override };
                Some(vec![ready(on, cmd)])
            }
        }
        Kind::Contacts => {
            let at = cells
                .required("at")
                .and_then(|v| parse_instant(&iso_day_time(v)).map_err(|e| cells.problem("at", e)).ok());
            let kind = cells.value("kind");
            let category = match cells.get("category") {
                None => Some(DataCategory::Guidance),
                Some(v) => cells.parse_value("category", v),
            };
            let duration = match cells.get("duration_minutes") {
                None => Some(None),
                Some(v) => v
                    .parse::<u32>()
                    .map(Some)
                    .map_err(|_| cells.problem("duration_minutes", t!("violation-out_of_range")))
                    .ok(),
            };
            let partner = cells.opt_org("partner");
            let location = location(cells);
            let activities = cells.get("activities").map(|s| list(&s.replace(',', ";"))).unwrap_or_default();
            let summary = cells.get("summary").unwrap_or_default().to_owned();
            let staff: Option<Vec<UserId>> = list(cells.get("staff").unwrap_or_default())
                .iter()
                .map(|u| cells.ctx.user("staff", u).map_err(|e| cells.problem("staff", e.message)).ok())
                .collect();
            let input = LogContactInput {
                at: at?,
                kind: kind?,
                location: location?,
                staff: staff?,
                activities,
                summary,
                category: category?,
                partner: partner?,
                duration_minutes: duration?,
                agreements: Vec::new(),
            };
            let date = amsterdam_date(input.at);
            match super::contact::contact_command(input) {
                Ok((_, cmd)) => Some(vec![ready(date, cmd)]),
                Err(e) => {
                    for p in import_csv::domain_problems(0, &e) {
                        let text = match p.issue {
                            Issue::Violation { code, message } => violation(code.code(), &message),
                            _ => crate::exit::from_domain(e.clone()).message,
                        };
                        cells.problem(&p.column, text);
                    }
                    None
                }
            }
        }
        Kind::Agreements => {
            let made_on = cells.date("made_on");
            let description = cells.text("description");
            let due_on = cells.date("due_on");
            let who_acts = cells.responsible("who_acts", Responsible::Participant);
            let category = match cells.get("category") {
                None => Some(DataCategory::Guidance),
                Some(v) => cells.parse_value("category", v),
            };
            let fulfilled = match cells.get("fulfilled") {
                None => Some(None),
                Some(v) => parse_tristate(v).map(|t| t.0).map_err(|e| cells.problem("fulfilled", e)).ok(),
            };
            let settled_on = cells.opt_date("settled_on");
            let agreement = NewAgreement {
                id: AgreementId::from_uuid(new_uuid()),
                description: description?,
                due_on: due_on?,
                who_acts: who_acts?,
            };
            let (made_on, category, fulfilled, settled_on) = (made_on?, category?, fulfilled?, settled_on?);
            let id = agreement.id;
            let made = match cells.get("contact") {
                Some(reference) => (made_on, Step::InContact { reference: reference.to_owned(), agreement }),
                None => ready(made_on, CaseCommand::AddAgreement { agreement, category, on: Some(made_on) }),
            };
            let mut steps = vec![made];
            if let Some(fulfilled) = fulfilled {
                let on = settled_on.unwrap_or(made_on);
                steps.push(ready(on, CaseCommand::SettleAgreement { agreement: id, fulfilled, on }));
            }
            Some(steps)
        }
        Kind::Return => return_steps(number, cells, refs),
        Kind::Zrm => {
            let assessed_on = cells.date("assessed_on");
            let mut scores = BTreeMap::new();
            for domain in ZrmDomain::ALL {
                let Some(v) = cells.get(domain.as_str()) else { continue };
                match v.trim().parse::<u8>().map_err(|_| ()).and_then(|n| ZrmScore::new(n).map_err(|_| ())) {
                    Ok(score) => {
                        scores.insert(domain, score);
                    }
                    Err(()) => cells.problem(domain.as_str(), t!("violation-out_of_range")),
                }
            }
            let assessed_on = assessed_on?;
            Some(vec![ready(assessed_on, CaseCommand::RecordSelfReliance { assessed_on, scores })])
        }
        Kind::Reports => {
            let period_from = cells.date("period_from");
            let period_to = cells.date("period_to");
            let sent_to = cells.required("sent_to").and_then(|v| cells.org("sent_to", v));
            let sent_on = cells.date("sent_on")?;
            let cmd = CaseCommand::RecordProgressReport {
                id: ReportId::from_uuid(new_uuid()),
                period_from: period_from?,
                period_to: period_to?,
                sent_to: sent_to?,
                sent_on: Some(sent_on),
            };
            Some(vec![ready(sent_on, cmd)])
        }
        Kind::Schedules => {
            let on = cells.date("set_on");
            let every_months = cells.required("every_months").and_then(|v| {
                v.trim().parse::<u32>().map_err(|_| cells.problem("every_months", t!("violation-out_of_range"))).ok()
            });
            Some(vec![ready(on?, CaseCommand::SetReportingSchedule { every_months: every_months? })])
        }
        Kind::Confidentiality => {
            let on = cells.date("set_on");
            let category = cells.value("category");
            let level = cells.value("level");
            let reason = cells.text("reason");
            let cmd = CaseCommand::SetConfidentiality { category: category?, level: level?, reason: reason? };
            Some(vec![ready(on?, cmd)])
        }
        Kind::Phases => {
            let on = cells.date("on");
            let to = cells.value("phase");
            let reason = cells.text("reason");
            let on = on?;
            Some(vec![ready(on, CaseCommand::ChangePhase { to: to?, reason: reason?, on: Some(on) })])
        }
        Kind::Outflows => {
            let on = cells.date("on");
            let outcome = cells.value("outcome");
            let note = cells.opt_text("note");
            Some(vec![ready(on?, CaseCommand::RecordOutflow { outcome: outcome?, on: on?, note: note? })])
        }
    }
}

/// A row of the meeting records file: one command on the meeting of its `meeting` reference,
/// dated on the meeting's day (the termination talk on its own).
fn meeting_record(cells: &mut Cells<'_>, refs: &References) -> Option<Vec<(NaiveDate, Step)>> {
    let reference = cells.required("meeting")?.to_owned();
    let Some(&held) = refs.meetings.get(&reference) else {
        cells.problem("meeting", t!("import-unknown-reference", value = reference));
        return None;
    };
    let record = cells.required("record")?.trim().to_lowercase();
    // Without a participant (an unknown number, reported already) the row's cells are still
    // checked; `nil` stands in.
    let participant = refs.participant.unwrap_or_else(|| ParticipantId::from_uuid(uuid::Uuid::nil()));
    let (date, cmd) = match record.as_str() {
        "agenda" => {
            let reasons: Option<Vec<AgendaReason>> = list(cells.get("reasons").unwrap_or_default())
                .iter()
                .map(|r| super::meeting::agenda_reason(r).map_err(|e| cells.problem("reasons", e.message)).ok())
                .collect();
            (held, MeetingCommand::AddToAgenda { participant, reasons: reasons? })
        }
        "discussed" | "besproken" => {
            let information_supplied = cells.opt_text("information_supplied");
            let decision = cells.opt_text("decision");
            (
                held,
                MeetingCommand::RecordDiscussion {
                    participant,
                    information_supplied: information_supplied?,
                    decision: decision?,
                },
            )
        }
        "advised" | "advies" => {
            let advice = cells.value("advice");
            let reasoning = cells.text("reasoning");
            (held, MeetingCommand::AdviseTermination { participant, advice: advice?, reasoning: reasoning? })
        }
        "decided" | "besluit" => {
            let adopted = cells.required("adopted").and_then(|v| {
                parse_tristate(v).map_err(|e| cells.problem("adopted", e)).ok().and_then(|t| {
                    if t.0.is_none() {
                        cells.problem("adopted", t!("value-not-yes-no", value = v));
                    }
                    t.0
                })
            });
            let note = cells.opt_text("note");
            (
                held,
                MeetingCommand::RecordChainDecision {
                    participant,
                    decision: ChainDecision { adopted: adopted?, note: note? },
                },
            )
        }
        "talk" | "gesprek" => {
            let on = cells.date("on")?;
            (on, MeetingCommand::RecordTerminationTalk { participant, on })
        }
        other => {
            cells.problem("record", t!("violation-unknown-value", value = other));
            return None;
        }
    };
    Some(vec![(date, Step::Meeting { reference, cmd })])
}

/// A moment written day first (`01-03-2026 14:30`) in ISO form; anything else unchanged.
fn iso_day_time(v: &str) -> String {
    let v = v.trim();
    match v.split_once(' ') {
        Some((day, time)) => format!("{} {}", iso_day(day), time.trim()),
        None => iso_day(v).into_owned(),
    }
}

fn location(cells: &mut Cells<'_>) -> Option<LocationInput> {
    let v = cells.get("location").unwrap_or("office");
    let (k, name) = v.split_once(':').map_or((v, None), |(k, n)| (k, Some(n.trim().to_owned())));
    let kind = match k.trim().to_lowercase().as_str() {
        "office" | "kantoor" => LocationKind::Office,
        "remote" => LocationKind::Remote,
        "lvv" | "lvv_location" => LocationKind::LvvLocation,
        "partner" => LocationKind::Partner,
        "external" | "extern" => LocationKind::External,
        _ => {
            cells.problem("location", t!("violation-location", value = v));
            return None;
        }
    };
    Some(LocationInput { kind, name })
}

/// The return track's rows: `record` says which (stance, direction, exploration, obstacle,
/// obstacle_action, judgment, communicated, departure).
fn return_steps(number: &str, cells: &mut Cells<'_>, refs: &mut References) -> Option<Vec<(NaiveDate, Step)>> {
    let record = cells.required("record")?.trim().to_lowercase();
    let on = cells.date("on")?;
    let reference = |cells: &mut Cells<'_>| cells.required("reference").map(|r| (number.to_owned(), r.to_owned()));
    let cmd = match record.as_str() {
        "stance" | "houding" => {
            CaseCommand::RecordReturnStance { stance: cells.value("value")?, on, note: cells.opt_text("text")? }
        }
        "direction" | "richting" => {
            let to = cells.value("value");
            let reasoning = cells.text("text");
            CaseCommand::ChangeDirection { to: to?, on, reasoning: reasoning? }
        }
        "exploration" | "verkenning" => {
            let mut part = |c: &str| cells.opt_text(c);
            let findings = ExplorationFindings {
                motivation: part("motivation")?,
                documents: part("documents")?,
                family_contact: part("family_contact")?,
                prospects: part("prospects")?,
            };
            return Some(vec![(on, Step::Explore { on, findings })]);
        }
        "obstacle" | "belemmering" => {
            let key = reference(cells)?;
            let kind = cells.value("value");
            let description = cells.text("text");
            let partner = cells.opt_org("partner");
            if refs.obstacles.contains_key(&key) {
                cells.problem("reference", t!("import-reference-twice", value = key.1.clone()));
                return None;
            }
            let id = ObstacleId::from_uuid(new_uuid());
            refs.obstacles.insert(key, id);
            CaseCommand::IdentifyObstacle { id, kind: kind?, description: description?, partner: partner?, on }
        }
        "obstacle_action" | "actie" => {
            let key = reference(cells)?;
            let status = cells.value("value");
            let description = cells.text("text");
            let Some(&obstacle) = refs.obstacles.get(&key) else {
                cells.problem("reference", t!("import-unknown-reference", value = key.1.clone()));
                return None;
            };
            CaseCommand::ActOnObstacle { obstacle, description: description?, status: status?, on }
        }
        "judgment" | "oordeel" => {
            let key = reference(cells)?;
            let verdict = cells.value("value");
            let finality = match cells.get("finality") {
                None => Some(perspectief_core::returns::Finality::Provisional),
                Some(v) => cells.parse_value("finality", v),
            };
            let reasoning = cells.text("text");
            if refs.judgments.contains_key(&key) {
                cells.problem("reference", t!("import-reference-twice", value = key.1.clone()));
                return None;
            }
            let id = JudgmentId::from_uuid(new_uuid());
            refs.judgments.insert(key, id);
            CaseCommand::RecordJudgment {
                id,
                verdict: verdict?,
                finality: finality?,
                reasoning: reasoning?,
                formed_on: on,
            }
        }
        "communicated" | "gecommuniceerd" => {
            let key = reference(cells)?;
            let Some(&judgment) = refs.judgments.get(&key) else {
                cells.problem("reference", t!("import-unknown-reference", value = key.1.clone()));
                return None;
            };
            let v = cells.required("value")?;
            let (kind, rest) = v.split_once(':').map_or((v, None), |(k, r)| (k, Some(r)));
            let to = match (kind.trim().to_lowercase().as_str(), rest) {
                ("participant" | "deelnemer", None) => Recipient::Participant,
                ("municipality" | "gemeente", None) => Recipient::Municipality,
                ("partner", Some(o)) => Recipient::Partner(cells.org("value", o)?),
                _ => {
                    cells.problem("value", t!("violation-recipient", value = v));
                    return None;
                }
            };
            let consent_override = cells.opt_text("override")?;
            CaseCommand::RecordJudgmentCommunicated { judgment, to, on, consent_override }
        }
        "reintegration" | "herintegratie" => {
            let mut part = |c: &str| cells.opt_text(c);
            CaseCommand::UpdateReintegrationPlan(ReintegrationPlan {
                housing: part("housing")?,
                income_work: part("income_work")?,
                business_plan: part("business_plan")?,
                care: part("care")?,
                contacts_abroad: part("contacts_abroad")?,
                updated_on: Some(on),
            })
        }
        "departure_step" | "vertrekstap" => {
            let kind = cells.value("value");
            let note = cells.text("text");
            CaseCommand::RecordDepartureStep(DepartureStep { on, kind: kind?, note: note? })
        }
        "rean" => {
            let mut check = |c: &str| match cells.get(c) {
                None => Some(None),
                Some(v) => parse_tristate(v).map(|t| t.0).map_err(|e| cells.problem(c, e)).ok(),
            };
            CaseCommand::UpdateReanChecklist(ReanChecklist {
                no_assisted_return_in_five_years: check("no_assisted_return")?,
                travel_document_obtainable: check("travel_document")?,
                agrees_procedures_end: check("procedures_end")?,
                updated_on: Some(on),
            })
        }
        "consequences" | "gevolgen" => {
            let key = reference(cells)?;
            let Some(&judgment) = refs.judgments.get(&key) else {
                cells.problem("reference", t!("import-unknown-reference", value = key.1.clone()));
                return None;
            };
            CaseCommand::RecordConsequencesExplained { judgment, on }
        }
        "departure" | "vertrek" => {
            let accompany = match cells.get("value") {
                None => false,
                Some(v) => parse_tristate(v).map_err(|e| cells.problem("value", e)).ok()?.0.unwrap_or(false),
            };
            CaseCommand::PlanDeparture { on: Some(on), accompany_to_schiphol: accompany }
        }
        _ => {
            cells.problem("record", t!("import-unknown-record", value = record.clone(), known = RETURN_RECORDS));
            return None;
        }
    };
    Some(vec![(on, Step::Ready(cmd))])
}

const RETURN_RECORDS: &str = "stance, direction, exploration, obstacle, obstacle_action, judgment, communicated, \
     consequences, reintegration, departure_step, rean, departure";

/// The files named: a directory's files of known names, or the files themselves.
fn files_of(paths: &[PathBuf]) -> Result<Vec<(Kind, PathBuf)>> {
    let mut found = Vec::new();
    let known = || Kind::ALL.iter().map(|k| format!("{}.csv", k.as_str())).collect::<Vec<_>>().join(", ");
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| Failure::io(path, &e))?;
            let mut names: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            names.sort();
            for file in names {
                let csv = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
                if let (true, Some(kind)) = (csv, Kind::of(&file)) {
                    found.push((kind, file));
                }
            }
        } else {
            let kind = Kind::of(path).ok_or_else(|| {
                Failure::new(VALIDATION, t!("import-unknown-file", path = path.display(), known = known()))
            })?;
            found.push((kind, path.clone()));
        }
    }
    let mut kinds = BTreeSet::new();
    for (kind, path) in &found {
        if !kinds.insert(*kind) {
            return Err(Failure::new(VALIDATION, t!("import-file-twice", path = path.display())));
        }
    }
    if found.is_empty() {
        return Err(Failure::new(VALIDATION, t!("import-no-files", known = known())));
    }
    found.sort_by_key(|(k, _)| *k);
    Ok(found)
}

/// A row's stable key: its kind, participant number and cells (by column, so the columns'
/// order does not matter), and how many identical rows came before it in the file.
fn row_key(kind: Kind, number: &str, cells: &BTreeMap<&str, &str>, seen: &mut BTreeMap<String, usize>) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_str().as_bytes());
    h.update([0]);
    h.update(number.as_bytes());
    for (column, value) in cells {
        h.update([0x1e]);
        h.update(column.as_bytes());
        h.update([0x1f]);
        h.update(value.as_bytes());
    }
    let content: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let n = seen.entry(content.clone()).or_default();
    *n += 1;
    let mut h = Sha256::new();
    h.update(content.as_bytes());
    h.update(n.to_string().as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

pub async fn history(store: &Store, ctx: &Ctx, args: HistoryArgs) -> Result<()> {
    let mut files = Vec::new();
    for (kind, path) in files_of(&args.paths)? {
        let sheet = super::import::read(&path, args.encoding)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        files.push(File { kind, name, sheet });
    }
    let mut problems: Vec<Problem> = Vec::new();
    let at = |file: &File, row: usize, column: &str, problem: String| Problem {
        file: file.name.clone(),
        row,
        column: column.to_owned(),
        problem,
    };
    // The columns first: a file whose header is wrong is not read further.
    let mut readable = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let (known, required): (&'static [&'static str], &[&str]) = match file.kind {
            Kind::Participants => (&PARTICIPANT_FILE_COLUMNS, file.kind.required()),
            other => (other.columns(), other.required()),
        };
        let mut header = import_csv::check_headers(&file.sheet.headers, known, required);
        header.extend(import_csv::shape_problems(&file.sheet));
        let refused_header = header.iter().any(|p| p.row == 1);
        for p in header {
            problems.push(at(file, p.row, &p.column, super::import::render_issue(p.issue)));
        }
        if !refused_header {
            readable.push(i);
        }
    }
    let misshapen: BTreeSet<(usize, usize)> = problems
        .iter()
        .filter(|p| p.row > 1)
        .filter_map(|p| files.iter().position(|f| f.name == p.file).map(|f| (f, p.row)))
        .collect();

    let caller = &ctx.caller;
    // Every row's key; the rows imported before are named and not checked further.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut row_keys: BTreeMap<(usize, usize), String> = BTreeMap::new();
    for &fi in &readable {
        let file = &files[fi];
        for (i, record) in file.sheet.rows.iter().enumerate() {
            let c = cells(&file.sheet.headers, record);
            let number = c.get(NUMBER).copied().unwrap_or_default();
            row_keys.insert((fi, i + 2), row_key(file.kind, number, &c, &mut seen));
        }
    }
    let before: BTreeSet<String> = store
        .imported_before(caller, row_keys.values().cloned().collect())
        .await
        .map_err(crate::exit::from_domain)?
        .into_iter()
        .collect();
    let mut skipped = misshapen;
    for ((fi, row), key) in &row_keys {
        if before.contains(key) {
            problems.push(at(&files[*fi], *row, "", t!("import-row-imported-before")));
            skipped.insert((*fi, *row));
        }
    }
    let misshapen = skipped;
    let known: BTreeMap<String, ParticipantId> =
        store.participant_numbers(caller).await.map_err(crate::exit::from_domain)?.into_iter().collect();
    let directory = &ctx.directory(store).await?;
    let context = CommandContext::at(ctx.me(), now());

    // The participants file: new participants by number.
    let mut registrations: BTreeMap<String, (Origin, RegisterParticipant)> = BTreeMap::new();
    let mut keys: Vec<(Origin, RowKey)> = Vec::new();
    if let Some(&fi) = readable.iter().find(|&&i| files[i].kind == Kind::Participants) {
        let file = &files[fi];
        let number_column = file.sheet.headers.iter().position(|h| import_csv::canonical(h) == NUMBER);
        let mut sub = file.sheet.clone();
        if let Some(n) = number_column {
            sub.headers.remove(n);
            for r in &mut sub.rows {
                *r = r.iter().enumerate().filter(|(i, _)| *i != n).map(|(_, v)| v).collect();
            }
        }
        let mut new_id = || ParticipantId::from_uuid(new_uuid());
        let mut env = ParticipantImport {
            me: ctx.me(),
            today: today(),
            context: &context,
            parse_date: &|v: &str| parse_date(&iso_day(v)),
            new_id: &mut new_id,
        };
        match import_csv::check_participants(&sub, &mut env) {
            Err(header) => {
                for p in header {
                    problems.push(at(file, p.row, &p.column, super::import::render_issue(p.issue)));
                }
            }
            Ok(checked) => {
                for p in checked.problems {
                    if !misshapen.contains(&(fi, p.row)) {
                        problems.push(at(file, p.row, &p.column, super::import::render_issue(p.issue)));
                    }
                }
                for (row, cmd) in checked.valid {
                    if misshapen.contains(&(fi, row)) {
                        continue;
                    }
                    let record = &file.sheet.rows[row - 2];
                    let c = cells(&file.sheet.headers, record);
                    let Some(number) = c.get(NUMBER).map(|s| (*s).to_owned()) else {
                        problems.push(at(file, row, NUMBER, t!("import-missing-value")));
                        continue;
                    };
                    if known.contains_key(&number) {
                        problems.push(at(file, row, NUMBER, t!("import-number-known", value = number.clone())));
                        continue;
                    }
                    if registrations.contains_key(&number) {
                        problems.push(at(file, row, NUMBER, t!("import-number-twice", value = number.clone())));
                        continue;
                    }
                    let origin = Origin { file: fi, row };
                    let key = row_keys.get(&(fi, row)).cloned().unwrap_or_default();
                    keys.push((origin, RowKey { key, kind: "participants".to_owned(), participant: Some(cmd.id) }));
                    registrations.insert(number, (origin, cmd));
                }
            }
        }
    }
    let participant_of = |number: &str| -> Option<ParticipantId> {
        registrations.get(number).map(|(_, c)| c.id).or_else(|| known.get(number).copied())
    };

    // The meetings file: each meeting by the file's own reference, scheduled on a copy.
    let mut refs = References::default();
    let mut meetings: BTreeMap<String, (Origin, ChainMeeting)> = BTreeMap::new();
    if let Some(&fi) = readable.iter().find(|&&i| files[i].kind == Kind::Meetings) {
        let file = &files[fi];
        for (i, record) in file.sheet.rows.iter().enumerate() {
            let row = i + 2;
            if misshapen.contains(&(fi, row)) {
                continue;
            }
            let mut cells = Cells { c: cells(&file.sheet.headers, record), problems: Vec::new(), directory, ctx };
            let reference = cells.required("meeting").map(str::to_owned);
            let date = cells.date("date");
            for (column, text) in std::mem::take(&mut cells.problems) {
                problems.push(at(file, row, &column, text));
            }
            let (Some(reference), Some(date)) = (reference, date) else { continue };
            if meetings.contains_key(&reference) {
                problems.push(at(file, row, "meeting", t!("import-reference-twice", value = reference)));
                continue;
            }
            let (meeting, _) =
                ChainMeeting::schedule(perspectief_core::MeetingId::from_uuid(new_uuid()), date, &context);
            let origin = Origin { file: fi, row };
            let key = row_keys.get(&(fi, row)).cloned().unwrap_or_default();
            keys.push((origin, RowKey { key, kind: "meetings".to_owned(), participant: None }));
            refs.meetings.insert(reference.clone(), date);
            meetings.insert(reference, (origin, meeting));
        }
    }

    // The other files: each row's steps, dated.
    let mut planned: Vec<Planned> = Vec::new();
    // The contacts file's own references, to the step of their contact (agreements made in it).
    let mut contacts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for &fi in &readable {
        let file = &files[fi];
        if matches!(file.kind, Kind::Participants | Kind::Sessions | Kind::Attendance | Kind::Meetings) {
            continue;
        }
        for (i, record) in file.sheet.rows.iter().enumerate() {
            let row = i + 2;
            if misshapen.contains(&(fi, row)) {
                continue;
            }
            let c = cells(&file.sheet.headers, record);
            let number = c.get(NUMBER).map(|s| (*s).to_owned()).unwrap_or_default();
            let participant = participant_of(&number);
            let mut row_cells = Cells { c: c.clone(), problems: Vec::new(), directory, ctx };
            if participant.is_none() {
                row_cells.problem(NUMBER, t!("import-unknown-number", value = number.clone()));
            }
            refs.participant = participant;
            let steps = row_steps(file.kind, &number, &mut row_cells, &mut refs);
            for (column, text) in row_cells.problems {
                problems.push(at(file, row, &column, text));
            }
            if let (Some(steps), Some(participant)) = (steps, participant) {
                let origin = Origin { file: fi, row };
                if file.kind == Kind::Contacts
                    && let Some(reference) = c.get("contact")
                {
                    let key = (number.clone(), (*reference).to_owned());
                    if contacts.insert(key, planned.len()).is_some() {
                        problems.push(at(file, row, "contact", t!("import-reference-twice", value = *reference)));
                    }
                }
                let mut attached = false;
                let mut steps = steps;
                if let Some((_, Step::InContact { .. })) = steps.first() {
                    let (_, Step::InContact { reference, agreement }) = steps.remove(0) else { unreachable!() };
                    match contacts.get(&(number.clone(), reference.clone())).map(|&i| &mut planned[i].step) {
                        Some(Step::Ready(CaseCommand::LogContact(contact))) => {
                            contact.agreements.push(agreement);
                            attached = true;
                        }
                        _ => problems.push(at(file, row, "contact", t!("import-unknown-reference", value = reference))),
                    }
                    if !attached {
                        continue;
                    }
                }
                let key = row_keys.get(&(fi, row)).cloned().unwrap_or_default();
                keys.push((
                    origin,
                    RowKey { key, kind: file.kind.as_str().to_owned(), participant: Some(participant) },
                ));
                for (date, step) in steps {
                    planned.push(Planned { number: number.clone(), date, kind: file.kind, origin, step });
                }
            }
        }
    }

    // Every participant's steps in effective-date order, on a copy of the case: the core's
    // rules, as the store will apply them.
    planned.sort_by(|a, b| (&a.number, a.date, a.kind, a.origin.row).cmp(&(&b.number, b.date, b.kind, b.origin.row)));
    let mut cases: BTreeMap<String, Case> = BTreeMap::new();
    for (number, (origin, cmd)) in &registrations {
        match Case::register(cmd.clone(), &context) {
            Ok((case, _)) => {
                cases.insert(number.clone(), case);
            }
            Err(e) => problems.extend(refusal(&files[origin.file], origin.row, &e)),
        }
    }
    let mut steps_of: BTreeMap<String, Vec<(usize, CaseCommand)>> = BTreeMap::new();
    let mut chain_of: BTreeMap<String, Vec<ImportedChainStep>> = BTreeMap::new();
    let mut origins: Vec<Origin> = Vec::new();
    for p in planned {
        if !cases.contains_key(&p.number) {
            let Some(id) = known.get(&p.number) else { continue };
            let case = store.get_case(caller, *id).await.map_err(crate::exit::from_domain)?;
            cases.insert(p.number.clone(), case);
        }
        let Some(case) = cases.get_mut(&p.number) else { continue };
        let cmd = match p.step {
            Step::Ready(cmd) => cmd,
            Step::AgreeLatestPlan { on } => {
                let revision = case.plan_revisions().last().map_or(0, |r| r.number);
                CaseCommand::AgreePlan { revision, on }
            }
            Step::InContact { .. } => continue,
            Step::Meeting { reference, cmd } => {
                let Some((_, meeting)) = meetings.get_mut(&reference) else { continue };
                // As the service runs it: on the meeting, and what it brings on the case; a
                // participant not on the meeting yet is put on its agenda first.
                let participant = case.id();
                let mut cmds = Vec::new();
                if cmd.adds_participant().is_none() && !meeting.items().any(|i| i.participant == participant) {
                    cmds.push(MeetingCommand::AddToAgenda { participant, reasons: Vec::new() });
                }
                cmds.push(cmd);
                let (mut m, mut c) = (meeting.clone(), case.clone());
                let tried: std::result::Result<(), DomainError> = cmds.iter().try_for_each(|cmd| {
                    m.execute(cmd.clone(), &context)?;
                    if let Some((_, records)) = m.case_records(cmd) {
                        c.record_chain_meeting(records, &context)?;
                    }
                    Ok(())
                });
                match tried {
                    Ok(()) => {
                        *meeting = m;
                        *case = c;
                        let before = steps_of.get(&p.number).map_or(0, Vec::len);
                        let id = meeting.id();
                        for command in cmds {
                            chain_of.entry(p.number.clone()).or_default().push(ImportedChainStep {
                                before,
                                step: origins.len(),
                                meeting: id,
                                command,
                            });
                            origins.push(p.origin);
                        }
                    }
                    Err(e) => problems.extend(refusal(&files[p.origin.file], p.origin.row, &e)),
                }
                continue;
            }
            Step::Explore { on, findings } => {
                if case.return_exploration().is_some() {
                    CaseCommand::UpdateReturnExploration { findings, on: Some(on) }
                } else {
                    CaseCommand::StartReturnExploration { on, findings }
                }
            }
        };
        let mut trial = case.clone();
        match trial.execute(cmd.clone(), &context) {
            Ok(_) => {
                *case = trial;
                steps_of.entry(p.number.clone()).or_default().push((origins.len(), cmd));
                origins.push(p.origin);
            }
            Err(e) => problems.extend(refusal(&files[p.origin.file], p.origin.row, &e)),
        }
    }
    // Information sessions, then who attended them: after every participant.
    let sessions = check_sessions(
        &files,
        &readable,
        &misshapen,
        &SessionEnv { ctx, directory, context: &context, participant_of: &participant_of },
        &row_keys,
        &mut keys,
        &mut problems,
    );
    problems.sort_by(|a, b| (&a.file, a.row).cmp(&(&b.file, b.row)));
    if !problems.is_empty() {
        return refuse(ctx, problems);
    }

    let rows = keys.len();
    let mut import = HistoryImport::default();
    for (origin, meeting) in meetings.into_values() {
        import.meetings.push(ImportedMeeting { step: origins.len(), id: meeting.id(), date: meeting.date() });
        origins.push(origin);
    }
    for (number, (origin, cmd)) in registrations {
        let step = origins.len();
        origins.push(origin);
        let participant = cmd.id;
        let steps = steps_of.remove(&number).unwrap_or_default();
        let chain = chain_of.remove(&number).unwrap_or_default();
        import.participants.push(ImportedParticipant {
            number,
            participant,
            registration: Some((step, cmd)),
            steps,
            chain,
        });
    }
    for number in steps_of.keys().chain(chain_of.keys()).cloned().collect::<BTreeSet<String>>() {
        let Some(&participant) = known.get(&number) else { continue };
        let steps = steps_of.remove(&number).unwrap_or_default();
        let chain = chain_of.remove(&number).unwrap_or_default();
        import.participants.push(ImportedParticipant { number, participant, registration: None, steps, chain });
    }
    for (plan_origin, plan, steps) in sessions {
        let plan_step = origins.len();
        origins.push(plan_origin);
        let steps = steps
            .into_iter()
            .map(|(origin, cmd)| {
                origins.push(origin);
                (origins.len() - 1, cmd)
            })
            .collect();
        import.sessions.push(ImportedSession { plan: (plan_step, plan), steps });
    }
    let key_origins: Vec<Origin> = keys.iter().map(|(o, _)| *o).collect();
    import.rows = keys.into_iter().map(|(_, k)| k).collect();
    let registered = import.participants.iter().filter(|p| p.registration.is_some()).count();
    if args.dry_run {
        let value = json!({ "imported": 0, "dry_run": true, "rows": rows, "participants": registered });
        return output::done(ctx.format, &t!("import-history-checked", rows = rows, participants = registered), value);
    }
    let row_keys = import.rows.clone();
    match store.import_history(caller, import).await {
        Ok(summary) => {
            let value = json!({
                "imported": rows,
                "dry_run": false,
                "participants": summary.registered,
                "commands": summary.executed,
            });
            output::done(ctx.format, &t!("import-history-done", rows = rows, participants = summary.registered), value)
        }
        Err(ImportError::AlreadyImported { keys }) => {
            let keys: BTreeSet<String> = keys.into_iter().collect();
            let problems = row_keys
                .iter()
                .zip(&key_origins)
                .filter(|(k, _)| keys.contains(&k.key))
                .map(|(_, o)| Problem {
                    file: files[o.file].name.clone(),
                    row: o.row,
                    column: String::new(),
                    problem: t!("import-row-imported-before"),
                })
                .collect();
            refuse(ctx, problems)
        }
        Err(ImportError::Refused { step: Some(step), error }) if step < origins.len() => {
            let o = origins[step];
            refuse(ctx, refusal(&files[o.file], o.row, &error))
        }
        Err(ImportError::Refused { error, .. }) => Err(crate::exit::from_domain(error)),
    }
}

/// What checking sessions needs from the run.
struct SessionEnv<'a> {
    ctx: &'a Ctx,
    directory: &'a Directory,
    context: &'a CommandContext,
    participant_of: &'a dyn Fn(&str) -> Option<ParticipantId>,
}

/// A session checked: where its planning comes from, the planning, and its commands.
type CheckedSession = (Origin, PlanSession, Vec<(Origin, SessionCommand)>);

/// The sessions file (one session per row, by the file's own `session` reference) and the
/// attendance file (one participant at one session per row), checked on the core: planned,
/// then the attendance and the head count of those not registered.
fn check_sessions(
    files: &[File],
    readable: &[usize],
    skipped: &BTreeSet<(usize, usize)>,
    env: &SessionEnv<'_>,
    row_keys: &BTreeMap<(usize, usize), String>,
    keys: &mut Vec<(Origin, RowKey)>,
    problems: &mut Vec<Problem>,
) -> Vec<CheckedSession> {
    let of_kind = |kind: Kind| readable.iter().copied().find(|&i| files[i].kind == kind);
    let key_of = |fi: usize, row: usize| row_keys.get(&(fi, row)).cloned().unwrap_or_default();
    let mut out: Vec<CheckedSession> = Vec::new();
    let mut checked: BTreeMap<String, (usize, InformationSession)> = BTreeMap::new();
    if let Some(fi) = of_kind(Kind::Sessions) {
        let file = &files[fi];
        for (i, record) in file.sheet.rows.iter().enumerate() {
            let row = i + 2;
            if skipped.contains(&(fi, row)) {
                continue;
            }
            let c = cells(&file.sheet.headers, record);
            let mut cells = Cells { c, problems: Vec::new(), directory: env.directory, ctx: env.ctx };
            let reference = cells.required("session").map(str::to_owned);
            let date = cells.date("date");
            let topic = match (cells.get("theme"), cells.get("country")) {
                (Some(theme), None) => Label::parse(theme)
                    .map(SessionTopic::Theme)
                    .map_err(|e| cells.problem("theme", violation(e.code.code(), &e.message)))
                    .ok(),
                (None, Some(country)) => CountryCode::parse(country)
                    .map(SessionTopic::Country)
                    .map_err(|e| cells.problem("country", violation(e.code.code(), &e.message)))
                    .ok(),
                _ => {
                    cells.problem("theme", t!("import-theme-or-country"));
                    None
                }
            };
            let venue = cells.required("venue").and_then(|v| {
                Label::parse(v).map_err(|e| cells.problem("venue", violation(e.code.code(), &e.message))).ok()
            });
            let languages: Option<BTreeSet<LanguageCode>> = cells.required("languages").and_then(|v| {
                list(&v.replace(',', ";"))
                    .iter()
                    .map(|l| {
                        LanguageCode::parse(l)
                            .map_err(|e| cells.problem("languages", violation(e.code.code(), &e.message)))
                            .ok()
                    })
                    .collect()
            });
            let partner = cells.opt_org("partner");
            let facilitators: Option<BTreeSet<UserId>> = list(cells.get("facilitators").unwrap_or_default())
                .iter()
                .map(|u| env.ctx.user("facilitators", u).map_err(|e| cells.problem("facilitators", e.message)).ok())
                .collect();
            let unregistered = match cells.get("unregistered") {
                None => Some(None),
                Some(v) => v
                    .parse::<u32>()
                    .map(Some)
                    .map_err(|_| cells.problem("unregistered", t!("violation-out_of_range")))
                    .ok(),
            };
            let fields = (reference, date, topic, venue, languages, partner, facilitators, unregistered);
            let mut report = |column: String, text: String| {
                problems.push(Problem { file: file.name.clone(), row, column, problem: text })
            };
            for (column, text) in std::mem::take(&mut cells.problems) {
                report(column, text);
            }
            let (
                Some(reference),
                Some(date),
                Some(topic),
                Some(venue),
                Some(languages),
                Some(partner),
                Some(facilitators),
                Some(unregistered),
            ) = fields
            else {
                continue;
            };
            if checked.contains_key(&reference) {
                report("session".to_owned(), t!("import-reference-twice", value = reference));
                continue;
            }
            let plan = PlanSession {
                id: perspectief_core::SessionId::from_uuid(new_uuid()),
                date,
                topic,
                venue,
                languages,
                facilitators,
                partner,
            };
            let origin = Origin { file: fi, row };
            match InformationSession::plan(plan.clone(), env.context) {
                Ok((mut session, _)) => {
                    let mut steps = Vec::new();
                    if let Some(count) = unregistered {
                        let cmd = SessionCommand::SetUnregisteredHeadCount { count };
                        match session.execute(cmd.clone(), env.context) {
                            Ok(_) => steps.push((origin, cmd)),
                            Err(e) => problems.extend(refusal(file, row, &e)),
                        }
                    }
                    keys.push((
                        origin,
                        RowKey { key: key_of(fi, row), kind: "sessions".to_owned(), participant: None },
                    ));
                    checked.insert(reference, (out.len(), session));
                    out.push((origin, plan, steps));
                }
                Err(e) => problems.extend(refusal(file, row, &e)),
            }
        }
    }
    if let Some(fi) = of_kind(Kind::Attendance) {
        let file = &files[fi];
        for (i, record) in file.sheet.rows.iter().enumerate() {
            let row = i + 2;
            if skipped.contains(&(fi, row)) {
                continue;
            }
            let c = cells(&file.sheet.headers, record);
            let reference = c.get("session").copied().unwrap_or_default();
            let number = c.get(NUMBER).copied().unwrap_or_default();
            let mut report = |column: &str, text: String| {
                problems.push(Problem { file: file.name.clone(), row, column: column.to_owned(), problem: text })
            };
            let participant = (env.participant_of)(number);
            if participant.is_none() {
                report(NUMBER, t!("import-unknown-number", value = number));
            }
            let Some((index, session)) = checked.get_mut(reference) else {
                report("session", t!("import-unknown-reference", value = reference));
                continue;
            };
            let Some(participant) = participant else { continue };
            let cmd = SessionCommand::RegisterAttendance { participant };
            let mut trial = session.clone();
            match trial.execute(cmd.clone(), env.context) {
                Ok(_) => {
                    *session = trial;
                    let origin = Origin { file: fi, row };
                    out[*index].2.push((origin, cmd));
                    keys.push((
                        origin,
                        RowKey { key: key_of(fi, row), kind: "attendance".to_owned(), participant: Some(participant) },
                    ));
                }
                Err(e) => problems.extend(refusal(file, row, &e)),
            }
        }
    }
    out
}

/// The participants file's columns: those of `import participants` and the number.
pub fn participant_file_columns() -> &'static [&'static str] {
    &PARTICIPANT_FILE_COLUMNS
}

const PARTICIPANT_FILE_COLUMNS: [&str; import_csv::PARTICIPANT_COLUMNS.len() + 1] = {
    let mut columns = [NUMBER; import_csv::PARTICIPANT_COLUMNS.len() + 1];
    let mut i = 0;
    while i < import_csv::PARTICIPANT_COLUMNS.len() {
        columns[i + 1] = import_csv::PARTICIPANT_COLUMNS[i];
        i += 1;
    }
    columns
};

/// The core's refusal of a row, one problem per field it names.
fn refusal(file: &File, row: usize, e: &DomainError) -> Vec<Problem> {
    import_csv::domain_problems(row, e)
        .into_iter()
        .map(|p| Problem {
            file: file.name.clone(),
            row,
            column: p.column,
            problem: super::import::render_issue(p.issue),
        })
        .collect()
}

/// Nothing imported: the problems on stderr (and in JSON), exit 65.
fn refuse(ctx: &Ctx, problems: Vec<Problem>) -> Result<()> {
    let mut text = t!("import-problems", count = problems.len());
    text.push('\n');
    for p in &problems {
        let column =
            if p.column.is_empty() { String::new() } else { format!(", {} {}", t!("import-column"), p.column) };
        text.push_str(&format!("  {}, {} {}{column}: {}\n", p.file, t!("import-row"), p.row, p.problem));
    }
    if ctx.format == crate::cli::OutputFormat::Json {
        let value = json!({
            "imported": 0,
            "rejected": problems
                .iter()
                .map(|p| json!({"file": p.file, "row": p.row, "column": p.column, "problem": p.problem}))
                .collect::<Vec<_>>(),
        });
        output::print(&format!("{value}\n"))?;
    }
    output::note(text.trim_end());
    Err(Failure::new(VALIDATION, t!("import-history-refused")))
}
