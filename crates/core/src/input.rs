//! Input structs for adapters: what a person types or a partner sends, as plain strings, checked
//! at the edge with `validator` and turned into domain commands.
//!
//! Each check calls the same rule as the domain value it produces (for example
//! [`VNumber::parse`]), so a rule is defined once. Errors name the field (dotted paths for
//! nested input, e.g. `agreements[0].description`), so an adapter can show them to a person
//! unchanged.

use crate::ViolationCode;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError, ValidationErrors, ValidationErrorsKind};

use crate::access::DataCategory;
use crate::activity::ActivityCode;
use crate::case::{CaseCommand, NewAgreement, NewContact, NewGoal, RegisterParticipant};
use crate::codes::{CountryCode, LanguageCode};
use crate::contact::{ContactKind, ContactLocation};
use crate::error::{Collector, DomainError, FieldViolation, ValueError, Violations};
use crate::ids::{AgreementId, ContactId, GoalId, JudgmentId, OrganisationId, ParticipantId, UserId};
use crate::outflow::{ZrmDomain, ZrmScore};
use crate::participant::{DateOfBirth, Nationality, ParticipantProfile, VNumber};
use crate::plan::Responsible;
use crate::returns::{Finality, Verdict};
use crate::text::{Label, Name, Text};

fn to_validation(e: ValueError) -> ValidationError {
    ValidationError::new(e.code.code()).with_message(Cow::Owned(e.message))
}

fn v_name(v: &str) -> Result<(), ValidationError> {
    Name::parse(v).map(drop).map_err(to_validation)
}
fn v_label(v: &str) -> Result<(), ValidationError> {
    Label::parse(v).map(drop).map_err(to_validation)
}
fn v_text(v: &str) -> Result<(), ValidationError> {
    Text::parse(v).map(drop).map_err(to_validation)
}
fn v_country(v: &str) -> Result<(), ValidationError> {
    CountryCode::parse(v).map(drop).map_err(to_validation)
}
fn v_v_number(v: &str) -> Result<(), ValidationError> {
    VNumber::parse(v).map(drop).map_err(to_validation)
}
fn v_date_of_birth_format(v: &str) -> Result<(), ValidationError> {
    // The format alone; whether the date is plausible depends on today and is checked on build.
    DateOfBirth::parse_format(v).map(drop).map_err(to_validation)
}

