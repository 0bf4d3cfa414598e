//! Conversions of the case commands (`case_commands.proto`): every `<Command>Request` to the
//! core's [`CaseCommand`] with the case it targets and the version it expects
//! ([`CaseCommandTarget`]), `CreateParticipantRequest` to [`RegisterParticipant`], and back
//! for the client ([`case_command_request`]).
//!
//! Ids of the records a command creates are client-chosen (AIP-133): an empty id becomes a
//! new UUIDv7 here, so the core still gets every id from its adapter. The client sends the ids
//! it has, so a command survives the round trip unchanged.
//!
//! The core names fields relative to the command (`deadline`, `id`); the request nests some of
//! them (`goal.deadline`, `goal.goal_id`): [`request_field_path`] and [`in_request_terms`]
//! translate the core's field errors into the request's paths.

use perspectief_core::ViolationCode;
use std::collections::BTreeSet;

use perspectief_core::app::profile::{ProfileField, filled_in, merge_profile};
use perspectief_core::{
    AgreementId, CaseCommand, ConsentId, ContactId, DomainError, GoalId, JudgmentId, NewAgreement, NewContact, NewGoal,
    ObstacleId, ParticipantId, ReferralId, RegisterParticipant, ReportId, Violations,
};

use crate::convert::case_model::{zrm_scores_from_proto, zrm_scores_to_proto};
use crate::convert::{Field, FromProto, ToProto, command_conversions, expected_version, message, parse_name};
use crate::pb;

/// The collection of case files: a case is `participants/{participant_id}`.
const PARTICIPANTS: &str = "participants";

/// A command on one case, as a request asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseCommandTarget {
    /// The case (from the request's `name`).
    pub participant: ParticipantId,
    /// The version the change is based on (from the request's `etag`); `None`: no check.
    pub expected_version: Option<u64>,
    /// The command.
    pub command: CaseCommand,
}

