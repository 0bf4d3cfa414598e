use super::*;

/// What an organisation outside the foundation is authorised for (*autorisatie*, as in Open
/// Zaak): the data categories it may receive at all, and the highest confidentiality level.
/// The foundation's administrator sets it per organisation. A partner or municipal user sees a
/// piece of case data only when the grant **and** the participant's consent **and** the data's
/// level allow it. Without a grant ([`Grant::NONE`]) nothing is shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    /// The categories.
    pub categories: CategorySet,
    /// The highest level.
    pub max_level: ConfidentialityLevel,
}

impl Grant {
    /// No grant: nothing may be shared.
    pub const NONE: Grant = Grant { categories: CategorySet::EMPTY, max_level: ConfidentialityLevel::Openbaar };

    /// A grant of every category up to `max_level` (what the role rules allow still limits
    /// it: criminal history never leaves the foundation).
    pub fn all_categories(max_level: ConfidentialityLevel) -> Grant {
        Grant { categories: DataCategory::ALL.into_iter().collect(), max_level }
    }

    /// Whether it allows data of this category at this level.
    pub const fn allows(&self, category: DataCategory, level: ConfidentialityLevel) -> bool {
        self.categories.contains(category) && level as u8 <= self.max_level as u8
    }
}

impl Default for Grant {
    fn default() -> Self {
        Self::NONE
    }
}

/// A participant's consent: which organisation may receive which categories, for which
/// purpose, from when, until withdrawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// Id.
    pub id: ConsentId,
    /// The receiving organisation.
    pub organisation: OrganisationId,
    /// The categories it may receive.
    pub categories: BTreeSet<DataCategory>,
    /// For which purpose.
    pub purpose: Text,
    /// The day it was given.
    pub given_on: NaiveDate,
    /// The day it was withdrawn, if it was. Withdrawal takes effect that same day.
    pub withdrawn_on: Option<NaiveDate>,
    /// Who recorded it.
    pub recorded_by: UserId,
}

impl Consent {
    /// In force on `day`: given on or before it, not withdrawn on or before it.
    pub fn is_active_on(&self, day: NaiveDate) -> bool {
        self.given_on <= day && self.withdrawn_on.is_none_or(|w| day < w)
    }

    /// Covers this organisation and category on `day`.
    pub fn covers(&self, organisation: OrganisationId, category: DataCategory, day: NaiveDate) -> bool {
        self.organisation == organisation && self.categories.contains(&category) && self.is_active_on(day)
    }
}

/// The first consent that covers an organisation and category on a day.
pub fn covering_consent(
    consents: &[Consent],
    organisation: OrganisationId,
    category: DataCategory,
    day: NaiveDate,
) -> Option<&Consent> {
    consents.iter().find(|c| c.covers(organisation, category, day))
}
