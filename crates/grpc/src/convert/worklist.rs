//! The worklist ([`WorklistQuery`] ↔ `GetWorklistRequest`, [`Worklist`], [`WorkItem`],
//! [`WorkSubject`]) and the participant listing's [`ParticipantSummary`].
//!
//! A worklist window of 0 days in a request means the default of [`WorklistQuery::for_day`],
//! as a page size of 0 does elsewhere; the client sends the actual values, so a query with a
//! window of 0 days cannot be sent (it is read as the default).

use perspectief_core::ViolationCode;
use perspectief_core::service::{ParticipantSummary, WorkItem, WorkSubject, Worklist, WorklistQuery};
use perspectief_core::{DomainError, ParticipantId};

use super::{Field, FromProto, ToProto, etag, opt_string, optional, parse_name, repeated, required, resource_name};
use crate::convert::message;
use crate::pb;
use crate::pb::work_subject::Kind;

/// The collection of participants (their case files) in resource names.
const PARTICIPANTS: &str = "participants";

message!(WorklistQuery => pb::GetWorklistRequest {
    project_worker: opt_str, today: req, due_within_days: copy, no_contact_days: copy, limit_lead_days: copy,
    referral_answer_days: copy, no_assessment_months: copy, goal_due_within_days: copy,
} derived |s| {
    page_size: i32::try_from(s.page_size).unwrap_or(i32::MAX),
    page_token: s.page_token.clone().unwrap_or_default(),
});

/// A worklist request; each window of 0 days takes the default of [`WorklistQuery::for_day`].
impl FromProto<pb::GetWorklistRequest> for WorklistQuery {
    fn from_proto(proto: pb::GetWorklistRequest, at: &Field) -> Result<Self, DomainError> {
        let defaults = Self::for_day(required(proto.today, &at.child("today"))?);
        let or = |value: u32, default: u32| if value == 0 { default } else { value };
        Ok(Self {
            project_worker: opt_string(proto.project_worker, &at.child("project_worker"))?,
            today: defaults.today,
            due_within_days: or(proto.due_within_days, defaults.due_within_days),
            no_contact_days: or(proto.no_contact_days, defaults.no_contact_days),
            limit_lead_days: or(proto.limit_lead_days, defaults.limit_lead_days),
            referral_answer_days: or(proto.referral_answer_days, defaults.referral_answer_days),
            no_assessment_months: or(proto.no_assessment_months, defaults.no_assessment_months),
            goal_due_within_days: or(proto.goal_due_within_days, defaults.goal_due_within_days),
            page_size: u32::try_from(proto.page_size).map_err(|_| {
                at.child("page_size").invalid(ViolationCode::Negative, "the page size cannot be negative")
            })?,
            page_token: Some(proto.page_token).filter(|t| !t.is_empty()),
        })
    }
}

impl ToProto for WorkSubject {
    type Proto = pb::WorkSubject;
    fn to_proto(&self) -> pb::WorkSubject {
        let kind = match self {
            Self::Goal(id) => Kind::GoalId(id.to_proto()),
            Self::Agreement(id) => Kind::AgreementId(id.to_proto()),
            Self::Referral(id) => Kind::ReferralId(id.to_proto()),
            Self::Participant => Kind::Participant(()),
            Self::Communication { judgment, to } => Kind::Communication(pb::PendingCommunication {
                judgment_id: judgment.to_proto(),
                to: Some(to.to_proto()),
            }),
        };
        pb::WorkSubject { kind: Some(kind) }
    }
}

impl FromProto<pb::WorkSubject> for WorkSubject {
    fn from_proto(proto: pb::WorkSubject, at: &Field) -> Result<Self, DomainError> {
        match proto.kind {
            Some(Kind::GoalId(id)) => FromProto::from_proto(id, &at.child("goal_id")).map(Self::Goal),
            Some(Kind::AgreementId(id)) => FromProto::from_proto(id, &at.child("agreement_id")).map(Self::Agreement),
            Some(Kind::ReferralId(id)) => FromProto::from_proto(id, &at.child("referral_id")).map(Self::Referral),
            Some(Kind::Participant(())) => Ok(Self::Participant),
            Some(Kind::Communication(c)) => {
                let at = at.child("communication");
                Ok(Self::Communication {
                    judgment: FromProto::from_proto(c.judgment_id, &at.child("judgment_id"))?,
                    to: required(c.to, &at.child("to"))?,
                })
            }
            None => Err(at.invalid(
                ViolationCode::Required,
                "set goal_id, agreement_id, referral_id, participant or communication",
            )),
        }
    }
}

message!(WorkItem = pb::WorkItem { participant: val, subject: req, date: req });

message!(Worklist => pb::Worklist {
    overdue_goals: list, overdue_agreements: list, agreements_due: list, without_contact: list, near_limit: list,
    unanswered_referrals: list, without_assessment: list, goals_due: list, uncommunicated_judgments: list,
    reports_due: list, past_limit_without_advice: list,
} derived |s| { next_page_token: s.next_page_token.clone().unwrap_or_default() });

