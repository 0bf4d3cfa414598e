//! # perspectief-core
//!
//! The domain of Perspectief: case management for undocumented people in Amsterdam's LVV
//! shelters, working within at most 18 months toward a durable perspective — a legal procedure
//! in the Netherlands, or voluntary return to the country of origin or a third country.
//!
//! This crate is pure: no I/O, no async runtime, no database, no clock. Time and ids are passed
//! in, so every rule is deterministic and testable, and the crate can be embedded anywhere.
//!
//! ## What lives where
//!
//! - [`case`]: the case file of one participant ([`Case`]), its commands, changes and events.
//! - [`trajectory`]: phases and their legal transitions; the 18-month limit.
//! - [`plan`], [`contact`], [`returns`], [`outflow`]: the records of the case file.
//! - [`session`] and [`meeting`]: information sessions and chain-partner meetings.
//! - [`activity`]: the plan's activity codes, themes, subsidy periods and targets.
//! - [`report`]: the subsidy report, progress reports and the chain meeting's agenda.
//! - [`access`]: consent and the access policy (the full matrix is on that page).
//! - [`accounts`]: user accounts and access tokens.
//! - [`organisation`]: the organisations register (the foundation, the municipality, the chain
//!   partners) and the staff directory ([`organisation::DirectoryService`]).
//! - [`input`]: validated input structs for adapters, with field-level errors.
//! - [`error`]: [`DomainError`] and its stable codes.
//! - [`privacy`]: the subject access export, signed checkpoints of the access log, break-glass
//!   access ([`privacy::PrivacyService`]).
//! - [`retention`]: retention periods per data category after outflow, and the redaction of
//!   expired content (GDPR art. 17, storage limitation).
//! - [`service`]: the application API ([`service::PerspectiefService`]) that the store, the gRPC
//!   server and its client implement, with the access-log types.
//! - [`time`]: Amsterdam dates from UTC instants.
//!
//! ## Embedding the core
//!
//! Register a participant, draw up a plan, set a goal with a deadline, and see the goal become
//! overdue once the deadline has passed:
//!
//! ```
//! use std::collections::BTreeSet;
//! use chrono::{NaiveDate, TimeZone, Utc};
//! use perspectief_core::*;
//!
//! let worker = UserId::from_u128(1);
//! let now = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
//! let ctx = CommandContext::at(worker, now);
//!
//! // Register: the trajectory starts today and ends at most 18 months later.
//! let input = input::RegisterParticipantInput {
//!     given_names: "Amanuel".into(),
//!     family_name: Some("Tesfay".into()),
//!     date_of_birth: Some("~1994".into()),
//!     country_of_origin: Some("ER".into()),
//!     nationalities: vec!["ER".into()],
//!     languages: vec!["ti".into(), "en".into()],
//!     v_number: Some("12 3456 7890".into()),
//!     lvv_location: Some("LVV Amsterdam-West".into()),
//!     ..Default::default()
//! };
//! let register = input.into_command(ParticipantId::from_u128(7), worker, ctx.today).unwrap();
//! let (mut case, _registered) = Case::register(register, &ctx).unwrap();
//! assert_eq!(case.phase(), Phase::Intake);
//! assert_eq!(case.trajectory().limit(), NaiveDate::from_ymd_opt(2028, 5, 27).unwrap());
//!
//! // Goals belong to a plan: without one, the rule says what to do first.
//! let goal = NewGoal {
//!     id: GoalId::from_u128(1),
//!     description: Text::parse("BronDocumenten opvragen bij de ambassade").unwrap(),
//!     rationale: None,
//!     responsible: Responsible::Participant,
//!     partners: vec![],
//!     deadline: NaiveDate::from_ymd_opt(2026, 12, 15).unwrap(),
//!     next_steps: None,
//!     set_on: None,
//! };
//! let err = case.execute(CaseCommand::SetGoal(goal.clone()), &ctx).unwrap_err();
//! assert_eq!(err.code(), "plan_required");
//!
//! // Draw up the plan, then set the goal.
//! case.execute(CaseCommand::RevisePlan {
//!     personal_situation: Text::parse("Verblijft sinds 2019 in Nederland.").unwrap(),
//!     perspective: Text::parse("Onderzoeken van juridische mogelijkheden.").unwrap(),
//!     on: None,
//! }, &ctx).unwrap();
//! let events = case.execute(CaseCommand::SetGoal(goal), &ctx).unwrap();
//! assert_eq!(events[0].change.activities(), vec![ActivityCode::MonitorGoals]);
//!
//! // On 15 December the goal is due; the day after, it is overdue and surfaces.
//! let dec15 = NaiveDate::from_ymd_opt(2026, 12, 15).unwrap();
//! assert_eq!(case.overdue_goals(dec15).count(), 0);
//! assert_eq!(case.goals_due_within(dec15, 7).count(), 1);
//! let dec16 = dec15.succ_opt().unwrap();
//! assert_eq!(case.overdue_goals(dec16).count(), 1);
//! ```
//!
//! Every change yields a [`CaseEvent`] carrying the actor, the time, the case version and the
//! activity codes it is accounted under; adapters store it together with the new state and
//! feed the audit log and the partner event stream from it.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod access;
pub mod accounts;
pub mod activity;
pub mod app;
pub mod case;
pub mod codes;
pub mod contact;
pub mod document;
pub mod erasure;
pub mod error;
// Fuzz targets and their samples: built for tests and the fuzz crate only, never into a
// deployment.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
pub mod ids;
pub mod input;
pub mod late;
pub mod meeting;
pub mod organisation;
pub mod outflow;
pub mod participant;
pub mod plan;
pub mod privacy;
pub mod report;
pub mod retention;
pub mod returns;
pub mod service;
pub mod session;
pub mod text;
pub mod time;
pub mod trajectory;
pub mod view;
pub mod violation;

