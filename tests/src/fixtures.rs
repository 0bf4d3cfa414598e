//! Small values the test crates share.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use perspectief_core::case::NewContact;
use perspectief_core::contact::{ContactKind, ContactLocation};
use perspectief_core::{ActivityCode, ContactId, DataCategory, Name, ParticipantProfile, Text, UserId};

/// The smallest valid participant profile: given names and the project worker, nothing else.
/// Tests that need more spell out only what they add (`ParticipantProfile { .., ..minimal }`).
pub fn minimal_profile(given_names: &str, project_worker: UserId) -> ParticipantProfile {
    ParticipantProfile::minimal(Name::parse(given_names).expect("a valid name"), project_worker)
}

/// An individual talk at the office at `at`, under activity 5.2.a(2) (orientation talks), in
/// `category`, with a fresh id and nothing else: no staff, partner, duration, agreements or
/// documents. Tests that need more spell out only what they add (`NewContact { .., ..talk }`).
pub fn talk(at: DateTime<Utc>, category: DataCategory, summary: &str) -> NewContact {
    NewContact {
        id: ContactId::from_uuid(uuid::Uuid::new_v4()),
        at,
        kind: ContactKind::IndividualTalk,
        location: ContactLocation::Office,
        staff: BTreeSet::new(),
        activities: [ActivityCode::OrientationTalks].into(),
        summary: Text::parse(summary).expect("a valid summary"),
        category,
        partner: None,
        duration_minutes: None,
        agreements: vec![],
        documents: vec![],
    }
}
