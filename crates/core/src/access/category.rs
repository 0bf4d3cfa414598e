use super::*;

/// A category of personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataCategory {
    /// Who the person is: names, date of birth, nationality, V-number, location.
    Identity,
    /// The case file's core: plan, goals, agreements, contact moments, referrals.
    Guidance,
    /// Legal status and procedures.
    Legal,
    /// Medical and psychosocial information (GDPR art. 9).
    MedicalPsychosocial,
    /// Criminal history (GDPR art. 10).
    CriminalHistory,
    /// The return track: exploration, obstacles, reintegration, departure, judgment.
    Return,
    /// Progress reports to the municipal case manager.
    Reports,
}

impl DataCategory {
    /// All categories.
    pub const ALL: [DataCategory; 7] = [
        Self::Identity,
        Self::Guidance,
        Self::Legal,
        Self::MedicalPsychosocial,
        Self::CriminalHistory,
        Self::Return,
        Self::Reports,
    ];

    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Guidance => "guidance",
            Self::Legal => "legal",
            Self::MedicalPsychosocial => "medical_psychosocial",
            Self::CriminalHistory => "criminal_history",
            Self::Return => "return",
            Self::Reports => "reports",
        }
    }
}

impl fmt::Display for DataCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl DataCategory {
    /// Position in [`DataCategory::ALL`].
    const fn index(self) -> usize {
        self as usize
    }

    /// The confidentiality level a case's data of this category has unless the case raises it:
    /// the foundation's floor per category. Identity, guidance and reports are
    /// *zaakvertrouwelijk* (for those working on the case), legal status and the return track
    /// *vertrouwelijk*, medical/psychosocial content *geheim* and criminal history
    /// *zeer geheim*.
    pub const fn default_level(self) -> ConfidentialityLevel {
        use ConfidentialityLevel as L;
        match self {
            Self::Identity | Self::Guidance | Self::Reports => L::Zaakvertrouwelijk,
            Self::Legal | Self::Return => L::Vertrouwelijk,
            Self::MedicalPsychosocial => L::Geheim,
            Self::CriminalHistory => L::ZeerGeheim,
        }
    }

    /// Whether this category's content is hidden from foundation staff who do not need it
    /// (field-level need-to-know: only the participant's own project worker reads it).
    pub const fn is_need_to_know(self) -> bool {
        matches!(self, Self::MedicalPsychosocial | Self::CriminalHistory)
    }

    /// The category named by its stable name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// A confidentiality level (*vertrouwelijkheidaanduiding*), the eight levels of the ZGW APIs
/// (Open Zaak), lowest first. Every piece of case data carries one (see [`CaseLevels`]); a
/// partner organisation's [`Grant`] says up to which level it may receive data at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfidentialityLevel {
    /// *openbaar*.
    Openbaar,
    /// *beperkt openbaar*.
    BeperktOpenbaar,
    /// *intern*.
    Intern,
    /// *zaakvertrouwelijk*.
    Zaakvertrouwelijk,
    /// *vertrouwelijk*.
    Vertrouwelijk,
    /// *confidentieel*.
    Confidentieel,
    /// *geheim*.
    Geheim,
    /// *zeer geheim*.
    ZeerGeheim,
}

impl ConfidentialityLevel {
    /// All levels, lowest first.
    pub const ALL: [ConfidentialityLevel; 8] = [
        Self::Openbaar,
        Self::BeperktOpenbaar,
        Self::Intern,
        Self::Zaakvertrouwelijk,
        Self::Vertrouwelijk,
        Self::Confidentieel,
        Self::Geheim,
        Self::ZeerGeheim,
    ];

    /// The ZGW name (`openbaar`, `beperkt_openbaar`, ..., `zeer_geheim`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Openbaar => "openbaar",
            Self::BeperktOpenbaar => "beperkt_openbaar",
            Self::Intern => "intern",
            Self::Zaakvertrouwelijk => "zaakvertrouwelijk",
            Self::Vertrouwelijk => "vertrouwelijk",
            Self::Confidentieel => "confidentieel",
            Self::Geheim => "geheim",
            Self::ZeerGeheim => "zeer_geheim",
        }
    }

    /// The level named by its ZGW name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == name)
    }
}

impl fmt::Display for ConfidentialityLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The confidentiality level of each data category of one case: the category's
/// [`DataCategory::default_level`] unless the case raised it.
///
/// ```
/// use perspectief_core::access::{CaseLevels, ConfidentialityLevel, DataCategory};
/// let levels = CaseLevels::DEFAULT.with(DataCategory::Legal, ConfidentialityLevel::Geheim);
/// assert_eq!(levels.of(DataCategory::Legal), ConfidentialityLevel::Geheim);
/// assert_eq!(levels.of(DataCategory::Return), ConfidentialityLevel::Vertrouwelijk);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CaseLevels([ConfidentialityLevel; 7]);

impl CaseLevels {
    /// Every category at its default level.
    pub const DEFAULT: CaseLevels = CaseLevels([
        DataCategory::Identity.default_level(),
        DataCategory::Guidance.default_level(),
        DataCategory::Legal.default_level(),
        DataCategory::MedicalPsychosocial.default_level(),
        DataCategory::CriminalHistory.default_level(),
        DataCategory::Return.default_level(),
        DataCategory::Reports.default_level(),
    ]);

    /// The level of a category.
    pub const fn of(&self, category: DataCategory) -> ConfidentialityLevel {
        self.0[category.index()]
    }

    /// The same levels with one category's changed.
    pub const fn with(mut self, category: DataCategory, level: ConfidentialityLevel) -> Self {
        self.0[category.index()] = level;
        self
    }
}

impl Default for CaseLevels {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A set of data categories, small and copyable (for [`Grant`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CategorySet(u8);

impl CategorySet {
    /// No category.
    pub const EMPTY: CategorySet = CategorySet(0);

    /// Whether it holds a category.
    pub const fn contains(self, category: DataCategory) -> bool {
        self.0 & (1 << category.index()) != 0
    }

    /// The set with one more category.
    pub const fn with(self, category: DataCategory) -> Self {
        CategorySet(self.0 | (1 << category.index()))
    }

    /// The categories, in [`DataCategory::ALL`]'s order.
    pub fn iter(self) -> impl Iterator<Item = DataCategory> {
        DataCategory::ALL.into_iter().filter(move |c| self.contains(*c))
    }
}

impl FromIterator<DataCategory> for CategorySet {
    fn from_iter<I: IntoIterator<Item = DataCategory>>(iter: I) -> Self {
        iter.into_iter().fold(Self::EMPTY, CategorySet::with)
    }
}
