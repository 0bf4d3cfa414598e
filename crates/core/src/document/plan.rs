//! "My perspective plan": the current plan for the participant, in their language.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{OrganisationId, ParticipantId, UserId};
use crate::outflow::ZrmAssessment;
use crate::participant::ParticipantProfile;
use crate::plan::{AgreementStatus, Direction, GoalStatus, Responsible};
use crate::report::render::escape_html;
use crate::report::zrm::{svg_zrm_domain, zrm_series};
use crate::view::CaseView;

use super::{DocumentLanguage, DocumentVersion, Messages, facts, free_block, free_inline, page, rights, table};

/// How far ahead "Coming up" looks, in days.
pub const UPCOMING_DAYS: i64 = 42;

/// Whom the participant contacts: the foundation (from the organisations register) and their
/// project worker (from the staff directory).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentContact {
    /// The foundation's name.
    pub organisation: Option<String>,
    /// The project worker's name.
    pub project_worker: Option<String>,
    /// The foundation's telephone number.
    pub phone: Option<String>,
    /// The foundation's e-mail address.
    pub email: Option<String>,
    /// The foundation's address.
    pub address: Option<String>,
}

/// Names of the staff and organisations a plan mentions (who does what); without a name the
/// page says "your project worker" or "a partner organisation".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentNames {
    /// Staff by id.
    pub staff: BTreeMap<UserId, String>,
    /// Organisations by id.
    pub organisations: BTreeMap<OrganisationId, String>,
}

/// A goal as the participant reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentGoal {
    /// What (as staff wrote it).
    pub description: String,
    /// The deadline.
    pub deadline: NaiveDate,
    /// Who is responsible.
    pub who: Responsible,
    /// Its status.
    pub status: GoalStatus,
    /// Next steps (as staff wrote them).
    pub next_steps: Option<String>,
}

/// An open agreement as the participant reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentAgreement {
    /// What (as staff wrote it).
    pub description: String,
    /// By when.
    pub due_on: NaiveDate,
    /// Who must act.
    pub who: Responsible,
}

/// What a dated item ahead is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpcomingKind {
    /// A goal's deadline.
    Goal,
    /// An agreement's due date.
    Agreement,
}

/// A dated item in the coming weeks: a goal's deadline or an agreement's due date.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Upcoming {
    /// The day.
    pub on: NaiveDate,
    /// What kind.
    pub kind: UpcomingKind,
    /// What (as staff wrote it).
    pub description: String,
}

/// The participant's plan as of a day, from what the printing reader may see of the case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanDocument {
    /// The participant.
    pub participant: ParticipantId,
    /// Their name.
    pub name: Option<String>,
    /// The day it is printed.
    pub printed_on: NaiveDate,
    /// The current plan revision.
    pub revision: Option<u32>,
    /// The plan's direction now.
    pub direction: Option<Direction>,
    /// The personal situation (as staff wrote it).
    pub situation: Option<String>,
    /// The perspective and steps (as staff wrote them).
    pub perspective: Option<String>,
    /// When the participant agreed to the current revision.
    pub agreed_on: Option<NaiveDate>,
    /// Goals, by deadline (dropped goals left out).
    pub goals: Vec<DocumentGoal>,
    /// Open agreements, by due date.
    pub agreements: Vec<DocumentAgreement>,
    /// Deadlines and due dates in the next [`UPCOMING_DAYS`] days.
    pub upcoming: Vec<Upcoming>,
    /// The trajectory's start.
    pub registered_on: Option<NaiveDate>,
    /// The trajectory's last day.
    pub limit_on: Option<NaiveDate>,
    /// Self-reliance assessments, oldest first.
    pub self_reliance: Vec<ZrmAssessment>,
    /// Whom to contact.
    pub contact: DocumentContact,
}

