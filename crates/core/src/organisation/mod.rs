//! The organisations register: the foundation itself, the municipality and the chain partners,
//! kept once in the database by the administrator, instead of as ids each staff member invents.
//!
//! An [`Organisation`] has an id (what case data, accounts, grants and consents refer to), a
//! short [`OrganisationCode`] staff type (`IOM`, `ASKV`, `GEMEENTE`; unique, case-insensitive,
//! stored upper-case), a name, an [`OrganisationKind`], the [`PartnerDomain`]s it serves,
//! optional [`ContactDetails`] (the organisation's own, never a person's) and whether it is
//! active. Everything in it is *directory data*: what a chain partner may read about the other
//! organisations in the chain (see [`crate::access`], `Resource::Organisations`).
//!
//! Every organisation a command names must be registered; a new reference (a referral, a
//! consent, a goal's or agreement's partner, an account) also needs it to be active. The
//! command says which organisations it names ([`CaseCommand::organisations`],
//! [`PlanSession::organisations`]); the store looks them up in the write transaction and
//! [`NamedOrganisation::check`] decides.
//!
//! ```
//! use std::collections::BTreeSet;
//! use perspectief_core::organisation::*;
//! use perspectief_core::{OrganisationId, PartnerDomain};
//!
//! let foundation = OrganisationId::from_u128(100);
//! let input = OrganisationInput {
//!     code: "iom".into(),
//!     name: "IOM Nederland".into(),
//!     kind: "international_organisation".into(),
//!     domains: vec!["return".into(), "medical".into()],
//!     email: Some("info@iom.example".into()),
//!     ..Default::default()
//! };
//! let iom = input.into_organisation(OrganisationId::from_u128(7), foundation).unwrap();
//! assert_eq!(iom.code.as_str(), "IOM", "codes are stored upper-case");
//! assert_eq!(iom.domains, BTreeSet::from([PartnerDomain::Medical, PartnerDomain::Return]));
//! assert!(iom.active);
//!
//! // Staff type the code in any case; an id works too.
//! assert_eq!(OrganisationRef::parse("Iom").unwrap(), OrganisationRef::Code(iom.code.clone()));
//!
//! // Invalid values cannot exist: every problem is named at once.
//! let bad = OrganisationInput { code: "I O M".into(), name: " ".into(), kind: "bank".into(), ..Default::default() };
//! let err = bad.into_organisation(OrganisationId::from_u128(8), foundation).unwrap_err();
//! let fields: Vec<&str> = err.violations().unwrap().iter().map(|v| v.field.as_str()).collect();
//! assert_eq!(fields, ["code", "kind", "name"]);
//!
//! // An inactive organisation stays readable but takes no new referrals, consents or accounts.
//! let retired = iom.changed(&OrganisationChanges { active: Some(false), ..Default::default() }, foundation).unwrap();
//! let named = NamedOrganisation { organisation: retired.id, new_reference: true };
//! assert_eq!(named.check(Some(&retired)).unwrap_err().code(), "organisation_inactive");
//! assert_eq!(named.check(None).unwrap_err().code(), "not_found");
//! ```

use crate::ViolationCode;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;

use serde::{Deserialize, Serialize};
use validator::{Validate, ValidateEmail, ValidationError};

use crate::access::Role;
use crate::case::CaseCommand;
use crate::contact::PartnerDomain;
use crate::error::{Collector, DomainError, EntityKind, Rule, ValueError};
use crate::ids::{OrganisationId, UserId};
use crate::plan::Responsible;
use crate::returns::Recipient;
use crate::service::{Caller, Page, PageRequest};
use crate::session::PlanSession;
use crate::text::Label;

/// The short code staff type for an organisation (`IOM`, `ASKV`, `GEMEENTE`, `DT-V`): 2 to 16
/// letters, digits and hyphens, starting and ending with a letter or digit. Case-insensitive:
/// it is kept upper-case, so `iom` and `IOM` are the same code. A code can never be read as
/// an id (an id is a 36-character UUID), so wherever staff name an organisation either works.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrganisationCode(String);