/// The case commands, one row each: the [`CaseCommand`] variant, its request message and rpc
/// method, and its fields: `{ core_field: kind, ... }` for a command with named fields (the
/// kinds are those of [`crate::convert::message!`]; `core_field as proto_field` where the
/// request names it otherwise), or `(proto_field: kind)` for one that holds a single message.
///
/// `case_command_table!(some_macro, args...)` calls `some_macro!` with the arguments, then the
/// rows. From this one list come [`CaseCommandRequest`], each request's conversion to a
/// [`CaseCommandTarget`] and [`case_command_request`] back (here, through
/// [`crate::convert::command_conversions!`]), the server's rpc methods (`api.rs`), the client's
/// dispatch (`client.rs`) and the fuzz target's request kinds (`fuzzing.rs`). Adding a case
/// command is one row here, and hand-written only where the request nests or renames fields
/// ([`request_field_path`], [`core_field_path`]).
macro_rules! case_command_table {
    ($cb:ident $(, $($args:tt)*)?) => {
        $cb! {
            $($($args)*)?
            UpdateProfile(UpdateProfileRequest, update_profile) { profile: req },
            AssignProjectWorker(AssignProjectWorkerRequest, assign_project_worker) { worker: val, on: opt },
            ChangePhase(ChangePhaseRequest, change_phase) { to: val, reason: val, on: opt },
            ChangeDirection(ChangeDirectionRequest, change_direction) { to: val, on: req, reasoning: val },
            RecordReturnStance(RecordReturnStanceRequest, record_return_stance) {
                stance: val, on: req, note: opt_str
            },
            RevisePlan(RevisePlanRequest, revise_plan) { personal_situation: val, perspective: val, on: opt },
            AgreePlan(AgreePlanRequest, agree_plan) { revision: copy, on: req },
            SetGoal(SetGoalRequest, set_goal) (goal: req),
            ChangeGoalStatus(ChangeGoalStatusRequest, change_goal_status) {
                goal: val, to: val, new_deadline: opt, on: req
            },
            UpdateGoalSteps(UpdateGoalStepsRequest, update_goal_steps) { goal: val, next_steps: val, on: opt },
            LogContact(LogContactRequest, log_contact) (contact: req),
            AddAgreement(AddAgreementRequest, add_agreement) { agreement: req, category: val, on: opt },
            SettleAgreement(SettleAgreementRequest, settle_agreement) { agreement: val, fulfilled: copy, on: req },
            ProposeReferral(ProposeReferralRequest, propose_referral) {
                id as referral_id: new(ReferralId), partner: val, domain: val, reason: val, on: opt
            },
            AdvanceReferral(AdvanceReferralRequest, advance_referral) {
                referral: val, to: val, on: req, note: opt_str, consent_override as consent_override_reason: opt_str
            },
            StartReturnExploration(StartReturnExplorationRequest, start_return_exploration) {
                on: req, findings: req
            },
            UpdateReturnExploration(UpdateReturnExplorationRequest, update_return_exploration) {
                findings: req, on: opt
            },
            IdentifyObstacle(IdentifyObstacleRequest, identify_obstacle) {
                id as obstacle_id: new(ObstacleId), kind: val, description: val, partner: opt_str, on: req
            },
            ActOnObstacle(ActOnObstacleRequest, act_on_obstacle) {
                obstacle: val, description: val, status: val, on: req
            },
            UpdateReintegrationPlan(UpdateReintegrationPlanRequest, update_reintegration_plan)
                (reintegration_plan: req),
            RecordDepartureStep(RecordDepartureStepRequest, record_departure_step) (departure_step: req),
            UpdateReanChecklist(UpdateReanChecklistRequest, update_rean_checklist) (rean_checklist: req),
            PlanDeparture(PlanDepartureRequest, plan_departure) { on: opt, accompany_to_schiphol: copy },
            RecordJudgment(RecordJudgmentRequest, record_judgment) {
                id as judgment_id: new(JudgmentId), verdict: val, finality: val, reasoning: val, formed_on: req
            },
            RecordJudgmentCommunicated(RecordJudgmentCommunicatedRequest, record_judgment_communicated) {
                judgment: val, to: req, on: req
            },
            RecordConsequencesExplained(RecordConsequencesExplainedRequest, record_consequences_explained) {
                judgment: val, on: req
            },
            RecordSelfReliance(RecordSelfRelianceRequest, record_self_reliance) {
                assessed_on: req, scores: with(zrm_scores_from_proto, zrm_scores_to_proto)
            },
            GiveConsent(GiveConsentRequest, give_consent) {
                id as consent_id: new(ConsentId), organisation: val, categories: list, purpose: val, given_on: req
            },
            WithdrawConsent(WithdrawConsentRequest, withdraw_consent) { consent: val, on: req },
            RecordProgressReport(RecordProgressReportRequest, record_progress_report) {
                id as report_id: new(ReportId), period_from: req, period_to: req, sent_to: val, sent_on: opt
            },
            RecordOutflow(RecordOutflowRequest, record_outflow) { outcome: val, on: req, note: opt_str },
            SetConfidentiality(SetConfidentialityRequest, set_confidentiality) {
                category: val, level: val, reason: val
            },
        }
    };
}
pub(crate) use case_command_table;

// The case commands' conversions, from the rows of the table.
case_command_table!(
    command_conversions,
    CaseCommandTarget { participant: ParticipantId } in PARTICIPANTS, CaseCommand;
    /// A command request as a client sends it: one variant per [`CaseCommand`] variant,
    /// named the same, holding the request message of that command's rpc.
    enum CaseCommandRequest;
    /// The request that asks for `command` on `participant`'s case, based on
    /// `expected_version` (`None`: no etag, no check). Every id the command holds is
    /// sent, so the service records exactly this command.
    fn case_command_request;
);

message!(NewGoal = pb::NewGoal {
    id as goal_id: new(GoalId), description: val, rationale: opt_str, responsible: req, partners: list, deadline: req,
    next_steps: opt_str, set_on: opt,
});

message!(NewAgreement = pb::NewAgreement {
    id as agreement_id: new(AgreementId), description: val, due_on: req, who_acts: req,
});

message!(NewContact = pb::NewContact {
    id as contact_id: new(ContactId), at: req, kind: val, location: req, staff: list, activities: list, summary: val,
    category: val, partner: opt_str, duration_minutes: copy, agreements: list, documents: list,
});

message!(RegisterParticipant = pb::CreateParticipantRequest {
    id as participant_id: new(ParticipantId), profile: req, registered_on: req,
});