impl FromProto<pb::Worklist> for Worklist {
    fn from_proto(proto: pb::Worklist, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            overdue_goals: repeated(proto.overdue_goals, &at.child("overdue_goals"))?,
            overdue_agreements: repeated(proto.overdue_agreements, &at.child("overdue_agreements"))?,
            agreements_due: repeated(proto.agreements_due, &at.child("agreements_due"))?,
            without_contact: repeated(proto.without_contact, &at.child("without_contact"))?,
            near_limit: repeated(proto.near_limit, &at.child("near_limit"))?,
            unanswered_referrals: repeated(proto.unanswered_referrals, &at.child("unanswered_referrals"))?,
            without_assessment: repeated(proto.without_assessment, &at.child("without_assessment"))?,
            goals_due: repeated(proto.goals_due, &at.child("goals_due"))?,
            uncommunicated_judgments: repeated(proto.uncommunicated_judgments, &at.child("uncommunicated_judgments"))?,
            reports_due: repeated(proto.reports_due, &at.child("reports_due"))?,
            past_limit_without_advice: repeated(
                proto.past_limit_without_advice,
                &at.child("past_limit_without_advice"),
            )?,
            next_page_token: Some(proto.next_page_token).filter(|t| !t.is_empty()),
        })
    }
}

message!(ParticipantSummary => pb::ParticipantSummary {
    display_name: clone, phase: val, direction: val, project_worker: val, registered_on: req, limit_on: req,
    last_contact_on: opt, version: copy,
} derived |s| { name: resource_name(PARTICIPANTS, &s.id), etag: etag(s.version) });