impl OrganisationCode {
    /// Shortest accepted code, in characters.
    pub const MIN_CHARS: usize = 2;
    /// Longest accepted code, in characters.
    pub const MAX_CHARS: usize = 16;

    /// Trim, upper-case and check a code.
    ///
    /// ```
    /// use perspectief_core::organisation::OrganisationCode;
    /// assert_eq!(OrganisationCode::parse(" dt-v ").unwrap().as_str(), "DT-V");
    /// assert_eq!(OrganisationCode::parse("IOM NL").unwrap_err().code, perspectief_core::ViolationCode::NotAnOrganisationCode);
    /// assert_eq!(OrganisationCode::parse("-IOM").unwrap_err().code, perspectief_core::ViolationCode::NotAnOrganisationCode);
    /// ```
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        let code = crate::error::trimmed_within(value, Self::MAX_CHARS)?.to_ascii_uppercase();
        let len = code.chars().count();
        let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        let ok = len >= Self::MIN_CHARS
            && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && edge_ok(code.chars().next())
            && edge_ok(code.chars().last())
            && !code.contains("--");
        if !ok {
            return Err(ValueError::new(
                ViolationCode::NotAnOrganisationCode,
                format!(
                    "{} is not an organisation code: {} to {} letters, digits and single hyphens, starting and ending with a letter or digit (such as IOM, GEMEENTE, DT-V)",
                    crate::error::echo(value),
                    Self::MIN_CHARS,
                    Self::MAX_CHARS
                ),
            ));
        }
        Ok(Self(code))
    }

    /// The code an organisation gets when it is registered from an id already in use, before
    /// anyone named it: `ORG-` and the first eight hex digits of the id, or, when `taken` says
    /// that code is someone else's, the last eight, then those with `-2`, `-3`, ... appended.
    ///
    /// ```
    /// use perspectief_core::OrganisationId;
    /// use perspectief_core::organisation::OrganisationCode;
    /// let id = OrganisationId::parse("0192f0c1-7c3e-7000-8000-00000000a1b2").unwrap();
    /// assert_eq!(OrganisationCode::generated(id, |_| false).as_str(), "ORG-0192F0C1");
    /// let taken = |c: &OrganisationCode| c.as_str() == "ORG-0192F0C1";
    /// assert_eq!(OrganisationCode::generated(id, taken).as_str(), "ORG-0000A1B2");
    /// ```
    pub fn generated(id: OrganisationId, taken: impl Fn(&OrganisationCode) -> bool) -> Self {
        let hex = id.as_uuid().simple().to_string().to_ascii_uppercase();
        let (first, last) = (&hex[..8], &hex[hex.len() - 8..]);
        let mut candidates = vec![format!("ORG-{first}"), format!("ORG-{last}")];
        candidates.extend((2..).take(10_000).map(|n: u32| format!("ORG-{last}-{n}")));
        candidates
            .into_iter()
            .map(Self)
            .find(|c| !taken(c))
            // Ten thousand codes taken by others: fall back to the first (the store's unique
            // index then refuses it rather than merging two organisations).
            .unwrap_or_else(|| Self(format!("ORG-{first}")))
    }

    /// The code, upper-case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrganisationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for OrganisationCode {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OrganisationCode> for String {
    fn from(value: OrganisationCode) -> String {
        value.0
    }
}

/// What kind of organisation it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    /// The foundation itself (exactly one: the organisation of the access policy).
    Foundation,
    /// A municipality (*gemeente*), e.g. its case managers.
    Municipality,
    /// A government agency (IND, DT&V, AVIM).
    GovernmentAgency,
    /// A non-governmental organisation (ASKV, VluchtelingenWerk, HVO Querido).
    Ngo,
    /// Medical care (Kruispost, GGD).
    Medical,
    /// An international organisation (IOM).
    InternationalOrganisation,
}