/// `path` with its first part `from` (the whole path, or followed by a nested part) renamed `to`.
fn rename_head(path: &str, from: &str, to: &str) -> String {
    match path.strip_prefix(from) {
        Some(rest) if rest.is_empty() || rest.starts_with(['.', '[']) => format!("{to}{rest}"),
        _ => path.to_owned(),
    }
}

/// `agreements[i].<from>` renamed `agreements[i].<to>` (the agreements of a contact).
fn rename_agreement_ids(path: &str, from: &str, to: &str) -> String {
    match path.strip_prefix("agreements[").and_then(|rest| rest.split_once("].")) {
        Some((index, field)) => format!("agreements[{index}].{}", rename_head(field, from, to)),
        None => path.to_owned(),
    }
}

/// The request's path of a field the core names for `command` (the core names fields relative
/// to the command, and `id` for the ids the adapter makes): `deadline` of a `SetGoal` is
/// `goal.deadline`, `agreements[0].id` of a `LogContact` is `contact.agreements[0].agreement_id`.
pub fn request_field_path(command: &CaseCommand, core_path: &str) -> String {
    let rename_id = |path: &str, to: &str| rename_head(path, "id", to);
    let rename_agreement_ids = |path: &str| rename_agreement_ids(path, "id", "agreement_id");
    let nested =
        |prefix: &str, path: String| if path.is_empty() { prefix.to_owned() } else { format!("{prefix}.{path}") };
    match command {
        // The core checks the profile's parts by their own names.
        CaseCommand::UpdateProfile { .. } if !core_path.starts_with("profile") => nested("profile", core_path.into()),
        CaseCommand::SetGoal(_) => nested("goal", rename_id(core_path, "goal_id")),
        CaseCommand::LogContact(_) => nested("contact", rename_agreement_ids(&rename_id(core_path, "contact_id"))),
        // The agreement's own fields; `category` belongs to the request.
        CaseCommand::AddAgreement { .. }
            if !core_path.starts_with("category") && !core_path.starts_with("agreement") =>
        {
            nested("agreement", rename_id(core_path, "agreement_id"))
        }
        CaseCommand::UpdateReintegrationPlan(_) if !core_path.starts_with("reintegration_plan") => {
            nested("reintegration_plan", core_path.into())
        }
        CaseCommand::RecordDepartureStep(_) if !core_path.starts_with("departure_step") => {
            nested("departure_step", core_path.into())
        }
        CaseCommand::UpdateReanChecklist(_) if !core_path.starts_with("rean_checklist") => {
            nested("rean_checklist", core_path.into())
        }
        CaseCommand::ProposeReferral { .. } => rename_id(core_path, "referral_id"),
        CaseCommand::IdentifyObstacle { .. } => rename_id(core_path, "obstacle_id"),
        CaseCommand::RecordJudgment { .. } => rename_id(core_path, "judgment_id"),
        CaseCommand::GiveConsent { .. } => rename_id(core_path, "consent_id"),
        CaseCommand::RecordProgressReport { .. } => rename_id(core_path, "report_id"),
        _ => core_path.to_owned(),
    }
}

/// The profile fields an UpdateParticipant mask may name, as `profile.<field>`. The project
/// worker is not among them: it changes by assignment.
pub const UPDATABLE_PROFILE_FIELDS: [&str; ProfileField::ALL.len()] = {
    // The core's list of profile fields, by name.
    let all = ProfileField::ALL;
    let mut names = [""; ProfileField::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = all[i].as_str();
        i += 1;
    }
    names
};
/// An UpdateParticipant request (AIP-134), checked: which case, the version its etag expects,
/// and the profile fields to change with their new values.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileUpdate {
    /// The case (from `case_file.name`).
    pub participant: ParticipantId,
    /// The version the change is based on (from `case_file.etag`); `None`: no check.
    pub expected_version: Option<u64>,
    /// The fields to change (from `update_mask`, or implied by the non-empty fields).
    pub fields: BTreeSet<&'static str>,
    given: pb::ParticipantProfile,
}

