//! Identifiers. Every record has an internal id (a UUID) that is never derived from personal
//! data, so it can be logged, shared in reports and drilled down on without revealing who it is.
//!
//! The core never generates ids itself (randomness, like the clock, is input): adapters create
//! them, typically as UUIDv7, and pass them in with the command.

use crate::ViolationCode;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ValueError;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wrap a UUID made by the caller.
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// Convenience for tests and fixtures: an id from a number.
            pub const fn from_u128(n: u128) -> Self {
                Self(Uuid::from_u128(n))
            }

            /// The underlying UUID.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }

            /// Parse the textual form (hyphenated UUID).
            pub fn parse(s: &str) -> Result<Self, ValueError> {
                Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|_| ValueError::new(ViolationCode::NotAnId, format!("{} is not a valid id (expected a UUID such as 0192f0c1-7c3e-7000-8000-000000000000)", $crate::error::echo(s))))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl FromStr for $name {
            type Err = ValueError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

id_type!(
    /// A participant (*deelnemer*) and, with it, their case file.
    ParticipantId
);
id_type!(
    /// A person who uses the system: a staff member of the foundation or an employee of a
    /// chain partner or the municipality.
    UserId
);
id_type!(
    /// An organisation: the foundation itself, the municipality, or a chain partner.
    OrganisationId
);
id_type!(
    /// A goal in a perspective plan.
    GoalId
);
id_type!(
    /// An agreement (*afspraak*).
    AgreementId
);
id_type!(
    /// A contact moment (*contactmoment*).
    ContactId
);
id_type!(
    /// A referral (*doorverwijzing*) to a chain partner.
    ReferralId
);
id_type!(
    /// A return obstacle (*belemmering*).
    ObstacleId
);
id_type!(
    /// A return judgment (*oordeel terugkeerperspectief*).
    JudgmentId
);
id_type!(
    /// A consent record.
    ConsentId
);
id_type!(
    /// An information session (*informatiebijeenkomst*).
    SessionId
);
id_type!(
    /// A chain-partner meeting (*ketenoverleg*).
    MeetingId
);
id_type!(
    /// A progress report (*rapportage*) sent to the municipal case manager.
    ReportId
);
id_type!(
    /// A subsidy period with its targets.
    SubsidyPeriodId
);
id_type!(
    /// An access token (its public part; the secret is never stored).
    TokenId
);
id_type!(
    /// A break-glass access: an emergency read of a case outside the access matrix, recorded
    /// with its reason for review.
    BreakGlassId
);
id_type!(
    /// A consent override: a project lead's recorded decision to send a referral without a
    /// covering consent, with its reason, listed for review.
    ConsentOverrideId
);
id_type!(
    /// A request to erase a participant before their retention periods end (GDPR art. 17),
    /// made by a project lead and carried out only on a second person's confirmation.
    ErasureRequestId
);
id_type!(
    /// A legal hold on a participant: while it is set, nothing of the person is erased.
    LegalHoldId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text() {
        let id = ParticipantId::from_u128(42);
        assert_eq!(ParticipantId::parse(&id.to_string()), Ok(id));
    }

    #[test]
    fn garbage_is_not_an_id() {
        let err = GoalId::parse("goal-1").unwrap_err();
        assert_eq!(err.code, crate::ViolationCode::NotAnId);
    }
}