impl OrganisationKind {
    /// All kinds.
    pub const ALL: [OrganisationKind; 6] = [
        Self::Foundation,
        Self::Municipality,
        Self::GovernmentAgency,
        Self::Ngo,
        Self::Medical,
        Self::InternationalOrganisation,
    ];

    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Foundation => "foundation",
            Self::Municipality => "municipality",
            Self::GovernmentAgency => "government_agency",
            Self::Ngo => "ngo",
            Self::Medical => "medical",
            Self::InternationalOrganisation => "international_organisation",
        }
    }

    /// The kind of a stable name.
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        let v = value.trim();
        Self::ALL.into_iter().find(|k| k.as_str().eq_ignore_ascii_case(v)).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
            ValueError::new(
                ViolationCode::NotAnOrganisationKind,
                format!("{} is not a kind of organisation (one of {})", crate::error::echo(v), names.join(", ")),
            )
        })
    }
}

impl fmt::Display for OrganisationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An organisation's telephone number: 6 to 32 characters of digits, spaces and `+ - ( ) . /`,
/// a `+` only in front, at least six digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Longest accepted number, in characters.
    pub const MAX_CHARS: usize = 32;

    /// Trim and check a number.
    ///
    /// ```
    /// use perspectief_core::organisation::PhoneNumber;
    /// assert!(PhoneNumber::parse("+31 (0)20 123 4567").is_ok());
    /// assert_eq!(PhoneNumber::parse("bel maar").unwrap_err().code, perspectief_core::ViolationCode::NotAPhoneNumber);
    /// ```
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        let v = crate::error::trimmed_within(value, Self::MAX_CHARS)?;
        let digits = v.chars().filter(char::is_ascii_digit).count();
        let chars_ok = v.chars().all(|c| c.is_ascii_digit() || " -().//".contains(c) || c == '+');
        let plus_ok = v.chars().skip(1).all(|c| c != '+');
        if !(chars_ok && plus_ok && digits >= 6) {
            return Err(ValueError::new(
                ViolationCode::NotAPhoneNumber,
                format!(
                    "{} is not a telephone number (digits, spaces and + - ( ) . /, at least six digits)",
                    crate::error::echo(v)
                ),
            ));
        }
        Ok(Self(v.to_owned()))
    }

    /// The number as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(value: PhoneNumber) -> String {
        value.0
    }
}

/// An organisation's e-mail address (at most 254 characters, checked with `validator`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Longest accepted address, in characters.
    pub const MAX_CHARS: usize = 254;

    /// Trim and check an address.
    ///
    /// ```
    /// use perspectief_core::organisation::EmailAddress;
    /// assert!(EmailAddress::parse(" info@askv.example ").is_ok());
    /// assert_eq!(EmailAddress::parse("info at askv").unwrap_err().code, perspectief_core::ViolationCode::NotAnEmailAddress);
    /// ```
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        let v = crate::error::trimmed_within(value, Self::MAX_CHARS)?;
        if !v.validate_email() {
            return Err(ValueError::new(
                ViolationCode::NotAnEmailAddress,
                format!("{} is not an e-mail address", crate::error::echo(v)),
            ));
        }
        Ok(Self(v.to_owned()))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> String {
        value.0
    }
}

/// How to reach an organisation: its own desk, never a person's details.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContactDetails {
    /// Telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailAddress>,
    /// Postal or visiting address, on one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Label>,
}

impl ContactDetails {
    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        self.phone.is_none() && self.email.is_none() && self.address.is_none()
    }
}

/// A registered organisation: its directory data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    /// Id: what accounts, grants, consents and case data refer to.
    pub id: OrganisationId,
    /// The short code staff type (unique).
    pub code: OrganisationCode,
    /// The name.
    pub name: Label,
    /// What kind of organisation.
    pub kind: OrganisationKind,
    /// The domains it serves (none for the foundation itself, or when unknown).
    pub domains: BTreeSet<PartnerDomain>,
    /// How to reach it.
    pub contact: ContactDetails,
    /// Whether new references (referrals, consents, accounts) may name it.
    pub active: bool,
}

impl Organisation {
    /// How people recognise it: `name (CODE)`.
    pub fn display(&self) -> String {
        format!("{} ({})", self.name, self.code)
    }