pub(super) const USED: &[&str] = &[
    "plan-title",
    "plan-intro",
    "plan-for",
    "plan-printed",
    "plan-version",
    "plan-agreed",
    "plan-not-agreed",
    "plan-none",
    "free-text-note",
    "heading-direction",
    "heading-situation",
    "heading-perspective",
    "heading-goals",
    "heading-agreements",
    "heading-upcoming",
    "heading-trajectory",
    "heading-contact",
    "heading-self-reliance",
    "heading-consent",
    "heading-file",
    "heading-complaint",
    "direction-undecided",
    "direction-legal",
    "direction-return",
    "direction-third-country",
    "label-goal",
    "label-deadline",
    "label-who",
    "label-status",
    "label-next-steps",
    "label-agreement",
    "label-due",
    "label-date",
    "label-what",
    "label-registered",
    "label-end",
    "label-days-left",
    "label-project-worker",
    "label-organisation",
    "label-phone",
    "label-email",
    "label-address",
    "nothing-recorded",
    "who-you",
    "who-project-worker",
    "who-partner",
    "goal-open",
    "goal-in-progress",
    "goal-achieved",
    "goal-missed",
    "goal-dropped",
    "agreement-open",
    "upcoming-goal",
    "upcoming-agreement",
    "trajectory-text",
    "zrm-intro",
    "zrm-none",
    "rights-consent",
    "rights-file",
    "rights-complaint",
];

const fn direction_id(d: Direction) -> &'static str {
    match d {
        Direction::Undecided => "direction-undecided",
        Direction::LegalProcedureNl => "direction-legal",
        Direction::ReturnToOrigin => "direction-return",
        Direction::ThirdCountry => "direction-third-country",
    }
}

const fn goal_status_id(s: GoalStatus) -> &'static str {
    match s {
        GoalStatus::Open => "goal-open",
        GoalStatus::InProgress => "goal-in-progress",
        GoalStatus::Achieved => "goal-achieved",
        GoalStatus::Missed => "goal-missed",
        GoalStatus::Dropped => "goal-dropped",
    }
}

impl PlanDocument {
    /// The plan as of `today` from the reader's view of the case (so it never shows more than
    /// the case file would): the latest revision, goals that are not dropped, open agreements
    /// whose content the reader may read, deadlines in the coming weeks, the trajectory's dates
    /// and the self-reliance scores.
    pub fn from_view(view: &CaseView, today: NaiveDate, contact: DocumentContact) -> PlanDocument {
        let latest = view.plan.last();
        let mut goals: Vec<DocumentGoal> = view
            .goals
            .values()
            .filter(|g| g.status != GoalStatus::Dropped)
            .map(|g| DocumentGoal {
                description: g.description.to_string(),
                deadline: g.deadline,
                who: g.responsible,
                status: g.status,
                next_steps: g.next_steps.as_ref().map(ToString::to_string),
            })
            .collect();
        goals.sort_by(|a, b| (a.deadline, &a.description).cmp(&(b.deadline, &b.description)));
        let mut agreements: Vec<DocumentAgreement> = view
            .agreements
            .values()
            .filter(|(a, category)| a.status == AgreementStatus::Open && !view.hidden.contains(category))
            .map(|(a, _)| DocumentAgreement {
                description: a.description.to_string(),
                due_on: a.due_on,
                who: a.who_acts,
            })
            .collect();
        agreements.sort_by(|a, b| (a.due_on, &a.description).cmp(&(b.due_on, &b.description)));
        let ahead = |d: NaiveDate| d >= today && (d - today).num_days() <= UPCOMING_DAYS;
        let mut upcoming: Vec<Upcoming> = goals
            .iter()
            .filter(|g| g.status.is_active() && ahead(g.deadline))
            .map(|g| Upcoming { on: g.deadline, kind: UpcomingKind::Goal, description: g.description.clone() })
            .chain(agreements.iter().filter(|a| ahead(a.due_on)).map(|a| Upcoming {
                on: a.due_on,
                kind: UpcomingKind::Agreement,
                description: a.description.clone(),
            }))
            .collect();
        upcoming.sort();
        let mut self_reliance = view.self_reliance.clone();
        self_reliance.sort_by_key(|a| a.assessed_on);
        PlanDocument {
            participant: view.id,
            name: view.profile.as_ref().map(ParticipantProfile::display_name),
            printed_on: today,
            revision: latest.map(|r| r.number),
            direction: view.trajectory.as_ref().map(|t| t.direction),
            situation: latest.map(|r| r.personal_situation.to_string()),
            perspective: latest.map(|r| r.perspective.to_string()),
            agreed_on: latest.and_then(|r| r.agreed_on),
            goals,
            agreements,
            upcoming,
            registered_on: view.trajectory.as_ref().map(|t| t.registered_on),
            limit_on: view.trajectory.as_ref().map(|t| t.dates().limit()),
            self_reliance,
            contact,
        }
    }