/// Flatten `validator`'s nested errors into field violations with dotted paths, sorted by path
/// so the order is stable.
pub fn violations_from(errors: &ValidationErrors) -> Violations {
    fn walk(prefix: &str, errors: &ValidationErrors, out: &mut Vec<FieldViolation>) {
        for (field, kind) in errors.errors() {
            let path = if prefix.is_empty() { field.to_string() } else { format!("{prefix}.{field}") };
            match kind {
                ValidationErrorsKind::Field(list) => {
                    for e in list {
                        let message =
                            e.message.as_deref().map_or_else(|| format!("invalid ({})", e.code), str::to_owned);
                        out.push(FieldViolation::new(path.clone(), crate::ViolationCode::received(&e.code), message));
                    }
                }
                ValidationErrorsKind::Struct(inner) => walk(&path, inner, out),
                ValidationErrorsKind::List(items) => {
                    for (i, inner) in items {
                        walk(&format!("{path}[{i}]"), inner, out);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk("", errors, &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    Violations(out)
}

/// A collector seeded with the edge checks' violations, so that the domain values' own checks
/// add theirs and every problem is reported at once.
fn checked(input: &impl Validate) -> Collector {
    let mut c = Collector::default();
    if let Err(e) = input.validate() {
        for v in violations_from(&e).0 {
            c.push(v);
        }
    }
    c
}

fn opt<T>(
    c: &mut Collector,
    field: &str,
    value: Option<&String>,
    parse: impl Fn(&str) -> Result<T, ValueError>,
) -> Option<Option<T>> {
    match value {
        None => Some(None),
        Some(v) => c.field(field, parse(v)).map(Some),
    }
}

fn list<T>(
    c: &mut Collector,
    field: &str,
    values: &[String],
    parse: impl Fn(&str) -> Result<T, ValueError>,
) -> Option<Vec<T>> {
    let mut out = Vec::with_capacity(values.len());
    let mut ok = true;
    for (i, v) in values.iter().enumerate() {
        match c.field(&format!("{field}[{i}]"), parse(v)) {
            Some(x) => out.push(x),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// Register a participant, as typed by staff.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(default)]
pub struct RegisterParticipantInput {
    /// Given name(s). Required.
    #[validate(custom(function = "v_name"))]
    pub given_names: String,
    /// Family name.
    #[validate(custom(function = "v_name"))]
    pub family_name: Option<String>,
    /// Aliases.
    pub aliases: Vec<String>,
    /// Date of birth: `YYYY-MM-DD`, `YYYY-MM`, `YYYY` or `~YYYY`.
    #[validate(custom(function = "v_date_of_birth_format"))]
    pub date_of_birth: Option<String>,
    /// Country of origin (ISO 3166 alpha-2).
    #[validate(custom(function = "v_country"))]
    pub country_of_origin: Option<String>,
    /// Nationalities: ISO 3166 codes, `stateless` or `unknown` (each item is checked, with
    /// its index in the error's field path).
    pub nationalities: Vec<String>,
    /// Languages (ISO 639), the preferred first.
    pub languages: Vec<String>,
    /// IND V-number (10 digits).
    #[validate(custom(function = "v_v_number"))]
    pub v_number: Option<String>,
    /// LVV location.
    #[validate(custom(function = "v_label"))]
    pub lvv_location: Option<String>,
    /// Registration date; today when absent.
    pub registered_on: Option<NaiveDate>,
}

impl RegisterParticipantInput {
    /// Check every field and build the command; all invalid fields are reported at once.
    pub fn into_command(
        self,
        id: ParticipantId,
        project_worker: UserId,
        today: NaiveDate,
    ) -> Result<RegisterParticipant, DomainError> {
        let profile = self.into_profile(project_worker, today)?;
        Ok(RegisterParticipant { id, profile, registered_on: self.registered_on.unwrap_or(today) })
    }

    /// Check every field and build a profile (also used to correct one).
    pub fn into_profile(&self, project_worker: UserId, today: NaiveDate) -> Result<ParticipantProfile, DomainError> {
        let mut c = checked(self);
        let given_names = c.field("given_names", Name::parse(&self.given_names));
        let family_name = opt(&mut c, "family_name", self.family_name.as_ref(), Name::parse);
        let aliases = list(&mut c, "aliases", &self.aliases, Name::parse);
        let date_of_birth = opt(&mut c, "date_of_birth", self.date_of_birth.as_ref(), |v| DateOfBirth::parse(v, today));
        let country_of_origin = opt(&mut c, "country_of_origin", self.country_of_origin.as_ref(), CountryCode::parse);
        let nationalities = list(&mut c, "nationalities", &self.nationalities, Nationality::parse);
        let languages = list(&mut c, "languages", &self.languages, LanguageCode::parse);
        let v_number = opt(&mut c, "v_number", self.v_number.as_ref(), VNumber::parse);
        let lvv_location = opt(&mut c, "lvv_location", self.lvv_location.as_ref(), Label::parse);
        if self.registered_on.is_some_and(|d| d > today) {
            c.push(FieldViolation::new(
                "registered_on",
                ViolationCode::DateInFuture,
                "the registration date cannot lie in the future",
            ));
        }
        c.finish(|| {
            Some(ParticipantProfile {
                given_names: given_names?,
                family_name: family_name?,
                aliases: dedup(aliases?),
                date_of_birth: date_of_birth?,
                country_of_origin: country_of_origin?,
                nationalities: dedup(nationalities?),
                languages: dedup(languages?),
                v_number: v_number?,
                lvv_location: lvv_location?,
                project_worker,
            })
        })
    }
}

fn dedup<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// An agreement, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
pub struct AgreementInput {
    /// What was agreed.
    #[validate(custom(function = "v_text"))]
    pub description: String,
    /// When it is due.
    pub due_on: NaiveDate,
    /// Who must act.
    pub who_acts: Responsible,
}

/// Log a contact moment, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
pub struct LogContactInput {
    /// When it took place.
    pub at: DateTime<Utc>,
    /// Kind.
    pub kind: ContactKind,
    /// Where.
    pub location: LocationInput,
    /// Other staff present.
    #[serde(default)]
    pub staff: Vec<UserId>,
    /// Activity codes, e.g. `5.2.a(2)` (at least one).
    pub activities: Vec<String>,
    /// Summary of the content.
    #[validate(custom(function = "v_text"))]
    pub summary: String,
    /// The category of the content: guidance, or medical/psychosocial, legal, criminal history
    /// when the talk was about that. Required: the person logging the talk knows best, and a
    /// default would file sensitive content where too many may read it.
    pub category: DataCategory,
    /// The partner involved.
    #[serde(default)]
    pub partner: Option<OrganisationId>,
    /// Duration in minutes (1 to 1440).
    #[serde(default)]
    #[validate(range(min = 1, max = 1440, code = "out_of_range", message = "a duration is 1 to 1440 minutes"))]
    pub duration_minutes: Option<u32>,
    /// Agreements made.
    #[serde(default)]
    #[validate(nested)]
    pub agreements: Vec<AgreementInput>,
}

/// Where a contact took place, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
pub struct LocationInput {
    /// Office, LVV location, remote, partner or external.
    pub kind: LocationKind,
    /// The name, for an LVV location, a partner's premises or an external venue.
    #[validate(custom(function = "v_label"))]
    pub name: Option<String>,
}

/// The kinds of contact locations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    /// The foundation's office.
    Office,
    /// An LVV location.
    LvvLocation,
    /// Phone or video.
    Remote,
    /// A partner's premises.
    Partner,
    /// Elsewhere.
    External,
}

impl LogContactInput {
    /// Check every field and build the command. `contact_id` and `agreement_ids` come from the
    /// adapter (one id per agreement, in order).
    pub fn into_command(
        self,
        contact_id: ContactId,
        agreement_ids: &[AgreementId],
    ) -> Result<CaseCommand, DomainError> {
        let mut c = checked(&self);
        let name = self.location.name.as_deref();
        let location = match (self.location.kind, name) {
            (LocationKind::Office, _) => Some(ContactLocation::Office),
            (LocationKind::Remote, _) => Some(ContactLocation::Remote),
            (kind, Some(n)) => c.field("location.name", Label::parse(n)).map(|l| match kind {
                LocationKind::LvvLocation => ContactLocation::LvvLocation(l),
                LocationKind::Partner => ContactLocation::Partner(l),
                _ => ContactLocation::External(l),
            }),
            (_, None) => {
                c.push(FieldViolation::new("location.name", ViolationCode::Required, "name the location"));
                None
            }
        };
        if self.activities.is_empty() {
            c.push(FieldViolation::new(
                "activities",
                ViolationCode::Required,
                "name at least one activity code (3.2.a to 5.2.e)",
            ));
        }
        let activities = list(&mut c, "activities", &self.activities, ActivityCode::parse);
        let summary = c.field("summary", Text::parse(&self.summary));
        if agreement_ids.len() != self.agreements.len() {
            c.push(FieldViolation::new("agreements", ViolationCode::IdsMissing, "every agreement needs an id"));
        }
        let mut agreements = Vec::new();
        for (i, (a, id)) in self.agreements.iter().zip(agreement_ids).enumerate() {
            if let Some(description) = c.field(&format!("agreements[{i}].description"), Text::parse(&a.description)) {
                agreements.push(NewAgreement { id: *id, description, due_on: a.due_on, who_acts: a.who_acts });
            }
        }
        c.finish(|| {
            Some(CaseCommand::LogContact(NewContact {
                id: contact_id,
                at: self.at,
                kind: self.kind,
                location: location?,
                staff: self.staff.iter().copied().collect(),
                activities: activities?.into_iter().collect::<BTreeSet<_>>(),
                summary: summary?,
                category: self.category,
                partner: self.partner,
                duration_minutes: self.duration_minutes,
                agreements,
                documents: Vec::new(),
            }))
        })
    }
}

/// Set a goal, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
pub struct SetGoalInput {
    /// What.
    #[validate(custom(function = "v_text"))]
    pub description: String,
    /// Why.
    #[validate(custom(function = "v_text"))]
    pub rationale: Option<String>,
    /// Who is responsible.
    pub responsible: Responsible,
    /// Partners involved.
    #[serde(default)]
    pub partners: Vec<OrganisationId>,
    /// The deadline.
    pub deadline: NaiveDate,
    /// Next steps.
    #[validate(custom(function = "v_text"))]
    pub next_steps: Option<String>,
    /// The day the goal was set; absent: today.
    #[serde(default)]
    pub set_on: Option<NaiveDate>,
}

impl SetGoalInput {
    /// Check and build the command.
    pub fn into_command(self, id: GoalId) -> Result<CaseCommand, DomainError> {
        let mut c = checked(&self);
        let description = c.field("description", Text::parse(&self.description));
        let rationale = opt(&mut c, "rationale", self.rationale.as_ref(), Text::parse);
        let next_steps = opt(&mut c, "next_steps", self.next_steps.as_ref(), Text::parse);
        c.finish(|| {
            Some(CaseCommand::SetGoal(NewGoal {
                id,
                description: description?,
                rationale: rationale?,
                responsible: self.responsible,
                partners: self.partners,
                deadline: self.deadline,
                next_steps: next_steps?,
                set_on: self.set_on,
            }))
        })
    }
}

/// Record a return judgment, as typed. The reasoning is required: no judgment without it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
pub struct RecordJudgmentInput {
    /// Verdict.
    pub verdict: Verdict,
    /// Provisional or final.
    pub finality: Finality,
    /// Reasoning (*motivering*).
    #[validate(custom(function = "v_text"))]
    pub reasoning: String,
    /// When it was formed.
    pub formed_on: NaiveDate,
}

impl RecordJudgmentInput {
    /// Check and build the command.
    pub fn into_command(self, id: JudgmentId) -> Result<CaseCommand, DomainError> {
        let mut c = checked(&self);
        let reasoning = c.field("reasoning", Text::parse(&self.reasoning));
        c.finish(|| {
            Some(CaseCommand::RecordJudgment {
                id,
                verdict: self.verdict,
                finality: self.finality,
                reasoning: reasoning?,
                formed_on: self.formed_on,
            })
        })
    }
}

/// ZRM scores as typed: domain to score.
pub fn zrm_scores(input: &BTreeMap<ZrmDomain, u8>) -> Result<BTreeMap<ZrmDomain, ZrmScore>, DomainError> {
    let mut c = Collector::default();
    let mut out = BTreeMap::new();
    for (domain, score) in input {
        let field = format!("scores.{}", domain.as_str());
        if let Some(s) = c.field(&field, ZrmScore::new(*score)) {
            out.insert(*domain, s);
        }
    }
    c.finish(|| Some(out))
}