    /// An organisation registered from an id already in use before the register existed:
    /// named by its id until the administrator renames it, with a generated code
    /// ([`OrganisationCode::generated`]), active, of kind NGO (the administrator corrects the
    /// kind; the foundation's own entry is made of kind foundation by whoever registers it).
    pub fn registered_from_use(id: OrganisationId, taken: impl Fn(&OrganisationCode) -> bool) -> Organisation {
        Organisation {
            id,
            code: OrganisationCode::generated(id, taken),
            // A hyphenated UUID is 36 characters of hex and hyphens: always a valid label.
            name: Label::parse(&id.to_string()).unwrap_or_else(|_| unreachable_label()),
            kind: OrganisationKind::Ngo,
            domains: BTreeSet::new(),
            contact: ContactDetails::default(),
            active: true,
        }
    }

    /// Check the rules that tie an organisation to the foundation: the foundation's own
    /// organisation is of kind [`OrganisationKind::Foundation`] and stays active; no other
    /// organisation is of that kind.
    pub fn check(&self, foundation: OrganisationId) -> Result<(), DomainError> {
        if (self.id == foundation) != (self.kind == OrganisationKind::Foundation) {
            let message = if self.id == foundation {
                "the foundation's own organisation is of kind foundation"
            } else {
                "only the foundation's own organisation is of kind foundation"
            };
            return Err(DomainError::field("kind", ViolationCode::FoundationKind, message));
        }
        if self.id == foundation && !self.active {
            return Err(DomainError::field(
                "active",
                ViolationCode::FoundationInactive,
                "the foundation's own organisation cannot be made inactive",
            ));
        }
        Ok(())
    }

    /// This organisation with `changes` applied, checked ([`Organisation::check`]). Changing
    /// nothing is an error, so a mistyped command does not pass silently.
    pub fn changed(
        &self,
        changes: &OrganisationChanges,
        foundation: OrganisationId,
    ) -> Result<Organisation, DomainError> {
        if changes.is_empty() {
            return Err(DomainError::field(
                "changes",
                ViolationCode::NothingToChange,
                "name at least one thing to change",
            ));
        }
        let mut next = self.clone();
        if let Some(code) = &changes.code {
            next.code = code.clone();
        }
        if let Some(name) = &changes.name {
            next.name = name.clone();
        }
        if let Some(kind) = changes.kind {
            next.kind = kind;
        }
        if let Some(domains) = &changes.domains {
            next.domains = domains.clone();
        }
        if let Some(phone) = &changes.phone {
            next.contact.phone = phone.clone();
        }
        if let Some(email) = &changes.email {
            next.contact.email = email.clone();
        }
        if let Some(address) = &changes.address {
            next.contact.address = address.clone();
        }
        if let Some(active) = changes.active {
            next.active = active;
        }
        next.check(foundation)?;
        Ok(next)
    }
}

#[cold]
fn unreachable_label() -> Label {
    // Only reached if a UUID's text stopped being a valid label; a fixed label keeps the
    // function total instead of panicking.
    Label::parse("unnamed organisation").unwrap_or_else(|_| unreachable!("a fixed label is valid"))
}

/// What to change about an organisation; `None` keeps the current value. For the contact
/// details, `Some(None)` removes the value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationChanges {
    /// A new code.
    pub code: Option<OrganisationCode>,
    /// A new name.
    pub name: Option<Label>,
    /// A new kind.
    pub kind: Option<OrganisationKind>,
    /// The new set of domains (replaces the old one).
    pub domains: Option<BTreeSet<PartnerDomain>>,
    /// A new telephone number, or none.
    pub phone: Option<Option<PhoneNumber>>,
    /// A new e-mail address, or none.
    pub email: Option<Option<EmailAddress>>,
    /// A new address, or none.
    pub address: Option<Option<Label>>,
    /// Active or not.
    pub active: Option<bool>,
}