impl FromProto<pb::UpdateParticipantRequest> for ProfileUpdate {
    fn from_proto(p: pb::UpdateParticipantRequest, at: &Field) -> Result<Self, DomainError> {
        let file_at = at.child("case_file");
        let file = p.case_file.ok_or_else(|| file_at.missing())?;
        let participant = parse_name(PARTICIPANTS, &file.name, &file_at.child("name"))?;
        let expected_version = expected_version(&file.etag, &file_at.child("etag"))?;
        let given = file.profile.unwrap_or_default();
        let mask_at = at.child("update_mask");
        let fields: BTreeSet<&'static str> = match p.update_mask {
            Some(mask) => {
                let mut fields = BTreeSet::new();
                for (i, path) in mask.paths.iter().enumerate() {
                    if path == "profile" {
                        fields.extend(UPDATABLE_PROFILE_FIELDS);
                        continue;
                    }
                    let field = path
                        .strip_prefix("profile.")
                        .and_then(|f| UPDATABLE_PROFILE_FIELDS.iter().find(|known| **known == f))
                        .ok_or_else(|| {
                            mask_at.child("paths").index(i).invalid(
                                ViolationCode::NotUpdatable,
                                format!(
                                    "{} cannot be changed here: name `profile` or `profile.<field>` with one \
                                     of {}; the project worker changes with AssignProjectWorker",
                                    perspectief_core::error::echo(path),
                                    UPDATABLE_PROFILE_FIELDS.join(", ")
                                ),
                            )
                        })?;
                    fields.insert(*field);
                }
                fields
            }
            // AIP-134: without a mask, the fields the request fills in.
            None => filled_in(&given).into_iter().map(|f| f.as_str()).collect(),
        };
        if fields.is_empty() {
            return Err(mask_at.invalid(ViolationCode::NothingToChange, "name at least one profile field to change"));
        }
        Ok(Self { participant, expected_version, fields, given })
    }
}

// The API's profile message, field by field, for the core's merge ([`merge_profile`]).
perspectief_core::profile_fields!(pb::ParticipantProfile);

impl ProfileUpdate {
    /// The profile after the change: `current` with the named fields taken from the request
    /// (a named field the request leaves empty is cleared). Refusals name the request's field.
    pub fn apply(&self, current: &perspectief_core::ParticipantProfile) -> Result<CaseCommand, DomainError> {
        let fields = self.fields.iter().filter_map(|f| ProfileField::parse(f));
        let merged = merge_profile(&current.to_proto(), &self.given, fields);
        let profile = FromProto::from_proto(merged, &Field::root().child("case_file").child("profile"))?;
        Ok(CaseCommand::UpdateProfile { profile })
    }

    /// The core's error for the resulting command in this request's terms (`case_file.profile.…`).
    pub fn in_request_terms(&self, command: &CaseCommand, error: DomainError) -> DomainError {
        renaming_fields(error, |path| format!("case_file.{}", request_field_path(command, path)))
    }
}

/// The core's path of a field a request names for `command`: the inverse of
/// [`request_field_path`], so a client gets the core's error back as the core made it.
pub fn core_field_path(command: &CaseCommand, request_path: &str) -> String {
    let unname_id = |path: &str, from: &str| rename_head(path, from, "id");
    let unname_agreement_ids = |path: &str| rename_agreement_ids(path, "agreement_id", "id");
    /// The path inside `prefix`: `goal.deadline` → `deadline`, `goal` → the empty path.
    fn inside<'a>(prefix: &str, path: &'a str) -> Option<&'a str> {
        match path.strip_prefix(prefix) {
            Some("") => Some(""),
            Some(rest) => rest.strip_prefix('.'),
            None => None,
        }
    }
    let path = request_path;
    match command {
        CaseCommand::UpdateProfile { .. } => inside("profile", path).unwrap_or(path).to_owned(),
        CaseCommand::SetGoal(_) => inside("goal", path).map_or_else(|| path.to_owned(), |p| unname_id(p, "goal_id")),
        CaseCommand::LogContact(_) => inside("contact", path)
            .map_or_else(|| path.to_owned(), |p| unname_agreement_ids(&unname_id(p, "contact_id"))),
        CaseCommand::AddAgreement { .. } => {
            inside("agreement", path).map_or_else(|| path.to_owned(), |p| unname_id(p, "agreement_id"))
        }
        CaseCommand::UpdateReintegrationPlan(_) => inside("reintegration_plan", path).unwrap_or(path).to_owned(),
        CaseCommand::RecordDepartureStep(_) => inside("departure_step", path).unwrap_or(path).to_owned(),
        CaseCommand::UpdateReanChecklist(_) => inside("rean_checklist", path).unwrap_or(path).to_owned(),
        CaseCommand::ProposeReferral { .. } => unname_id(path, "referral_id"),
        CaseCommand::IdentifyObstacle { .. } => unname_id(path, "obstacle_id"),
        CaseCommand::RecordJudgment { .. } => unname_id(path, "judgment_id"),
        CaseCommand::GiveConsent { .. } => unname_id(path, "consent_id"),
        CaseCommand::RecordProgressReport { .. } => unname_id(path, "report_id"),
        _ => path.to_owned(),
    }
}