    /// The version a handover records: the plan's revision (`None` without a plan).
    pub fn version(&self) -> Option<DocumentVersion> {
        self.revision.and_then(|r| DocumentVersion::parse(&r.to_string()).ok())
    }

    /// The page in `language`: printable A4 HTML, right to left for Arabic and Dari/Farsi,
    /// every fixed text from the language's file and every text staff wrote escaped and
    /// isolated.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use perspectief_core::document::{DocumentContact, DocumentLanguage, DocumentNames, PlanDocument};
    /// use perspectief_core::view::CaseView;
    /// use perspectief_core::*;
    ///
    /// let worker = UserId::from_u128(1);
    /// let ctx = CommandContext::at(worker, Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap());
    /// let input = input::RegisterParticipantInput { given_names: "Amanuel".into(), ..Default::default() };
    /// let (mut case, _) = Case::register(input.into_command(ParticipantId::from_u128(7), worker, ctx.today).unwrap(), &ctx).unwrap();
    /// case.execute(CaseCommand::RevisePlan {
    ///     personal_situation: Text::parse("Sinds 2019 in Nederland.").unwrap(),
    ///     perspective: Text::parse("Juridische mogelijkheden <onderzoeken>.").unwrap(),
    ///     on: None,
    /// }, &ctx).unwrap();
    /// let doc = PlanDocument::from_view(&CaseView::whole(&case), ctx.today, DocumentContact::default());
    /// let html = doc.to_html(DocumentLanguage::Ar, &DocumentNames::default());
    /// assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">") && html.contains("خطتي للمستقبل"));
    /// assert!(html.contains("&lt;onderzoeken&gt;"));
    /// assert!(html.contains("2 مارس 2026"));
    /// ```
    pub fn to_html(&self, language: DocumentLanguage, names: &DocumentNames) -> String {
        let m = Messages::new(language);
        let t = |id: &str| escape_html(&m.get(id));
        let date = |d: NaiveDate| format!("<bdi>{}</bdi>", escape_html(&m.date(d)));
        let who = |r: &Responsible| match r {
            Responsible::Participant => t("who-you"),
            Responsible::Staff(id) => names.staff.get(id).map_or_else(|| t("who-project-worker"), |n| free_inline(n)),
            Responsible::Partner(id) => {
                names.organisations.get(id).map_or_else(|| t("who-partner"), |n| free_inline(n))
            }
        };
        let nothing = format!("<p>{}</p>\n", t("nothing-recorded"));
        let mut b = format!("<header>\n<h1>{}</h1>\n<p>{}</p>\n</header>\n", t("plan-title"), t("plan-intro"));
        let mut rows = vec![];
        if let Some(name) = &self.name {
            rows.push((m.get("plan-for"), free_inline(name)));
        }
        if let Some(r) = self.revision {
            rows.push((m.get("plan-version"), r.to_string()));
            rows.push(match self.agreed_on {
                Some(d) => (m.get("plan-agreed"), date(d)),
                None => (m.get("label-status"), t("plan-not-agreed")),
            });
        }
        rows.push((m.get("plan-printed"), date(self.printed_on)));
        b.push_str(&facts(&rows));
        b.push_str(&format!("<p class=\"note\">{}</p>\n", t("free-text-note")));

        b.push_str(&format!("<h2>{}</h2>\n", t("heading-direction")));
        b.push_str(&format!(
            "<p>{}</p>\n",
            self.direction.map_or_else(|| t("nothing-recorded"), |d| t(direction_id(d)))
        ));
        b.push_str(&format!("<h2>{}</h2>\n", t("heading-situation")));
        match &self.situation {
            Some(s) => b.push_str(&free_block(s)),
            None => b.push_str(&format!("<p>{}</p>\n", t("plan-none"))),
        }
        b.push_str(&format!("<h2>{}</h2>\n", t("heading-perspective")));
        match &self.perspective {
            Some(s) => b.push_str(&free_block(s)),
            None => b.push_str(&format!("<p>{}</p>\n", t("plan-none"))),
        }

        b.push_str(&format!("<h2>{}</h2>\n", t("heading-goals")));
        if self.goals.is_empty() {
            b.push_str(&nothing);
        } else {
            let head =
                ["label-goal", "label-deadline", "label-who", "label-status", "label-next-steps"].map(|id| m.get(id));
            let rows: Vec<Vec<String>> = self
                .goals
                .iter()
                .map(|g| {
                    vec![
                        free_inline(&g.description),
                        date(g.deadline),
                        who(&g.who),
                        t(goal_status_id(g.status)),
                        g.next_steps.as_deref().map(free_inline).unwrap_or_default(),
                    ]
                })
                .collect();
            b.push_str(&table(&head, &rows));
        }

        b.push_str(&format!("<h2>{}</h2>\n", t("heading-agreements")));
        if self.agreements.is_empty() {
            b.push_str(&nothing);
        } else {
            let head = ["label-agreement", "label-due", "label-who", "label-status"].map(|id| m.get(id));
            let rows: Vec<Vec<String>> = self
                .agreements
                .iter()
                .map(|a| vec![free_inline(&a.description), date(a.due_on), who(&a.who), t("agreement-open")])
                .collect();
            b.push_str(&table(&head, &rows));
        }

        b.push_str(&format!("<h2>{}</h2>\n", t("heading-upcoming")));
        if self.upcoming.is_empty() {
            b.push_str(&nothing);
        } else {
            let head = ["label-date", "label-what"].map(|id| m.get(id));
            let rows: Vec<Vec<String>> = self
                .upcoming
                .iter()
                .map(|u| {
                    let kind = match u.kind {
                        UpcomingKind::Goal => t("upcoming-goal"),
                        UpcomingKind::Agreement => t("upcoming-agreement"),
                    };
                    vec![date(u.on), format!("{kind}: {}", free_inline(&u.description))]
                })
                .collect();
            b.push_str(&table(&head, &rows));
        }

        b.push_str(&format!("<h2>{}</h2>\n", t("heading-trajectory")));
        let mut rows = vec![];
        if let Some(d) = self.registered_on {
            rows.push((m.get("label-registered"), date(d)));
        }
        if let Some(d) = self.limit_on {
            rows.push((m.get("label-end"), date(d)));
            rows.push((m.get("label-days-left"), (d - self.printed_on).num_days().max(0).to_string()));
        }
        b.push_str(&facts(&rows));
        b.push_str(&format!("<p>{}</p>\n", t("trajectory-text")));

        b.push_str(&format!("<h2>{}</h2>\n", t("heading-self-reliance")));
        let series = zrm_series(&self.self_reliance);
        if series.is_empty() {
            b.push_str(&format!("<p>{}</p>\n", t("zrm-none")));
        } else {
            b.push_str(&format!("<p>{}</p>\n<div class=\"charts\">\n", t("zrm-intro")));
            for (domain, points) in &series {
                let label = m.get(super::zrm_message(*domain));
                let (first, last) = (points.first().map(|p| p.0), points.last().map(|p| p.0));
                b.push_str(&format!(
                    "<div class=\"chart\"><h3>{}</h3>{}\n<div class=\"dates\">{}{}</div></div>\n",
                    escape_html(&label),
                    svg_zrm_domain(points, &label),
                    first.map(date).unwrap_or_default(),
                    if first == last { String::new() } else { last.map(date).unwrap_or_default() },
                ));
            }
            b.push_str("</div>\n");
        }

        b.push_str(&format!("<h2>{}</h2>\n", t("heading-contact")));
        b.push_str(&contact_facts(&m, &self.contact));
        b.push_str(&rights(&m));
        b.push_str(&format!(
            "<footer>{} · {}{}</footer>\n",
            t("plan-title"),
            date(self.printed_on),
            self.revision.map_or_else(String::new, |r| format!(" · {} {r}", t("plan-version")))
        ));
        page(language, &m.get("plan-title"), &b)
    }
}

/// The contact details as a table (names and numbers as staff entered them).
pub(super) fn contact_facts(m: &Messages, c: &DocumentContact) -> String {
    let mut rows = vec![];
    let mut add = |id: &str, v: &Option<String>| {
        if let Some(v) = v {
            rows.push((m.get(id), free_inline(v)));
        }
    };
    add("label-project-worker", &c.project_worker);
    add("label-organisation", &c.organisation);
    add("label-phone", &c.phone);
    add("label-email", &c.email);
    add("label-address", &c.address);
    if rows.is_empty() { format!("<p>{}</p>\n", escape_html(&m.get("nothing-recorded"))) } else { facts(&rows) }
}