impl OrganisationChanges {
    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

fn to_validation(e: ValueError) -> ValidationError {
    ValidationError::new(e.code.code()).with_message(Cow::Owned(e.message))
}
fn v_code(v: &str) -> Result<(), ValidationError> {
    OrganisationCode::parse(v).map(drop).map_err(to_validation)
}
fn v_label(v: &str) -> Result<(), ValidationError> {
    Label::parse(v).map(drop).map_err(to_validation)
}
fn v_kind(v: &str) -> Result<(), ValidationError> {
    OrganisationKind::parse(v).map(drop).map_err(to_validation)
}
fn v_phone(v: &str) -> Result<(), ValidationError> {
    PhoneNumber::parse(v).map(drop).map_err(to_validation)
}
fn v_email(v: &str) -> Result<(), ValidationError> {
    EmailAddress::parse(v).map(drop).map_err(to_validation)
}

/// Parse a domain by its stable name.
fn parse_domain(value: &str) -> Result<PartnerDomain, ValueError> {
    PartnerDomain::parse(value)
}

/// A new organisation as typed in (by the administrator, on the command line) or sent: plain
/// strings, checked at the edge with the same rules as the values they become.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
pub struct OrganisationInput {
    /// The short code (`IOM`).
    #[validate(custom(function = "v_code"))]
    pub code: String,
    /// The name.
    #[validate(custom(function = "v_label"))]
    pub name: String,
    /// The kind's stable name (`international_organisation`).
    #[validate(custom(function = "v_kind"))]
    pub kind: String,
    /// The domains' stable names (`return`, `medical`).
    pub domains: Vec<String>,
    /// Telephone number.
    #[validate(custom(function = "v_phone"))]
    pub phone: Option<String>,
    /// E-mail address.
    #[validate(custom(function = "v_email"))]
    pub email: Option<String>,
    /// Address.
    #[validate(custom(function = "v_label"))]
    pub address: Option<String>,
}

impl OrganisationInput {
    /// The organisation (active), with every invalid field named at once; the rules that tie
    /// it to the foundation are checked too ([`Organisation::check`]).
    pub fn into_organisation(
        self,
        id: OrganisationId,
        foundation: OrganisationId,
    ) -> Result<Organisation, DomainError> {
        let mut c = Collector::default();
        if let Err(e) = self.validate() {
            for v in crate::input::violations_from(&e).0 {
                c.push(v);
            }
        }
        let code = c.field("code", OrganisationCode::parse(&self.code));
        let name = c.field("name", Label::parse(&self.name));
        let kind = c.field("kind", OrganisationKind::parse(&self.kind));
        let mut domains = Some(BTreeSet::new());
        for (i, d) in self.domains.iter().enumerate() {
            match (c.field(&format!("domains[{i}]"), parse_domain(d)), domains.as_mut()) {
                (Some(d), Some(set)) => {
                    set.insert(d);
                }
                _ => domains = None,
            }
        }
        let phone = opt(&mut c, "phone", self.phone.as_deref(), PhoneNumber::parse);
        let email = opt(&mut c, "email", self.email.as_deref(), EmailAddress::parse);
        let address = opt(&mut c, "address", self.address.as_deref(), Label::parse);
        let organisation = c.finish(|| {
            Some(Organisation {
                id,
                code: code?,
                name: name?,
                kind: kind?,
                domains: domains?,
                contact: ContactDetails { phone: phone?, email: email?, address: address? },
                active: true,
            })
        })?;
        organisation.check(foundation)?;
        Ok(organisation)
    }
}

fn opt<T>(
    c: &mut Collector,
    field: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Result<T, ValueError>,
) -> Option<Option<T>> {
    match value {
        None => Some(None),
        Some(v) => c.field(field, parse(v)).map(Some),
    }
}

/// How staff and partners name an organisation: by id, or by its code (any case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "by", content = "value", rename_all = "snake_case")]
pub enum OrganisationRef {
    /// By id.
    Id(OrganisationId),
    /// By code.
    Code(OrganisationCode),
}

impl OrganisationRef {
    /// An id (a UUID) or a code.
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        if let Ok(id) = OrganisationId::parse(value) {
            return Ok(Self::Id(id));
        }
        OrganisationCode::parse(value).map(Self::Code).map_err(|_| {
            ValueError::new(
                ViolationCode::NotAnOrganisation,
                format!("{} is neither an organisation code (such as IOM) nor an id", crate::error::echo(value)),
            )
        })
    }