/// `error` with every field path rewritten by `rename`; errors without fields as they are.
pub fn renaming_fields(error: DomainError, rename: impl Fn(&str) -> String) -> DomainError {
    match error {
        DomainError::InvalidInput(Violations(violations)) => DomainError::InvalidInput(Violations(
            violations
                .into_iter()
                .map(|mut v| {
                    v.field = rename(&v.field);
                    v
                })
                .collect(),
        )),
        other => other,
    }
}

/// The core's error for `command` with its field paths in the request's terms (see
/// [`request_field_path`]); errors without fields are returned as they are.
pub fn in_request_terms(command: &CaseCommand, error: DomainError) -> DomainError {
    renaming_fields(error, |path| request_field_path(command, path))
}

/// A server's error for `command`, named in the request's terms, back in the core's terms.
pub fn in_core_terms(command: &CaseCommand, error: DomainError) -> DomainError {
    renaming_fields(error, |path| core_field_path(command, path))
}

/// The fields of a registration that the request has at its top level; the core names the
/// profile's parts by their own names (`date_of_birth`), the request as `profile.date_of_birth`.
const REGISTRATION_FIELDS: [&str; 3] = ["participant_id", "profile", "registered_on"];

/// The core's error for a registration with its field paths in `CreateParticipantRequest`'s
/// terms: the core checks the profile's parts by their own names (`date_of_birth`).
pub fn registration_in_request_terms(error: DomainError) -> DomainError {
    renaming_fields(error, |path| {
        if REGISTRATION_FIELDS.iter().any(|f| path.starts_with(f)) {
            path.to_owned()
        } else {
            format!("profile.{path}")
        }
    })
}

