//! Small values the test crates share.

use perspectief_core::{Name, ParticipantProfile, UserId};

/// The smallest valid participant profile: given names and the project worker, nothing else.
/// Tests that need more spell out only what they add (`ParticipantProfile { .., ..minimal }`).
pub fn minimal_profile(given_names: &str, project_worker: UserId) -> ParticipantProfile {
    ParticipantProfile {
        given_names: Name::parse(given_names).expect("a valid name"),
        family_name: None,
        aliases: vec![],
        date_of_birth: None,
        country_of_origin: None,
        nationalities: vec![],
        languages: vec![],
        v_number: None,
        lvv_location: None,
        project_worker,
    }
}
