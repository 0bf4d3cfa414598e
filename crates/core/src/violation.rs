//! The stable codes of field violations, one closed list.
//!
//! A [`FieldViolation`](crate::FieldViolation) names the field, one of these codes and a message
//! for that very case. The code is what machines match on (gRPC `BadRequest.reason`, the
//! command line's translated texts, import reports); its text on the wire never changes
//! meaning once released. Adding a code here is the only way to add one: the command line's
//! test checks that every code has Dutch and English text.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares [`ViolationCode`] from one table, so the variant, its wire text and its
/// explanation cannot drift apart.
macro_rules! violation_codes {
    ($($variant:ident = $code:literal: $explanation:literal,)*) => {
        /// Why a field was refused; see the [module documentation](self).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ViolationCode {
            $(
                #[doc = concat!("`", $code, "`: ", $explanation, ".")]
                $variant,
            )*
            /// A code this version does not know, received from a newer server; the
            /// violation's message says what is wrong.
            Unrecognised,
        }

        impl ViolationCode {
            /// Every code this version knows (not [`ViolationCode::Unrecognised`]).
            pub const ALL: &'static [ViolationCode] = &[$(Self::$variant),*];

            /// The stable snake_case text of the code.
            pub const fn code(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)*
                    Self::Unrecognised => "unrecognised",
                }
            }

            /// A generic English explanation; a violation's own message is more specific.
            pub const fn explanation(self) -> &'static str {
                match self {
                    $(Self::$variant => $explanation,)*
                    Self::Unrecognised => "the value was refused",
                }
            }

            /// The code with this text, if this version knows it.
            pub fn parse(code: &str) -> Option<Self> {
                match code {
                    $($code => Some(Self::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

violation_codes! {
    Required = "required": "a value is required",
    TooLong = "too_long": "the value is too long",
    InvalidCharacters = "invalid_characters": "the value contains line breaks, control characters or characters that reverse the writing direction",
    NoVisibleCharacters = "no_visible_characters": "the value has no visible character",
    Empty = "empty": "the list is empty",
    Incomplete = "incomplete": "the input is incomplete",
    Invalid = "invalid": "the value is not valid",
    NotAUrl = "not_a_url": "not an address (a URL such as https://host:port)",
    NotAnId = "not_an_id": "not a valid id (a UUID)",
    NotADate = "not_a_date": "not a date (YYYY-MM-DD)",
    NotATimestamp = "not_a_timestamp": "not a valid moment in time",
    NotAVNumber = "not_a_v_number": "a V-number has exactly 10 digits",
    InvalidDateOfBirth = "invalid_date_of_birth": "not a date of birth (YYYY-MM-DD, YYYY-MM, YYYY, or ~YYYY when estimated)",
    ImplausibleDateOfBirth = "implausible_date_of_birth": "a date of birth more than 120 years ago is not plausible",
    NotIso3166 = "not_iso_3166": "not an ISO 3166 country code",
    NotIso639 = "not_iso_639": "not an ISO 639 language code",
    UnsupportedLanguage = "unsupported_language": "no document exists in this language",
    NotAnEmailAddress = "not_an_email_address": "not an e-mail address",
    NotAPhoneNumber = "not_a_phone_number": "not a telephone number",
    NotAnOrganisationCode = "not_an_organisation_code": "not an organisation code (2 to 16 letters, digits and single hyphens)",
    NotAnOrganisation = "not_an_organisation": "neither an organisation code nor an id",
    NotAnOrganisationKind = "not_an_organisation_kind": "not a kind of organisation",
    NotAPartnerDomain = "not_a_partner_domain": "not a partner domain",
    NotADocumentKind = "not_a_document_kind": "not a kind of document",
    UnknownActivityCode = "unknown_activity_code": "not an activity code of the plan (3.2.a to 5.2.e)",
    UnknownTheme = "unknown_theme": "not a theme of the plan",
    UnknownValue = "unknown_value": "not one of the allowed values",
    UnknownPlanRevision = "unknown_plan_revision": "the plan has no such revision",
    UnknownSheetVersion = "unknown_sheet_version": "no information sheet has this version",
    InvalidMonth = "invalid_month": "not a month (YYYY-MM)",
    InvalidVersion = "invalid_version": "not a valid version",
    InvalidFilter = "invalid_filter": "the filter cannot be read",
    NotAResourceName = "not_a_resource_name": "not a resource name of this API",
    NotAPageToken = "not_a_page_token": "not a page token this list gave out",
    NotAnEtag = "not_an_etag": "not an etag this API gave out",
    NotDecodable = "not_decodable": "the message cannot be decoded",
    NotUpdatable = "not_updatable": "this field cannot be updated",
    NothingToChange = "nothing_to_change": "nothing to change was given",
    OutOfRange = "out_of_range": "the value is out of range",
    Negative = "negative": "the value cannot be negative",
    NotPositive = "not_positive": "the value must be at least one",
    Duplicate = "duplicate": "the value is given twice",
    AlreadyExists = "already_exists": "a record with this id exists already",
    IdsMissing = "ids_missing": "every item needs an id",
    DateInFuture = "date_in_future": "the date cannot lie in the future",
    InFuture = "in_future": "the moment cannot lie in the future",
    InPast = "in_past": "the date cannot lie in the past",
    DateBeforeRegistration = "date_before_registration": "the date lies before the participant's registration",
    BeforeStart = "before_start": "the end lies before the start",
    BeforeDrawnUp = "before_drawn_up": "a plan cannot be agreed before it was drawn up",
    BeforeSet = "before_set": "the date lies before the goal was set",
    BeforeDeadline = "before_deadline": "a goal is missed only after its deadline has passed",
    BeforeGiven = "before_given": "a consent cannot be withdrawn before it was given",
    BeforeMade = "before_made": "the date lies before the agreement was made",
    BeforeLastContact = "before_last_contact": "the date lies before the last contact moment",
    ContradictsLaterFact = "contradicts_later_fact": "the date contradicts a fact the case holds with a later date",
    BeforeMeeting = "before_meeting": "the date lies before the meeting",
    BeforePreviousStep = "before_previous_step": "the date lies before the previous step",
    BelowCategoryMinimum = "below_category_minimum": "a level below the category's default level",
    ShorterThanCategory = "shorter_than_category": "shorter than the period of the category it belongs to",
    ReturnNotConsidered = "return_not_considered": "return activities need a participant who considers return",
    ReturnNotDecided = "return_not_decided": "these activities need a participant who decided to return",
    NotAllowedNow = "not_allowed_now": "not allowed in the case's present state",
    NotApplicable = "not_applicable": "this does not apply here",
    NotYetHeld = "not_yet_held": "the meeting has not taken place yet",
    HasAttendance = "has_attendance": "a session with registered attendance cannot be cancelled",
    Cancelled = "cancelled": "it was cancelled",
    Disabled = "disabled": "it is disabled",
    NotRegistration = "not_registration": "a case starts with its registration",
    NotPlanning = "not_planning": "a session starts with its planning",
    NotScheduling = "not_scheduling": "a meeting starts with its scheduling",
    OutOfSequence = "out_of_sequence": "the events are out of sequence",
    NotEmpty = "not_empty": "accounts exist already",
    NotFoundation = "not_foundation": "staff roles belong to the foundation's own organisation",
    IsFoundation = "is_foundation": "the foundation's own organisation cannot be used here",
    FoundationKind = "foundation_kind": "only the foundation's own organisation is of kind foundation",
    FoundationInactive = "foundation_inactive": "the foundation's own organisation stays active",
}

impl fmt::Display for ViolationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for ViolationCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for ViolationCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Ok(Self::parse(&text).unwrap_or(Self::Unrecognised))
    }
}

impl ViolationCode {
    /// The code as received from elsewhere (a server's `BadRequest.reason`, a stored report):
    /// an unknown text becomes [`ViolationCode::Unrecognised`] rather than an error.
    ///
    /// ```
    /// use perspectief_core::ViolationCode;
    /// assert_eq!(ViolationCode::received("too_long"), ViolationCode::TooLong);
    /// assert_eq!(ViolationCode::received("from_a_newer_server"), ViolationCode::Unrecognised);
    /// ```
    pub fn received(code: &str) -> Self {
        Self::parse(code).unwrap_or(Self::Unrecognised)
    }
}

#[cfg(test)]
mod tests {
    use super::ViolationCode;

    #[test]
    fn every_code_reads_back_and_is_snake_case() {
        for code in ViolationCode::ALL {
            assert_eq!(ViolationCode::parse(code.code()), Some(*code));
            assert!(code.code().chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
        }
        let mut texts: Vec<&str> = ViolationCode::ALL.iter().map(|c| c.code()).collect();
        texts.sort_unstable();
        texts.dedup();
        assert_eq!(texts.len(), ViolationCode::ALL.len(), "two variants share a code");
    }
}