pub use access::{
    AccessPolicy, Action, Actor, Basis, CaseLevels, ConfidentialityLevel, Consent, DataCategory, Decision, DenyReason,
    Grant, Resource, Role,
};
pub use activity::{ActivityCode, PeriodLookup, SubsidyPeriod, Target, TargetMeasure, Theme};
pub use case::{
    Case, CaseChange, CaseCommand, CaseEvent, CommandContext, LaterFact, NewAgreement, NewContact, NewGoal, NotNow,
    RegisterParticipant,
};
pub use codes::{CountryCode, LanguageCode};
pub use contact::{ContactKind, ContactLocation, ContactMoment, PartnerDomain, Referral, ReferralStatus};
pub use error::{DomainError, EntityKind, FieldViolation, Rule, ValueError, ViolationCode, Violations};
pub use ids::{
    AgreementId, BreakGlassId, ConsentId, ConsentOverrideId, ContactId, ErasureRequestId, GoalId, JudgmentId,
    LegalHoldId, MeetingId, ObstacleId, OrganisationId, ParticipantId, ReferralId, ReportId, SessionId,
    SubsidyPeriodId, TokenId, UserId,
};
pub use meeting::{Advice, AgendaReason, ChainMeeting, ChainMeetingRecord, ChainStep, MeetingCommand};
pub use organisation::{
    DirectoryService, NamedOrganisation, Organisation, OrganisationCode, OrganisationFilter, OrganisationKind,
    OrganisationRef, StaffMember,
};
pub use outflow::{Durability, Outflow, OutflowOutcome, ZrmDomain, ZrmScore};
pub use participant::{DateOfBirth, Nationality, ParticipantProfile, VNumber};
pub use plan::{Agreement, AgreementStatus, Direction, Goal, GoalStatus, PlanRevision, Responsible, ReturnStance};
pub use retention::{RetentionPeriod, RetentionPlan, RetentionPolicy, RetentionReport};
pub use returns::{Finality, ObstacleKind, ObstacleStatus, Recipient, ReturnJudgment, Verdict};
pub use session::{InformationSession, PlanSession, SessionCommand, SessionTopic};
pub use text::{Label, Name, Text};
pub use trajectory::{LimitStatus, Phase};