    /// Whether it names this organisation.
    pub fn matches(&self, organisation: &Organisation) -> bool {
        match self {
            Self::Id(id) => organisation.id == *id,
            Self::Code(code) => organisation.code == *code,
        }
    }
}

impl fmt::Display for OrganisationRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => fmt::Display::fmt(id, f),
            Self::Code(code) => fmt::Display::fmt(code, f),
        }
    }
}

/// Which organisations to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationFilter {
    /// Only of this kind.
    pub kind: Option<OrganisationKind>,
    /// Only those serving this domain.
    pub domain: Option<PartnerDomain>,
    /// Include inactive organisations (default: active ones only).
    pub include_inactive: bool,
}

impl OrganisationFilter {
    /// Whether an organisation passes the filter (the store's query mirrors this).
    pub fn admits(&self, organisation: &Organisation) -> bool {
        self.kind.is_none_or(|k| organisation.kind == k)
            && self.domain.is_none_or(|d| organisation.domains.contains(&d))
            && (self.include_inactive || organisation.active)
    }
}

/// A member of the foundation's staff, as the staff directory shows them: a name to put in a
/// listing instead of an account id. Nothing else about the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    /// The account id (what case data refers to).
    pub id: UserId,
    /// The name.
    pub name: Label,
    /// The role (project worker, project lead, auditor, administrator).
    pub role: Role,
    /// Whether the account is in use (disabled accounts stay listed: their names are still in
    /// older case files).
    pub active: bool,
}

/// An organisation a command names, and whether the command makes a new reference to it
/// (then it must be active) or records something that happened with it (then it must only be
/// registered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NamedOrganisation {
    /// The organisation.
    pub organisation: OrganisationId,
    /// A new referral, consent, partner of a goal, agreement or obstacle, co-facilitator,
    /// account or grant: the organisation must be active.
    pub new_reference: bool,
}

impl NamedOrganisation {
    /// Decide with what the register holds for the organisation (`None`: not registered).
    pub fn check(&self, registered: Option<&Organisation>) -> Result<(), DomainError> {
        match registered {
            None => Err(DomainError::not_found(EntityKind::Organisation, self.organisation)),
            Some(o) if self.new_reference && !o.active => Err(DomainError::rule(Rule::OrganisationInactive)),
            Some(_) => Ok(()),
        }
    }
}

fn push(out: &mut Vec<NamedOrganisation>, organisation: OrganisationId, new_reference: bool) {
    let named = NamedOrganisation { organisation, new_reference };
    match out.iter_mut().find(|n| n.organisation == organisation) {
        // Named twice: the stricter requirement counts.
        Some(existing) => existing.new_reference |= new_reference,
        None => out.push(named),
    }
}

fn responsible(out: &mut Vec<NamedOrganisation>, r: &Responsible) {
    if let Responsible::Partner(o) = r {
        push(out, *o, true);
    }
}

