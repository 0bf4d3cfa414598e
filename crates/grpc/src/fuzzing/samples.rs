//! Sample values of every case command, shared by the conversion's unit tests and the seed
//! inputs of the fuzz corpus (synthetic data only).

use std::collections::BTreeSet;

use chrono::{NaiveDate, TimeZone, Utc};
use perspectief_core::contact::ContactLocation;
use perspectief_core::outflow::ZrmScore;
use perspectief_core::returns::{
    DepartureStep, DepartureStepKind, ExplorationFindings, ReanChecklist, ReintegrationPlan,
};
use perspectief_core::*;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).expect("a valid day")
}

fn text(s: &str) -> Text {
    Text::parse(s).expect("a valid sample text")
}

/// The profile the samples use (synthetic).
pub fn profile() -> ParticipantProfile {
    ParticipantProfile {
        given_names: Name::parse("Testpersoon").expect("a valid sample"),
        family_name: Some(Name::parse("Synthetisch").expect("a valid sample")),
        aliases: vec![Name::parse("T. Synthetisch").expect("a valid sample")],
        date_of_birth: Some(DateOfBirth::Estimated { year: 1990 }),
        country_of_origin: None,
        nationalities: vec![],
        languages: vec![],
        v_number: None,
        lvv_location: Some(Label::parse("LVV West").expect("a valid sample")),
        project_worker: UserId::from_u128(1),
    }
}

fn agreement(n: u128, who_acts: Responsible) -> NewAgreement {
    NewAgreement {
        id: AgreementId::from_u128(n),
        description: text("Paspoortfoto's laten maken"),
        due_on: day(20),
        who_acts,
    }
}

