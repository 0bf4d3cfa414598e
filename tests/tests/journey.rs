//! One participant's trajectory from registration to departure, as a developer embedding the
//! core would drive it, with a chain partner's view decided by consent along the way.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate, TimeZone, Utc};
use perspectief_core::returns::{ExplorationFindings, ReintegrationPlan};
use perspectief_core::*;

const WORKER: UserId = UserId::from_u128(1);
const FOUNDATION: OrganisationId = OrganisationId::from_u128(100);
const IOM: OrganisationId = OrganisationId::from_u128(101);
const POLICY: AccessPolicy = AccessPolicy { foundation: FOUNDATION };

struct Journey {
    case: Case,
    log: Vec<CaseEvent>,
    today: NaiveDate,
}

impl Journey {
    fn ctx(&self) -> CommandContext {
        CommandContext {
            actor: WORKER,
            now: Utc.from_utc_datetime(&self.today.and_hms_opt(11, 0, 0).unwrap()),
            today: self.today,
        }
    }
    fn wait(&mut self, days: u64) {
        self.today = self.today.checked_add_days(Days::new(days)).unwrap();
    }
    fn run(&mut self, cmd: CaseCommand) {
        let ctx = self.ctx();
        let events = self.case.execute(cmd, &ctx).unwrap();
        self.log.extend(events);
    }
    fn talk(&mut self, id: u128, codes: &[ActivityCode]) {
        let ctx = self.ctx();
        self.run(CaseCommand::LogContact(NewContact {
            id: ContactId::from_u128(id),
            at: ctx.now,
            kind: ContactKind::IndividualTalk,
            location: ContactLocation::Office,
            staff: BTreeSet::new(),
            activities: codes.iter().copied().collect(),
            summary: Text::parse("Gesprek (synthetische testdata).").unwrap(),
            category: DataCategory::Guidance,
            partner: None,
            duration_minutes: Some(60),
            agreements: vec![],
            documents: Vec::new(),
        }));
    }
}

fn t(s: &str) -> Text {
    Text::parse(s).unwrap()
}

