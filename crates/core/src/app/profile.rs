//! A partial update of a participant's profile (the CLI's `participant update`, the API's
//! `UpdateParticipant` with its field mask): the rule of the merge, once.
//!
//! The fields that can be named are [`ProfileField`]s (the project worker changes with
//! `AssignProjectWorker`, the registration date not at all). A named field is taken from the
//! given profile, and cleared when the given profile leaves it empty; a field not named keeps
//! its current value. Each adapter keeps its own shape of a profile (the CLI's typed input, the
//! API's message) and only says how to take one field of it ([`ProfileFields`]), so the merge
//! happens before the adapter's own checks, which name fields in the adapter's terms.

use crate::input::RegisterParticipantInput;

/// A profile field a partial update may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProfileField {
    /// Given name(s) (required: cannot be cleared, only replaced).
    GivenNames,
    /// Family name.
    FamilyName,
    /// Other names.
    Aliases,
    /// Date of birth.
    DateOfBirth,
    /// Country of origin.
    CountryOfOrigin,
    /// Nationalities.
    Nationalities,
    /// Languages.
    Languages,
    /// IND V-number.
    VNumber,
    /// LVV location.
    LvvLocation,
}

impl ProfileField {
    /// Every field a partial update may name, in the profile's order.
    pub const ALL: [ProfileField; 9] = [
        Self::GivenNames,
        Self::FamilyName,
        Self::Aliases,
        Self::DateOfBirth,
        Self::CountryOfOrigin,
        Self::Nationalities,
        Self::Languages,
        Self::VNumber,
        Self::LvvLocation,
    ];

    /// Stable snake_case name (the field's name in the profile).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::GivenNames => "given_names",
            Self::FamilyName => "family_name",
            Self::Aliases => "aliases",
            Self::DateOfBirth => "date_of_birth",
            Self::CountryOfOrigin => "country_of_origin",
            Self::Nationalities => "nationalities",
            Self::Languages => "languages",
            Self::VNumber => "v_number",
            Self::LvvLocation => "lvv_location",
        }
    }

    /// The field of this name, if a partial update may name it.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// A profile in an adapter's shape: how to take one field from another profile of that shape
/// (translation only; which fields, and when, is [`merge_profile`]'s).
pub trait ProfileFields: Clone {
    /// Replace `field` of `self` with that of `given` (empty in `given`: cleared).
    fn take(&mut self, field: ProfileField, given: &Self);
}

/// The fields `given` fills in (not left empty): what a request without a field mask names
/// (AIP-134), and the CLI's flags.
pub fn filled_in<T: ProfileFields + Default + PartialEq>(given: &T) -> Vec<ProfileField> {
    let blank = T::default();
    ProfileField::ALL
        .into_iter()
        .filter(|field| {
            let mut probe = blank.clone();
            probe.take(*field, given);
            probe != blank
        })
        .collect()
}

/// `current` with the named `fields` taken from `given` (a named field `given` leaves empty is
/// cleared); every other field keeps its current value.
///
/// ```
/// use perspectief_core::app::profile::{ProfileField, merge_profile};
/// use perspectief_core::input::RegisterParticipantInput;
///
/// let current = RegisterParticipantInput {
///     given_names: "Amanuel".into(),
///     family_name: Some("Tesfaye".into()),
///     lvv_location: Some("Havenstraat".into()),
///     ..Default::default()
/// };
/// let given = RegisterParticipantInput { lvv_location: Some("Jan Tooropstraat".into()), ..Default::default() };
/// let merged = merge_profile(&current, &given, [ProfileField::LvvLocation, ProfileField::FamilyName]);
/// assert_eq!(merged.given_names, "Amanuel");
/// assert_eq!(merged.family_name, None, "named and left empty: cleared");
/// assert_eq!(merged.lvv_location.as_deref(), Some("Jan Tooropstraat"));
/// ```
pub fn merge_profile<T: ProfileFields>(current: &T, given: &T, fields: impl IntoIterator<Item = ProfileField>) -> T {
    let mut merged = current.clone();
    for field in fields {
        merged.take(field, given);
    }
    merged
}

/// Implements [`ProfileFields`] for a profile type whose fields are named as the profile's
/// (the CLI's typed input here, the API's profile message in the gRPC crate): taking a field is
/// cloning it, so the translation is written once.
#[macro_export]
macro_rules! profile_fields {
    ($t:ty) => {
        impl $crate::app::profile::ProfileFields for $t {
            fn take(&mut self, field: $crate::app::profile::ProfileField, given: &Self) {
                use $crate::app::profile::ProfileField as F;
                match field {
                    F::GivenNames => self.given_names.clone_from(&given.given_names),
                    F::FamilyName => self.family_name.clone_from(&given.family_name),
                    F::Aliases => self.aliases.clone_from(&given.aliases),
                    F::DateOfBirth => self.date_of_birth.clone_from(&given.date_of_birth),
                    F::CountryOfOrigin => self.country_of_origin.clone_from(&given.country_of_origin),
                    F::Nationalities => self.nationalities.clone_from(&given.nationalities),
                    F::Languages => self.languages.clone_from(&given.languages),
                    F::VNumber => self.v_number.clone_from(&given.v_number),
                    F::LvvLocation => self.lvv_location.clone_from(&given.lvv_location),
                }
            }
        }
    };
}

profile_fields!(RegisterParticipantInput);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_its_name_and_fields_not_named_are_kept() {
        for f in ProfileField::ALL {
            assert_eq!(ProfileField::parse(f.as_str()), Some(f));
        }
        assert_eq!(ProfileField::parse("project_worker"), None, "changed by AssignProjectWorker");
        let current = RegisterParticipantInput {
            given_names: "A".into(),
            aliases: vec!["B".into()],
            languages: vec!["nl".into()],
            ..Default::default()
        };
        let given = RegisterParticipantInput { languages: vec!["ti".into(), "en".into()], ..Default::default() };
        let merged = merge_profile(&current, &given, [ProfileField::Languages]);
        assert_eq!((merged.given_names.as_str(), merged.aliases.len()), ("A", 1));
        assert_eq!(merged.languages, ["ti", "en"]);
        assert_eq!(merge_profile(&current, &given, []), current);
        assert_eq!(filled_in(&current), [ProfileField::GivenNames, ProfileField::Aliases, ProfileField::Languages]);
    }
}