/// One case command of every kind, some kinds twice (optional parts present and absent):
/// synthetic data for the conversion's round-trip tests and the fuzz corpus's seeds.
pub fn case_commands() -> Vec<CaseCommand> {
    let org = OrganisationId::from_u128(101);
    let full_goal = NewGoal {
        id: GoalId::from_u128(1),
        description: text("Brondocumenten opvragen"),
        rationale: Some(text("Nodig voor de aanvraag")),
        responsible: Responsible::Staff(UserId::from_u128(2)),
        partners: vec![org, OrganisationId::from_u128(102)],
        deadline: day(31),
        next_steps: Some(text("Ambassade bellen")),
        set_on: None,
    };
    let dated_goal = full_goal.clone();
    let bare_goal = NewGoal {
        id: GoalId::from_u128(2),
        rationale: None,
        responsible: Responsible::Participant,
        partners: vec![],
        next_steps: None,
        ..full_goal.clone()
    };
    let contact = NewContact {
        id: ContactId::from_u128(3),
        at: Utc.with_ymd_and_hms(2026, 3, 2, 10, 30, 0).single().expect("a valid sample"),
        kind: ContactKind::IndividualTalk,
        location: ContactLocation::LvvLocation(Label::parse("LVV West").expect("a valid sample")),
        staff: [UserId::from_u128(1), UserId::from_u128(2)].into(),
        activities: [ActivityCode::OrientationTalks, ActivityCode::RecordProcessInPlan].into(),
        summary: text("Gesprek over de toekomst"),
        category: DataCategory::MedicalPsychosocial,
        partner: Some(org),
        duration_minutes: Some(45),
        agreements: vec![agreement(4, Responsible::Participant), agreement(5, Responsible::Partner(org))],
        documents: Vec::new(),
    };
    let bare_contact = NewContact {
        id: ContactId::from_u128(6),
        location: ContactLocation::Office,
        staff: BTreeSet::new(),
        activities: [ActivityCode::SocialGuidance].into(),
        partner: None,
        duration_minutes: None,
        agreements: vec![],
        ..contact.clone()
    };
    vec![
        CaseCommand::UpdateProfile { profile: profile() },
        CaseCommand::AssignProjectWorker { worker: UserId::from_u128(2), on: None },
        CaseCommand::ChangePhase { to: Phase::Termination, reason: text("Besproken in het ketenoverleg"), on: None },
        CaseCommand::ChangeDirection { to: Direction::ReturnToOrigin, on: day(3), reasoning: text("Wil terug") },
        CaseCommand::RecordReturnStance { stance: ReturnStance::Considering, on: day(3), note: Some(text("Twijfelt")) },
        CaseCommand::RecordReturnStance { stance: ReturnStance::NotConsidering, on: day(3), note: None },
        CaseCommand::RevisePlan { personal_situation: text("Situatie"), perspective: text("Perspectief"), on: None },
        CaseCommand::AgreePlan { revision: 2, on: day(4) },
        CaseCommand::SetGoal(full_goal),
        CaseCommand::SetGoal(bare_goal),
        CaseCommand::ChangeGoalStatus {
            goal: GoalId::from_u128(1),
            to: GoalStatus::InProgress,
            new_deadline: Some(day(30)),
            on: day(5),
        },
        CaseCommand::ChangeGoalStatus {
            goal: GoalId::from_u128(1),
            to: GoalStatus::Dropped,
            new_deadline: None,
            on: day(5),
        },
        CaseCommand::UpdateGoalSteps { goal: GoalId::from_u128(1), next_steps: text("Opnieuw bellen"), on: None },
        CaseCommand::LogContact(contact),
        CaseCommand::LogContact(bare_contact),
        CaseCommand::AddAgreement {
            agreement: agreement(7, Responsible::Staff(UserId::from_u128(1))),
            category: DataCategory::Legal,
            on: None,
        },
        CaseCommand::SettleAgreement { agreement: AgreementId::from_u128(7), fulfilled: true, on: day(6) },
        CaseCommand::SettleAgreement { agreement: AgreementId::from_u128(7), fulfilled: false, on: day(6) },
        CaseCommand::ProposeReferral {
            id: ReferralId::from_u128(8),
            partner: org,
            domain: PartnerDomain::Medical,
            reason: text("Huisarts"),
            on: None,
        },
        CaseCommand::AdvanceReferral {
            referral: ReferralId::from_u128(8),
            to: ReferralStatus::Sent,
            on: day(7),
            note: Some(text("Per mail")),
            consent_override: Some(text("Spoed: huisarts nodig, deelnemer onbereikbaar")),
        },
        CaseCommand::AdvanceReferral {
            referral: ReferralId::from_u128(8),
            to: ReferralStatus::Revoked,
            on: day(7),
            note: None,
            consent_override: None,
        },
        CaseCommand::StartReturnExploration {
            on: day(8),
            findings: ExplorationFindings {
                motivation: Some(text("Familie")),
                documents: None,
                family_contact: Some(text("Dagelijks")),
                prospects: None,
            },
        },
        CaseCommand::UpdateReturnExploration { findings: ExplorationFindings::default(), on: None },
        CaseCommand::IdentifyObstacle {
            id: ObstacleId::from_u128(9),
            kind: ObstacleKind::MissingDocuments,
            description: text("Geen paspoort"),
            partner: Some(org),
            on: day(8),
        },
        CaseCommand::IdentifyObstacle {
            id: ObstacleId::from_u128(10),
            kind: ObstacleKind::Finances,
            description: text("Geen geld"),
            partner: None,
            on: day(8),
        },
        CaseCommand::ActOnObstacle {
            obstacle: ObstacleId::from_u128(9),
            description: text("Ambassade bezocht"),
            status: ObstacleStatus::BeingAddressed,
            on: day(9),
        },
        CaseCommand::UpdateReintegrationPlan(ReintegrationPlan {
            housing: Some(text("Bij familie")),
            income_work: None,
            business_plan: Some(text("Winkel")),
            care: None,
            contacts_abroad: Some(text("IOM Asmara")),
            updated_on: None,
        }),
        CaseCommand::UpdateReintegrationPlan(ReintegrationPlan::default()),
        CaseCommand::RecordDepartureStep(DepartureStep {
            on: day(10),
            kind: DepartureStepKind::EmbassyVisit,
            note: text("Afspraak gemaakt"),
        }),
        CaseCommand::UpdateReanChecklist(ReanChecklist {
            no_assisted_return_in_five_years: Some(true),
            travel_document_obtainable: Some(false),
            agrees_procedures_end: None,
            updated_on: None,
        }),
        CaseCommand::PlanDeparture { on: Some(day(31)), accompany_to_schiphol: true },
        CaseCommand::PlanDeparture { on: None, accompany_to_schiphol: false },
        CaseCommand::RecordJudgment {
            id: JudgmentId::from_u128(11),
            verdict: Verdict::ReturnRealistic,
            finality: Finality::Provisional,
            reasoning: text("Gemotiveerd"),
            formed_on: day(11),
        },
        CaseCommand::RecordJudgmentCommunicated {
            judgment: JudgmentId::from_u128(11),
            to: Recipient::Partner(org),
            on: day(12),
            consent_override: None,
        },
        CaseCommand::RecordJudgmentCommunicated {
            judgment: JudgmentId::from_u128(11),
            to: Recipient::Municipality,
            on: day(12),
            consent_override: Some(text("De gemeente moet het oordeel kennen")),
        },
        CaseCommand::RecordConsequencesExplained { judgment: JudgmentId::from_u128(11), on: day(12) },
        CaseCommand::RecordSelfReliance {
            assessed_on: day(13),
            scores: [
                (ZrmDomain::Finances, ZrmScore::new(2).expect("a valid sample")),
                (ZrmDomain::Justice, ZrmScore::new(5).expect("a valid sample")),
            ]
            .into(),
        },
        CaseCommand::GiveConsent {
            id: ConsentId::from_u128(12),
            organisation: org,
            categories: [DataCategory::Identity, DataCategory::Return].into(),
            purpose: text("Terugkeer voorbereiden"),
            given_on: day(13),
        },
        CaseCommand::WithdrawConsent { consent: ConsentId::from_u128(12), on: day(14) },
        CaseCommand::RecordProgressReport {
            id: ReportId::from_u128(13),
            period_from: day(1),
            period_to: day(14),
            sent_to: OrganisationId::from_u128(102),
            sent_on: None,
        },
        CaseCommand::RecordOutflow {
            outcome: OutflowOutcome::DepartedIndependentlySupervised,
            on: day(15),
            note: Some(text("Vertrokken met IOM")),
        },
        CaseCommand::RecordOutflow { outcome: OutflowOutcome::Other, on: day(15), note: None },
        CaseCommand::SetConfidentiality {
            category: DataCategory::Legal,
            level: perspectief_core::ConfidentialityLevel::Geheim,
            reason: text("Procedure met verhoogd risico"),
        },
        CaseCommand::SetReportingSchedule { every_months: 2 },
        // The optional effective dates given (the day the step happened, not the day recorded).
        CaseCommand::AssignProjectWorker { worker: UserId::from_u128(2), on: Some(day(2)) },
        CaseCommand::ChangePhase { to: Phase::Orientation, reason: text("Oriëntatiegesprek"), on: Some(day(16)) },
        CaseCommand::RevisePlan {
            personal_situation: text("Situatie"),
            perspective: text("Perspectief"),
            on: Some(day(3)),
        },
        CaseCommand::SetGoal(NewGoal { id: GoalId::from_u128(14), set_on: Some(day(3)), ..dated_goal }),
        CaseCommand::UpdateGoalSteps { goal: GoalId::from_u128(1), next_steps: text("Terugbellen"), on: Some(day(5)) },
        CaseCommand::AddAgreement {
            agreement: agreement(15, Responsible::Participant),
            category: DataCategory::Guidance,
            on: Some(day(1)),
        },
        CaseCommand::ProposeReferral {
            id: ReferralId::from_u128(16),
            partner: org,
            domain: PartnerDomain::Legal,
            reason: text("Advocaat"),
            on: Some(day(6)),
        },
        CaseCommand::UpdateReturnExploration { findings: ExplorationFindings::default(), on: Some(day(9)) },
        CaseCommand::UpdateReintegrationPlan(ReintegrationPlan {
            housing: Some(text("Bij familie")),
            updated_on: Some(day(9)),
            ..ReintegrationPlan::default()
        }),
        CaseCommand::UpdateReanChecklist(ReanChecklist {
            no_assisted_return_in_five_years: Some(true),
            travel_document_obtainable: None,
            agrees_procedures_end: Some(true),
            updated_on: Some(day(10)),
        }),
        CaseCommand::RecordProgressReport {
            id: ReportId::from_u128(17),
            period_from: day(1),
            period_to: day(14),
            sent_to: org,
            sent_on: Some(day(14)),
        },
    ]
}