/// A server's error for a registration back in the core's terms.
pub fn registration_in_core_terms(error: DomainError) -> DomainError {
    renaming_fields(error, |path| path.strip_prefix("profile.").unwrap_or(path).to_owned())
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    /// One command of every kind (some kinds twice: optional parts present and absent).
    fn samples() -> Vec<CaseCommand> {
        crate::fuzzing::samples::case_commands()
    }

    /// The first sample of the command named `name` (the one with its optional parts given).
    fn sample(name: &str) -> CaseCommand {
        samples().into_iter().find(|c| c.name() == name).unwrap()
    }

    fn path_of(e: &DomainError) -> (String, String) {
        let v = e.violations().unwrap_or_else(|| panic!("not a field error: {e:?}")).iter().next().unwrap();
        (v.field.clone(), v.code.code().to_owned())
    }

    #[test]
    fn every_command_survives_the_round_trip() {
        let samples = samples();
        let kinds: BTreeSet<&str> = samples.iter().map(CaseCommand::name).collect();
        assert_eq!(kinds.len(), 32, "a sample of every command");
        let participant = ParticipantId::from_u128(7);
        for (i, command) in samples.into_iter().enumerate() {
            let version = i.is_multiple_of(2).then_some(u64::try_from(i).unwrap() + 1);
            let request = case_command_request(participant, version, &command);
            let target = CaseCommandTarget::from_proto(request, &Field::root())
                .unwrap_or_else(|e| panic!("{}: {e:?}", command.name()));
            assert_eq!(target, CaseCommandTarget { participant, expected_version: version, command });
        }
    }

    #[test]
    fn registration_survives_the_round_trip_and_an_empty_id_is_made() {
        let register = RegisterParticipant {
            id: ParticipantId::from_u128(7),
            profile: crate::fuzzing::samples::profile(),
            registered_on: day(2),
        };
        assert_eq!(RegisterParticipant::from_proto(register.to_proto(), &Field::root()).unwrap(), register);
        let request = pb::CreateParticipantRequest { participant_id: String::new(), ..register.to_proto() };
        let made = RegisterParticipant::from_proto(request, &Field::root()).unwrap();
        assert_eq!(made.id.as_uuid().get_version_num(), 7);
        let request = pb::CreateParticipantRequest { registered_on: None, ..register.to_proto() };
        let e = RegisterParticipant::from_proto(request, &Field::root()).unwrap_err();
        assert_eq!(path_of(&e), ("registered_on".into(), "required".into()));
    }

    #[test]
    fn empty_ids_of_new_records_are_made_here() {
        let participant = ParticipantId::from_u128(7);
        let CaseCommandRequest::LogContact(mut request) =
            case_command_request(participant, None, &sample("log_contact"))
        else {
            panic!("not a contact")
        };
        let contact = request.contact.as_mut().unwrap();
        contact.contact_id.clear();
        contact.agreements[0].agreement_id.clear();
        let target = CaseCommandTarget::from_proto(request, &Field::root()).unwrap();
        let CaseCommand::LogContact(c) = target.command else { panic!("not a contact") };
        assert_eq!(c.id.as_uuid().get_version_num(), 7);
        assert_eq!(c.agreements[0].id.as_uuid().get_version_num(), 7);
        assert_eq!(c.agreements[1].id, AgreementId::from_u128(5));
        assert_eq!(target.expected_version, None);
    }

    #[test]
    fn invalid_requests_name_the_field() {
        let participant = ParticipantId::from_u128(7);
        let request = |name: &str| case_command_request(participant, Some(3), &sample(name));
        let refuse = |r: CaseCommandRequest| path_of(&CaseCommandTarget::from_proto(r, &Field::root()).unwrap_err());

        let CaseCommandRequest::ChangePhase(phase) = request("change_phase") else { panic!() };
        let bad_name = pb::ChangePhaseRequest { name: "participant/7".into(), ..phase.clone() };
        assert_eq!(refuse(CaseCommandRequest::ChangePhase(bad_name)), ("name".into(), "not_a_resource_name".into()));
        let bad_id = pb::ChangePhaseRequest { name: "participants/7".into(), ..phase.clone() };
        assert_eq!(refuse(CaseCommandRequest::ChangePhase(bad_id)), ("name".into(), "not_an_id".into()));
        let no_name = pb::ChangePhaseRequest { name: String::new(), ..phase.clone() };
        assert_eq!(refuse(CaseCommandRequest::ChangePhase(no_name)), ("name".into(), "required".into()));
        let bad_etag = pb::ChangePhaseRequest { etag: "W/\"3\"".into(), ..phase.clone() };
        assert_eq!(refuse(CaseCommandRequest::ChangePhase(bad_etag)), ("etag".into(), "not_an_etag".into()));
        let unspecified = pb::ChangePhaseRequest { to: pb::Phase::Unspecified as i32, ..phase.clone() };
        assert_eq!(refuse(CaseCommandRequest::ChangePhase(unspecified)), ("to".into(), "required".into()));
        let unknown = pb::ChangePhaseRequest { to: 99, ..phase.clone() };
        assert_eq!(refuse(CaseCommandRequest::ChangePhase(unknown)), ("to".into(), "unknown_value".into()));
        let blank = pb::ChangePhaseRequest { reason: "  ".into(), ..phase };
        assert_eq!(refuse(CaseCommandRequest::ChangePhase(blank)), ("reason".into(), "required".into()));

        let CaseCommandRequest::SetGoal(mut goal) = request("set_goal") else { panic!() };
        goal.goal.as_mut().unwrap().deadline = None;
        assert_eq!(refuse(CaseCommandRequest::SetGoal(goal.clone())), ("goal.deadline".into(), "required".into()));
        goal.goal = None;
        assert_eq!(refuse(CaseCommandRequest::SetGoal(goal)), ("goal".into(), "required".into()));

        let CaseCommandRequest::LogContact(mut contact) = request("log_contact") else { panic!() };
        let c = contact.contact.as_mut().unwrap();
        c.agreements[1].due_on = Some(pb::Date { year: 2026, month: 2, day: 30 });
        assert_eq!(
            refuse(CaseCommandRequest::LogContact(contact.clone())),
            ("contact.agreements[1].due_on".into(), "not_a_date".into())
        );
        let c = contact.contact.as_mut().unwrap();
        c.agreements.clear();
        c.activities.push("9.9".into());
        assert_eq!(
            refuse(CaseCommandRequest::LogContact(contact.clone())),
            ("contact.activities[2]".into(), "unknown_activity_code".into())
        );
        let c = contact.contact.as_mut().unwrap();
        c.activities.clear();
        c.staff.push("nope".into());
        assert_eq!(refuse(CaseCommandRequest::LogContact(contact)), ("contact.staff[2]".into(), "not_an_id".into()));

        let CaseCommandRequest::RecordSelfReliance(mut zrm) = request("record_self_reliance") else { panic!() };
        zrm.scores[1].score = 6;
        assert_eq!(
            refuse(CaseCommandRequest::RecordSelfReliance(zrm.clone())),
            ("scores[1].score".into(), "out_of_range".into())
        );
        zrm.scores[1].score = 3;
        zrm.scores[1].domain = zrm.scores[0].domain;
        assert_eq!(
            refuse(CaseCommandRequest::RecordSelfReliance(zrm)),
            ("scores[1].domain".into(), "duplicate".into())
        );

        let CaseCommandRequest::GiveConsent(mut consent) = request("give_consent") else { panic!() };
        consent.categories.push(pb::DataCategory::Unspecified as i32);
        assert_eq!(refuse(CaseCommandRequest::GiveConsent(consent)), ("categories[2]".into(), "required".into()));

        let CaseCommandRequest::ProposeReferral(mut referral) = request("propose_referral") else { panic!() };
        referral.referral_id = "r-1".into();
        assert_eq!(refuse(CaseCommandRequest::ProposeReferral(referral)), ("referral_id".into(), "not_an_id".into()));
    }

    #[test]
    fn the_cores_field_errors_are_named_in_the_requests_terms() {
        let path = |name: &str, core: &str| request_field_path(&sample(name), core);
        assert_eq!(path("update_profile", "date_of_birth"), "profile.date_of_birth");
        assert_eq!(path("change_direction", "on"), "on");
        assert_eq!(path("set_goal", "deadline"), "goal.deadline");
        assert_eq!(path("set_goal", "id"), "goal.goal_id");
        assert_eq!(path("log_contact", "id"), "contact.contact_id");
        assert_eq!(path("log_contact", "agreements[1].id"), "contact.agreements[1].agreement_id");
        assert_eq!(path("log_contact", "agreements[1].due_on"), "contact.agreements[1].due_on");
        assert_eq!(path("log_contact", "activities"), "contact.activities");
        assert_eq!(path("add_agreement", "due_on"), "agreement.due_on");
        assert_eq!(path("add_agreement", "id"), "agreement.agreement_id");
        assert_eq!(path("add_agreement", "category"), "category");
        assert_eq!(path("propose_referral", "id"), "referral_id");
        assert_eq!(path("record_departure_step", "on"), "departure_step.on");
        assert_eq!(path("record_progress_report", "id"), "report_id");
        assert_eq!(path("record_progress_report", "period_to"), "period_to");
        let e = in_request_terms(&sample("set_goal"), DomainError::field("deadline", ViolationCode::InPast, "..."));
        assert_eq!(path_of(&e), ("goal.deadline".into(), "in_past".into()));
        let e = registration_in_request_terms(DomainError::field("date_of_birth", ViolationCode::DateInFuture, "..."));
        assert_eq!(path_of(&e).0, "profile.date_of_birth");
        assert_eq!(path_of(&registration_in_core_terms(e)).0, "date_of_birth");
    }

    #[test]
    fn request_paths_map_back_to_the_cores_paths() {
        let core_paths = [
            "",
            "id",
            "on",
            "deadline",
            "due_on",
            "activities",
            "at",
            "agreements[1].id",
            "agreements[0].due_on",
            "note",
        ];
        for command in samples() {
            for core in core_paths {
                let request = request_field_path(&command, core);
                assert_eq!(core_field_path(&command, &request), core, "{} {core} -> {request}", command.name());
            }
        }
        let e = in_request_terms(&sample("log_contact"), DomainError::field("at", ViolationCode::InFuture, "..."));
        assert_eq!(path_of(&e).0, "contact.at");
        assert_eq!(path_of(&in_core_terms(&sample("log_contact"), e)).0, "at");
    }
}