impl CaseCommand {
    /// The organisations this command names, each once, in the order they appear. Every one
    /// must be registered ([`NamedOrganisation::check`]): referrals, consents and the partners
    /// of goals, agreements and obstacles are new references (the organisation must be
    /// active); a contact moment's partner, a judgment's recipient and a progress report's
    /// addressee record what happened (registered is enough).
    ///
    /// ```
    /// use perspectief_core::case::CaseCommand;
    /// use perspectief_core::returns::Recipient;
    /// use perspectief_core::{JudgmentId, OrganisationId};
    /// use chrono::NaiveDate;
    ///
    /// let iom = OrganisationId::from_u128(7);
    /// let cmd = CaseCommand::RecordJudgmentCommunicated {
    ///     judgment: JudgmentId::from_u128(1),
    ///     to: Recipient::Partner(iom),
    ///     on: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
    ///     consent_override: None,
    /// };
    /// let named = cmd.organisations();
    /// assert_eq!(named.len(), 1);
    /// assert_eq!(named[0].organisation, iom);
    /// assert!(!named[0].new_reference, "a communication that took place");
    /// ```
    pub fn organisations(&self) -> Vec<NamedOrganisation> {
        let mut out = Vec::new();
        match self {
            Self::SetGoal(goal) => {
                responsible(&mut out, &goal.responsible);
                for p in &goal.partners {
                    push(&mut out, *p, true);
                }
            }
            Self::LogContact(contact) => {
                if let Some(p) = contact.partner {
                    push(&mut out, p, false);
                }
                for a in &contact.agreements {
                    responsible(&mut out, &a.who_acts);
                }
            }
            Self::AddAgreement { agreement, .. } => responsible(&mut out, &agreement.who_acts),
            Self::ProposeReferral { partner, .. } => push(&mut out, *partner, true),
            Self::IdentifyObstacle { partner: Some(p), .. } => push(&mut out, *p, true),
            Self::RecordJudgmentCommunicated { to: Recipient::Partner(p), .. } => push(&mut out, *p, false),
            Self::GiveConsent { organisation, .. } => push(&mut out, *organisation, true),
            Self::RecordProgressReport { sent_to, .. } => push(&mut out, *sent_to, false),
            Self::UpdateProfile { .. }
            | Self::AssignProjectWorker { .. }
            | Self::ChangePhase { .. }
            | Self::ChangeDirection { .. }
            | Self::RecordReturnStance { .. }
            | Self::RevisePlan { .. }
            | Self::AgreePlan { .. }
            | Self::ChangeGoalStatus { .. }
            | Self::UpdateGoalSteps { .. }
            | Self::SettleAgreement { .. }
            | Self::AdvanceReferral { .. }
            | Self::StartReturnExploration { .. }
            | Self::UpdateReturnExploration { .. }
            | Self::IdentifyObstacle { partner: None, .. }
            | Self::ActOnObstacle { .. }
            | Self::UpdateReintegrationPlan(_)
            | Self::RecordDepartureStep(_)
            | Self::UpdateReanChecklist(_)
            | Self::PlanDeparture { .. }
            | Self::RecordJudgment { .. }
            | Self::RecordJudgmentCommunicated { .. }
            | Self::RecordConsequencesExplained { .. }
            | Self::RecordSelfReliance { .. }
            | Self::WithdrawConsent { .. }
            | Self::SetConfidentiality { .. }
            | Self::SetReportingSchedule { .. }
            | Self::RecordOutflow { .. } => {}
        }
        out
    }
}

impl PlanSession {
    /// The organisations planning this session names: the co-facilitating partner, a new
    /// reference (it must be registered and active).
    pub fn organisations(&self) -> Vec<NamedOrganisation> {
        self.partner.map(|p| NamedOrganisation { organisation: p, new_reference: true }).into_iter().collect()
    }
}

/// The directory: the organisations register and the foundation's staff names, for everyone
/// who works with Perspectief (see the access matrix: `Resource::Organisations` and
/// `Resource::StaffDirectory`). The store implements it locally, the gRPC client remotely
/// (`OrganisationService`). Every call is authorised and logged like the rest of the service.
///
/// Keeping the register (adding, changing) is the administrator's, on the store itself.
pub trait DirectoryService: Send + Sync {
    /// Organisations passing `filter`, by code.
    fn list_organisations(
        &self,
        caller: &Caller,
        filter: OrganisationFilter,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<Organisation>, DomainError>> + Send;

    /// One organisation, by id or code (inactive ones too); [`DomainError::NotFound`] with
    /// [`EntityKind::Organisation`] when there is none.
    fn get_organisation(
        &self,
        caller: &Caller,
        organisation: OrganisationRef,
    ) -> impl Future<Output = Result<Organisation, DomainError>> + Send;

    /// The foundation's staff, by name (the staff directory: names for listings, for the
    /// foundation's own staff only).
    fn list_staff(
        &self,
        caller: &Caller,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<StaffMember>, DomainError>> + Send;
}

#[cfg(test)]
mod tests;