/// A summary as the service sent it (the etag is the version, so it is not read).
impl FromProto<pb::ParticipantSummary> for ParticipantSummary {
    fn from_proto(proto: pb::ParticipantSummary, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            id: parse_name::<ParticipantId>(PARTICIPANTS, &proto.name, &at.child("name"))?,
            display_name: proto.display_name,
            phase: FromProto::from_proto(proto.phase, &at.child("phase"))?,
            direction: FromProto::from_proto(proto.direction, &at.child("direction"))?,
            project_worker: FromProto::from_proto(proto.project_worker, &at.child("project_worker"))?,
            registered_on: required(proto.registered_on, &at.child("registered_on"))?,
            limit_on: required(proto.limit_on, &at.child("limit_on"))?,
            last_contact_on: optional(proto.last_contact_on, &at.child("last_contact_on"))?,
            version: proto.version,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use perspectief_core::{
        AgreementId, Direction, GoalId, JudgmentId, OrganisationId, Phase, Recipient, ReferralId, UserId,
    };

    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn field_of(e: &DomainError) -> (String, String) {
        let v = e.violations().unwrap().iter().next().unwrap();
        (v.field.clone(), v.code.code().to_owned())
    }

    fn item(p: u128, subject: WorkSubject) -> WorkItem {
        WorkItem { participant: ParticipantId::from_u128(p), subject, date: day(3, u32::try_from(p).unwrap()) }
    }

    fn worklist() -> Worklist {
        Worklist {
            overdue_goals: vec![
                item(1, WorkSubject::Goal(GoalId::from_u128(11))),
                item(2, WorkSubject::Goal(GoalId::from_u128(12))),
            ],
            overdue_agreements: vec![item(3, WorkSubject::Agreement(AgreementId::from_u128(13)))],
            agreements_due: vec![item(4, WorkSubject::Agreement(AgreementId::from_u128(14)))],
            without_contact: vec![item(5, WorkSubject::Participant)],
            near_limit: vec![item(6, WorkSubject::Participant)],
            unanswered_referrals: vec![item(7, WorkSubject::Referral(ReferralId::from_u128(17)))],
            without_assessment: vec![item(8, WorkSubject::Participant)],
            goals_due: vec![item(9, WorkSubject::Goal(GoalId::from_u128(19)))],
            uncommunicated_judgments: vec![
                item(
                    10,
                    WorkSubject::Communication { judgment: JudgmentId::from_u128(20), to: Recipient::Participant },
                ),
                item(
                    11,
                    WorkSubject::Communication {
                        judgment: JudgmentId::from_u128(21),
                        to: Recipient::Partner(OrganisationId::from_u128(5)),
                    },
                ),
            ],
            reports_due: vec![item(12, WorkSubject::Participant)],
            past_limit_without_advice: vec![item(13, WorkSubject::Participant)],
            next_page_token: Some("abc.def".to_owned()),
        }
    }

    #[test]
    fn worklists_round_trip() {
        for w in [worklist(), Worklist::default()] {
            assert_eq!(Worklist::from_proto(w.to_proto(), &Field::root()).unwrap(), w);
        }
    }

    #[test]
    fn queries_round_trip_and_zero_is_the_default() {
        let defaults = WorklistQuery::for_day(day(5, 4));
        let custom = WorklistQuery {
            project_worker: Some(UserId::from_u128(3)),
            today: day(5, 4),
            due_within_days: 3,
            no_contact_days: 21,
            limit_lead_days: 30,
            referral_answer_days: 10,
            no_assessment_months: 3,
            goal_due_within_days: 21,
            page_size: 25,
            page_token: Some("abc.def".to_owned()),
        };
        for q in [defaults.clone(), custom] {
            assert_eq!(WorklistQuery::from_proto(q.to_proto(), &Field::root()).unwrap(), q);
        }
        let zeros = pb::GetWorklistRequest { today: Some(day(5, 4).to_proto()), ..Default::default() };
        assert_eq!(WorklistQuery::from_proto(zeros, &Field::root()).unwrap(), defaults);
    }

    fn summary(last_contact_on: Option<NaiveDate>, phase: Phase, direction: Direction) -> ParticipantSummary {
        ParticipantSummary {
            id: ParticipantId::from_u128(1),
            display_name: "A. Tesfay".into(),
            phase,
            direction,
            project_worker: UserId::from_u128(2),
            registered_on: day(1, 5),
            limit_on: NaiveDate::from_ymd_opt(2027, 7, 4).unwrap(),
            last_contact_on,
            version: 12,
        }
    }

    #[test]
    fn summaries_round_trip() {
        let directions =
            [Direction::Undecided, Direction::LegalProcedureNl, Direction::ReturnToOrigin, Direction::ThirdCountry];
        for (i, phase) in Phase::ALL.into_iter().enumerate() {
            for direction in directions {
                let last = (i % 2 == 0).then(|| day(4, 1));
                let s = summary(last, phase, direction);
                let proto = s.to_proto();
                assert_eq!(proto.name, format!("participants/{}", s.id));
                assert_eq!(proto.etag, "12");
                assert_eq!(ParticipantSummary::from_proto(proto, &Field::root()).unwrap(), s);
            }
        }
    }

    #[test]
    fn invalid_input_names_the_field() {
        let at = Field::root();
        let e = WorklistQuery::from_proto(pb::GetWorklistRequest::default(), &at).unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        assert_eq!(field_of(&e), ("today".into(), "required".into()));
        let bad = pb::GetWorklistRequest {
            project_worker: "x".into(),
            today: Some(day(5, 4).to_proto()),
            ..Default::default()
        };
        assert_eq!(
            field_of(&WorklistQuery::from_proto(bad, &at).unwrap_err()),
            ("project_worker".into(), "not_an_id".into())
        );

        let mut w = worklist().to_proto();
        w.near_limit[0].subject = Some(pb::WorkSubject { kind: None });
        assert_eq!(
            field_of(&Worklist::from_proto(w, &at).unwrap_err()),
            ("near_limit[0].subject".into(), "required".into())
        );
        let mut w = worklist().to_proto();
        w.overdue_goals[1].subject = Some(pb::WorkSubject { kind: Some(Kind::GoalId("x".into())) });
        assert_eq!(field_of(&Worklist::from_proto(w, &at).unwrap_err()).0, "overdue_goals[1].subject.goal_id");
        let mut w = worklist().to_proto();
        w.unanswered_referrals[0].date = Some(pb::Date { year: 0, month: 1, day: 1 });
        assert_eq!(field_of(&Worklist::from_proto(w, &at).unwrap_err()).0, "unanswered_referrals[0].date");
        let mut w = worklist().to_proto();
        w.agreements_due[0].participant = String::new();
        assert_eq!(field_of(&Worklist::from_proto(w, &at).unwrap_err()).0, "agreements_due[0].participant");

        let good = summary(None, Phase::Intake, Direction::Undecided).to_proto();
        let check = |edit: &dyn Fn(&mut pb::ParticipantSummary), field: &str, code: &str| {
            let mut s = good.clone();
            edit(&mut s);
            let e = ParticipantSummary::from_proto(s, &Field::root().child("participants").index(0)).unwrap_err();
            assert_eq!(field_of(&e), (format!("participants[0].{field}"), code.to_owned()), "{field}");
        };
        check(&|s| s.name = "participant/1".into(), "name", "not_a_resource_name");
        check(&|s| s.phase = 0, "phase", "required");
        check(&|s| s.direction = 77, "direction", "unknown_value");
        check(&|s| s.project_worker = String::new(), "project_worker", "required");
        check(&|s| s.registered_on = None, "registered_on", "required");
        check(&|s| s.limit_on = Some(pb::Date { year: 2026, month: 4, day: 31 }), "limit_on", "not_a_date");
        check(&|s| s.last_contact_on = Some(pb::Date::default()), "last_contact_on", "not_a_date");
    }
}