#[test]
fn from_registration_to_supervised_departure() {
    let today = NaiveDate::from_ymd_opt(2026, 2, 2).unwrap();
    let input = input::RegisterParticipantInput {
        given_names: "Synthetische".into(),
        family_name: Some("Deelnemer".into()),
        date_of_birth: Some("1987".into()),
        country_of_origin: Some("GE".into()),
        nationalities: vec!["GE".into()],
        languages: vec!["ka".into(), "ru".into()],
        lvv_location: Some("LVV Zuidoost".into()),
        ..Default::default()
    };
    let register = input.into_command(ParticipantId::from_u128(1), WORKER, today).unwrap();
    let ctx = CommandContext::at(WORKER, Utc.from_utc_datetime(&today.and_hms_opt(9, 0, 0).unwrap()));
    let (case, first) = Case::register(register, &ctx).unwrap();
    let mut j = Journey { case, log: vec![first], today };

    // Orientation, plan, goal.
    j.talk(1, &[ActivityCode::OrientationTalks, ActivityCode::Communication]);
    assert_eq!(j.case.phase(), Phase::Orientation);
    j.run(CaseCommand::RecordReturnStance { stance: ReturnStance::Considering, on: j.today, note: None });
    j.run(CaseCommand::ChangeDirection {
        to: Direction::ReturnToOrigin,
        on: j.today,
        reasoning: t("Geen nieuwe feiten voor een procedure."),
    });
    j.run(CaseCommand::RevisePlan {
        personal_situation: t("Situatie."),
        perspective: t("Terugkeer voorbereiden."),
        on: None,
    });
    j.run(CaseCommand::AgreePlan { revision: 1, on: j.today });
    assert_eq!(j.case.phase(), Phase::PlanExecution);

    // The partner sees nothing until the person consents, and then only the return track.
    let iom = Actor {
        user: UserId::from_u128(9),
        organisation: IOM,
        role: Role::ChainPartner,
        grant: perspectief_core::Grant::all_categories(perspectief_core::ConfidentialityLevel::ZeerGeheim),
    };
    let can_read = |case: &Case, category, day| {
        POLICY.decide(&iom, Action::Read, &Resource::CaseData { scope: case.scope(), category }, day).is_allowed()
    };
    assert!(!can_read(&j.case, DataCategory::Return, j.today));
    j.run(CaseCommand::GiveConsent {
        id: ConsentId::from_u128(1),
        organisation: IOM,
        categories: BTreeSet::from([DataCategory::Identity, DataCategory::Return]),
        purpose: t("Ondersteuning bij vrijwillige terugkeer"),
        given_on: j.today,
    });
    assert!(can_read(&j.case, DataCategory::Return, j.today));
    assert!(!can_read(&j.case, DataCategory::Guidance, j.today));

    // Explore return, list and remove the obstacle, prepare the reintegration plan.
    j.wait(14);
    j.run(CaseCommand::StartReturnExploration {
        on: j.today,
        findings: ExplorationFindings { family_contact: Some(t("Zus in Tbilisi.")), ..Default::default() },
    });
    j.run(CaseCommand::IdentifyObstacle {
        id: ObstacleId::from_u128(1),
        kind: ObstacleKind::MissingDocuments,
        description: t("Geen paspoort."),
        partner: Some(IOM),
        on: j.today,
    });
    j.run(CaseCommand::ProposeReferral {
        id: ReferralId::from_u128(1),
        partner: IOM,
        domain: PartnerDomain::Return,
        reason: t("REAN-aanvraag"),
        on: None,
    });
    j.run(CaseCommand::AdvanceReferral {
        referral: ReferralId::from_u128(1),
        to: ReferralStatus::Sent,
        on: j.today,
        note: None,
        consent_override: None,
    });
    j.wait(7);
    j.run(CaseCommand::RecordReturnStance { stance: ReturnStance::Decided, on: j.today, note: None });
    j.run(CaseCommand::ActOnObstacle {
        obstacle: ObstacleId::from_u128(1),
        description: t("Laissez-passer ontvangen."),
        status: ObstacleStatus::Removed,
        on: j.today,
    });
    j.run(CaseCommand::UpdateReintegrationPlan(ReintegrationPlan {
        income_work: Some(t("Bakkerij, met businessplan.")),
        ..Default::default()
    }));
    j.run(CaseCommand::AdvanceReferral {
        referral: ReferralId::from_u128(1),
        to: ReferralStatus::Accepted,
        on: j.today,
        note: None,
        consent_override: None,
    });

    // A final judgment, communicated with its consequences.
    j.run(CaseCommand::RecordJudgment {
        id: JudgmentId::from_u128(1),
        verdict: Verdict::ReturnRealistic,
        finality: Finality::Final,
        reasoning: t("Documenten en plan rond."),
        formed_on: j.today,
    });
    // Outside the foundation it needs the consent a progress report needs: for the
    // municipality and for IOM, covering reports.
    for (id, organisation) in [(2, OrganisationId::from_u128(102)), (3, IOM)] {
        j.run(CaseCommand::GiveConsent {
            id: ConsentId::from_u128(id),
            organisation,
            categories: BTreeSet::from([DataCategory::Reports]),
            purpose: t("Oordeel terugkeerperspectief meedelen"),
            given_on: j.today,
        });
    }
    for to in [Recipient::Participant, Recipient::Municipality, Recipient::Partner(IOM)] {
        let judgment = JudgmentId::from_u128(1);
        j.run(CaseCommand::RecordJudgmentCommunicated { judgment, to, on: j.today, consent_override: None });
    }
    j.run(CaseCommand::RecordConsequencesExplained { judgment: JudgmentId::from_u128(1), on: j.today });
    assert!(j.case.judgments()[0].fully_communicated(&[IOM]));

    // Departure: the trajectory closes; aftercare contact remains possible.
    j.wait(30);
    j.run(CaseCommand::RecordOutflow {
        outcome: OutflowOutcome::DepartedIndependentlySupervised,
        on: j.today,
        note: None,
    });
    assert_eq!(j.case.phase(), Phase::Closed);
    // The outflow day still belongs to the trajectory (a late entry of it is recorded); the
    // next day does not.
    j.wait(1);
    let err = j
        .case
        .execute(CaseCommand::RevisePlan { personal_situation: t("x"), perspective: t("y"), on: None }, &j.ctx())
        .unwrap_err();
    assert_eq!(err.code(), "trajectory_closed");

    // The log tells the whole story, and every step counts toward an activity.
    assert_eq!(Case::replay(&j.log).unwrap(), j.case);
    let codes: BTreeSet<ActivityCode> = j.log.iter().flat_map(|e| e.change.activities()).collect();
    for expected in [
        ActivityCode::OrientationTalks,
        ActivityCode::PerspectivePlan,
        ActivityCode::ExploreReturn,
        ActivityCode::RemoveObstacles,
        ActivityCode::ReturnJudgment,
        ActivityCode::CoordinateExecution,
    ] {
        assert!(codes.contains(&expected), "{expected} missing");
    }
    let foundation_lead =
        Actor { user: UserId::from_u128(2), organisation: FOUNDATION, role: Role::ProjectLead, grant: Grant::NONE };
    assert!(
        POLICY
            .decide(
                &foundation_lead,
                Action::Export,
                &Resource::CaseData { scope: j.case.scope(), category: DataCategory::CriminalHistory },
                j.today
            )
            .is_allowed()
    );
}
