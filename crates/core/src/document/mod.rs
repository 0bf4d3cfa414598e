//! Documents for the participant, in the participant's language: "My perspective plan"
//! ([`PlanDocument`]) and the information sheet on rights and options ([`InformationSheet`]),
//! as printable A4 HTML pages; and what a handover of one of them records
//! ([`HandedDocument`], carried by a contact moment and counted under 5.2.c).
//!
//! Every fixed text (headings, labels, status words, month names, the explanations of consent,
//! of seeing one's file and of complaints) comes from one Fluent file per language in
//! `crates/core/documents/` ([`DocumentLanguage::source`]), embedded at compile time. Text that
//! staff wrote (the situation, goals, agreements) stays as written, and the page says so in the
//! reader's language. Each file's header carries its review status
//! ([`DocumentLanguage::review_status`]); `docs/languages.md` says how to add or correct a
//! language.
//!
//! Dates are written the language's way ([`Messages::date`]): the Gregorian calendar, the
//! month's name from the language's file, the order from its `date-pattern`, and Western
//! digits in every language (also Arabic and Dari/Farsi: the participants come from countries
//! that use either digit form, and Dutch officials read these).
//!
//! Rendering is pure: no I/O, no clock (the day is an argument). Adapters write the file.

use crate::ViolationCode;
use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};

use crate::error::ValueError;

mod plan;
mod sheet;

pub use plan::{
    DocumentAgreement, DocumentContact, DocumentGoal, DocumentNames, PlanDocument, UPCOMING_DAYS, Upcoming,
    UpcomingKind,
};
pub use sheet::{INFORMATION_SHEET_VERSION, INFORMATION_SHEET_VERSIONS, InformationSheet};

/// A language the participant documents are written in.
///
/// ```
/// use perspectief_core::document::DocumentLanguage;
/// let ti = DocumentLanguage::parse("ti").unwrap();
/// assert_eq!(ti.code(), "ti");
/// assert!(!ti.is_rtl());
/// assert!(DocumentLanguage::parse("prs").unwrap().is_rtl()); // Dari
/// assert!(DocumentLanguage::parse("xx").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentLanguage {
    /// Dutch (the source text).
    Nl,
    /// English.
    En,
    /// French.
    Fr,
    /// Arabic (Modern Standard Arabic), right to left.
    Ar,
    /// Tigrinya, in Ge'ez script.
    Ti,
    /// Dari/Farsi (Persian), right to left.
    Fa,
    /// Somali.
    So,
}

impl DocumentLanguage {
    /// Every language, Dutch first.
    pub const ALL: [DocumentLanguage; 7] = [Self::Nl, Self::En, Self::Fr, Self::Ar, Self::Ti, Self::Fa, Self::So];

    /// The ISO 639-1 code (also the `lang` attribute and the Fluent file's name).
    pub const fn code(self) -> &'static str {
        match self {
            Self::Nl => "nl",
            Self::En => "en",
            Self::Fr => "fr",
            Self::Ar => "ar",
            Self::Ti => "ti",
            Self::Fa => "fa",
            Self::So => "so",
        }
    }

    /// A language from its code: ISO 639-1, or the ISO 639-3 codes of Dari (`prs`) and Iranian
    /// Persian (`pes`), which share the Dari/Farsi documents. Case-insensitive.
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        let v = value.trim().to_ascii_lowercase();
        let found = match v.as_str() {
            "prs" | "pes" | "fas" | "per" => Some(Self::Fa),
            "nld" | "dut" => Some(Self::Nl),
            "eng" => Some(Self::En),
            "fra" | "fre" => Some(Self::Fr),
            "ara" => Some(Self::Ar),
            "tir" => Some(Self::Ti),
            "som" => Some(Self::So),
            other => Self::ALL.into_iter().find(|l| l.code() == other),
        };
        found.ok_or_else(|| {
            ValueError::new(
                ViolationCode::UnsupportedLanguage,
                format!(
                    "no documents in '{}' (available: {})",
                    crate::error::echo(value),
                    Self::ALL.map(Self::code).join(", ")
                ),
            )
        })
    }

    /// Written right to left (Arabic, Dari/Farsi).
    pub const fn is_rtl(self) -> bool {
        matches!(self, Self::Ar | Self::Fa)
    }

    /// The CSS font stack: fonts that cover the language's script first (Ethiopic for
    /// Tigrinya, Arabic script for Arabic and Dari/Farsi), then Latin fonts for text staff
    /// wrote in Dutch.
    pub const fn font_family(self) -> &'static str {
        match self {
            Self::Ti => {
                "\"Noto Sans Ethiopic\", \"Abyssinica SIL\", \"Nyala\", \"Ebrima\", \"Noto Sans\", \"DejaVu Sans\", sans-serif"
            }
            Self::Ar => {
                "\"Noto Naskh Arabic\", \"Noto Sans Arabic\", \"Amiri\", \"Noto Sans\", \"DejaVu Sans\", \"Arial\", sans-serif"
            }
            Self::Fa => {
                "\"Noto Naskh Arabic\", \"Noto Sans Arabic\", \"Vazirmatn\", \"Tahoma\", \"Noto Sans\", \"DejaVu Sans\", sans-serif"
            }
            Self::Nl | Self::En | Self::Fr | Self::So => {
                "\"Noto Sans\", \"DejaVu Sans\", \"Liberation Sans\", \"Arial\", sans-serif"
            }
        }
    }

    /// The language's Fluent file (`crates/core/documents/<code>.ftl`).
    pub const fn source(self) -> &'static str {
        match self {
            Self::Nl => include_str!("../../documents/nl.ftl"),
            Self::En => include_str!("../../documents/en.ftl"),
            Self::Fr => include_str!("../../documents/fr.ftl"),
            Self::Ar => include_str!("../../documents/ar.ftl"),
            Self::Ti => include_str!("../../documents/ti.ftl"),
            Self::Fa => include_str!("../../documents/fa.ftl"),
            Self::So => include_str!("../../documents/so.ftl"),
        }
    }

    /// The review status from the file's header line `## Review: ...`, for example
    /// "machine-drafted, awaiting review by a native speaker". Empty when the line is missing.
    pub fn review_status(self) -> &'static str {
        self.source().lines().find_map(|l| l.strip_prefix("## Review:")).map_or("", str::trim)
    }

    /// Whether a native speaker has checked the translation (the review line starts with
    /// "reviewed"), or it is the Dutch source.
    pub fn is_reviewed(self) -> bool {
        self == Self::Nl || self.review_status().starts_with("reviewed")
    }

    /// The ids of the messages in the language's file, in file order.
    pub fn message_ids(self) -> Vec<&'static str> {
        self.source()
            .lines()
            .filter_map(|l| {
                let (id, _) = l.split_once(" =")?;
                let ok = id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                ok.then_some(id)
            })
            .collect()
    }
}

impl fmt::Display for DocumentLanguage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The fixed texts of one language, from its Fluent file.
pub struct Messages {
    language: DocumentLanguage,
    bundle: FluentBundle<FluentResource>,
}

impl fmt::Debug for Messages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Messages").field("language", &self.language).finish_non_exhaustive()
    }
}

impl Messages {
    /// The messages of `language`. The files are checked by the tests (they parse, and hold
    /// every id of the Dutch file); a message missing at run time reads as its id.
    pub fn new(language: DocumentLanguage) -> Messages {
        let langid = language.code().parse::<unic_langid::LanguageIdentifier>().unwrap_or_default();
        let mut bundle = FluentBundle::new(vec![langid]);
        // No Unicode isolation marks: the HTML isolates free text itself (`<bdi>`, `dir="auto"`).
        bundle.set_use_isolating(false);
        let resource = FluentResource::try_new(language.source().to_owned()).unwrap_or_else(|(r, _)| r);
        let _ = bundle.add_resource(resource);
        Messages { language, bundle }
    }

    /// The language.
    pub fn language(&self) -> DocumentLanguage {
        self.language
    }

    /// Whether the file parses without errors and holds no duplicate ids (for the tests).
    pub fn check(language: DocumentLanguage) -> Result<(), String> {
        let resource = FluentResource::try_new(language.source().to_owned())
            .map_err(|(_, errors)| format!("{language}: {errors:?}"))?;
        let mut bundle: FluentBundle<FluentResource> = FluentBundle::new(vec![]);
        bundle.add_resource(resource).map_err(|errors| format!("{language}: {errors:?}"))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
        let pattern = self.bundle.get_message(id)?.value()?;
        let mut errors = Vec::new();
        let text = self.bundle.format_pattern(pattern, args, &mut errors).into_owned();
        errors.is_empty().then_some(text)
    }

    /// The message `id`, or the id itself when the file lacks it.
    pub fn get(&self, id: &str) -> String {
        self.format(id, None).unwrap_or_else(|| id.to_owned())
    }

    /// Whether the file has the message `id`.
    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }

    /// A day written the language's way: its `date-pattern` with the day, the month's name
    /// (`month-1` .. `month-12`) and the year, in Western digits.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use perspectief_core::document::{DocumentLanguage, Messages};
    /// let d = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
    /// assert_eq!(Messages::new(DocumentLanguage::Nl).date(d), "5 december 2026");
    /// assert_eq!(Messages::new(DocumentLanguage::Fr).date(d), "5 décembre 2026");
    /// assert_eq!(Messages::new(DocumentLanguage::Ti).date(d), "5 ታሕሳስ 2026");
    /// ```
    pub fn date(&self, day: NaiveDate) -> String {
        let month = self.get(&format!("month-{}", day.month()));
        let mut args = FluentArgs::new();
        // Strings, not numbers: Fluent would format numbers with grouping (2,026).
        args.set("day", FluentValue::from(day.day().to_string()));
        args.set("month", FluentValue::from(month.clone()));
        args.set("year", FluentValue::from(day.year().to_string()));
        self.format("date-pattern", Some(&args)).unwrap_or_else(|| format!("{} {month} {}", day.day(), day.year()))
    }
}

/// The kind of a participant document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// "My perspective plan": the current plan, for the participant.
    PerspectivePlan,
    /// The information sheet on rights and options.
    InformationSheet,
}

impl DocumentKind {
    /// Both kinds.
    pub const ALL: [DocumentKind; 2] = [Self::PerspectivePlan, Self::InformationSheet];

    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PerspectivePlan => "perspective_plan",
            Self::InformationSheet => "information_sheet",
        }
    }

    /// A kind from its stable name (also `plan` and `sheet`).
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        match value.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "perspective_plan" | "plan" => Ok(Self::PerspectivePlan),
            "information_sheet" | "sheet" => Ok(Self::InformationSheet),
            _ => Err(ValueError::new(
                ViolationCode::NotADocumentKind,
                format!("'{}' is not a document (perspective_plan, information_sheet)", crate::error::echo(value)),
            )),
        }
    }

    /// Dutch name, for staff listings and reports.
    pub const fn dutch_name(self) -> &'static str {
        match self {
            Self::PerspectivePlan => "Mijn perspectiefplan",
            Self::InformationSheet => "Informatieblad",
        }
    }
}

/// A document's version: for the plan its revision number, for the information sheet the
/// sheet's version ([`INFORMATION_SHEET_VERSION`]). 1 to 16 characters of `A-Z a-z 0-9 . -`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocumentVersion(String);

impl DocumentVersion {
    /// Check a version.
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        let v = value.trim();
        let ok = !v.is_empty() && v.len() <= 16 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if ok {
            Ok(Self(v.to_owned()))
        } else {
            Err(ValueError::new(
                ViolationCode::InvalidVersion,
                "a document version is 1 to 16 of A-Z, a-z, 0-9, '.' and '-'",
            ))
        }
    }

    /// The version as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DocumentVersion {
    type Error = ValueError;
    fn try_from(v: String) -> Result<Self, Self::Error> {
        Self::parse(&v)
    }
}

impl From<DocumentVersion> for String {
    fn from(v: DocumentVersion) -> String {
        v.0
    }
}

impl fmt::Display for DocumentVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A document handed over to the participant in a contact moment: which, in which language,
/// which version. A contact moment that hands documents over counts under 5.2.c
/// (informing the person fully and honestly); see [`check_handover`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct HandedDocument {
    /// Which document.
    pub kind: DocumentKind,
    /// In which language.
    pub language: DocumentLanguage,
    /// Which version.
    pub version: DocumentVersion,
}

impl HandedDocument {
    /// A one-line Dutch description for staff: `Mijn perspectiefplan (ti, versie 3)`.
    pub fn describe(&self) -> String {
        format!("{} ({}, versie {})", self.kind.dutch_name(), self.language, self.version)
    }
}

/// The rule for a handover: the plan can only be handed over in a revision the case has, the
/// information sheet only in a published version ([`INFORMATION_SHEET_VERSIONS`]); `revisions`
/// is the number of plan revisions. Returns the violation message, if any.
pub fn check_handover(document: &HandedDocument, revisions: u32) -> Result<(), ValueError> {
    match document.kind {
        DocumentKind::PerspectivePlan => {
            let revision: u32 = document.version.as_str().parse().unwrap_or(0);
            if revision == 0 || revision > revisions {
                return Err(ValueError::new(
                    ViolationCode::UnknownPlanRevision,
                    "the plan can only be handed over in a revision it has (1 to the latest)",
                ));
            }
        }
        DocumentKind::InformationSheet => {
            if !INFORMATION_SHEET_VERSIONS.contains(&document.version.as_str()) {
                return Err(ValueError::new(
                    ViolationCode::UnknownSheetVersion,
                    format!("the information sheet has the versions {}", INFORMATION_SHEET_VERSIONS.join(", ")),
                ));
            }
        }
    }
    Ok(())
}

// ---- HTML ---------------------------------------------------------------------------------

use crate::report::render::escape_html;

/// The page: A4, the language's direction and fonts, no scripts, no external resources.
pub(crate) fn page(lang: DocumentLanguage, title: &str, body: &str) -> String {
    let dir = if lang.is_rtl() { "rtl" } else { "ltr" };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{code}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n\
         <style>\n@page {{ size: A4; margin: 16mm 15mm 18mm 15mm; }}\n\
         body {{ font-family: {fonts}; font-size: 11pt; line-height: 1.5; color: #111; margin: 0 auto; max-width: 180mm; }}\n\
         h1 {{ font-size: 20pt; margin: 0 0 .3em; }}\n\
         h2 {{ font-size: 13.5pt; margin: 1.2em 0 .4em; padding-bottom: .15em; border-bottom: 1.5px solid #444; break-after: avoid; }}\n\
         h3 {{ font-size: 11pt; margin: .6em 0 .2em; }}\n\
         p {{ margin: .3em 0 .6em; }}\n\
         table {{ border-collapse: collapse; width: 100%; margin: .3em 0 .8em; break-inside: auto; }}\n\
         tr {{ break-inside: avoid; }}\n\
         th, td {{ border: 1px solid #999; padding: .3em .5em; text-align: start; vertical-align: top; }}\n\
         th {{ background: #eee; }}\n\
         .facts th {{ width: 38%; }}\n\
         .free {{ white-space: pre-wrap; border-inline-start: 3px solid #bbb; padding-inline-start: .6em; }}\n\
         .note {{ font-size: 9.5pt; color: #333; border: 1px dashed #888; padding: .3em .6em; }}\n\
         .charts {{ display: flex; flex-wrap: wrap; gap: 4mm; }}\n\
         .chart {{ width: 54mm; break-inside: avoid; }}\n\
         .chart svg {{ width: 100%; height: auto; }}\n\
         .chart .dates {{ font-size: 8.5pt; color: #333; display: flex; justify-content: space-between; }}\n\
         footer {{ margin-top: 1.5em; font-size: 9pt; color: #333; border-top: 1px solid #999; padding-top: .3em; }}\n\
         @media screen {{ body {{ margin: 2em auto; padding: 0 1em; }} }}\n\
         </style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        code = lang.code(),
        title = escape_html(title),
        fonts = lang.font_family(),
    )
}

/// Text staff wrote, as a block: escaped, its own direction (`dir="auto"`).
pub(crate) fn free_block(text: &str) -> String {
    format!("<div class=\"free\" dir=\"auto\">{}</div>\n", escape_html(text))
}

/// Text staff wrote, inline: escaped and isolated (`<bdi>`).
pub(crate) fn free_inline(text: &str) -> String {
    format!("<bdi>{}</bdi>", escape_html(text))
}

/// A two-column table of facts: fixed label, value (already HTML).
pub(crate) fn facts(rows: &[(String, String)]) -> String {
    let mut out = String::from("<table class=\"facts\">\n");
    for (label, value) in rows {
        out.push_str(&format!("<tr><th scope=\"row\">{}</th><td>{value}</td></tr>\n", escape_html(label)));
    }
    out.push_str("</table>\n");
    out
}

/// A table with fixed column heads and cells that are already HTML.
pub(crate) fn table(head: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table>\n<tr>");
    for h in head {
        out.push_str(&format!("<th scope=\"col\">{}</th>", escape_html(h)));
    }
    out.push_str("</tr>\n");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            out.push_str(&format!("<td>{c}</td>"));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

/// The fixed texts of the rights section (consent, one's file, complaints), shared by both
/// documents.
pub(crate) fn rights(m: &Messages) -> String {
    let mut out = String::new();
    for (heading, text) in [
        ("heading-consent", "rights-consent"),
        ("heading-file", "rights-file"),
        ("heading-complaint", "rights-complaint"),
    ] {
        out.push_str(&format!("<h2>{}</h2>\n<p>{}</p>\n", escape_html(&m.get(heading)), escape_html(&m.get(text))));
    }
    out
}

/// Every message id the renderers use, for the tests (each must exist in every language).
pub fn used_message_ids() -> Vec<String> {
    let mut ids: Vec<String> = plan::USED.iter().chain(sheet::USED).map(|s| (*s).to_owned()).collect();
    ids.extend((1..=12).map(|m| format!("month-{m}")));
    ids.extend(crate::outflow::ZrmDomain::ALL.iter().map(|d| zrm_message(*d).to_owned()));
    ids.push("date-pattern".to_owned());
    ids.sort();
    ids.dedup();
    ids
}

/// The message id of a ZRM domain's name.
pub const fn zrm_message(domain: crate::outflow::ZrmDomain) -> &'static str {
    use crate::outflow::ZrmDomain as D;
    match domain {
        D::Finances => "zrm-finances",
        D::WorkEducation => "zrm-work-education",
        D::TimeUse => "zrm-time-use",
        D::Housing => "zrm-housing",
        D::DomesticRelations => "zrm-domestic-relations",
        D::MentalHealth => "zrm-mental-health",
        D::PhysicalHealth => "zrm-physical-health",
        D::Addiction => "zrm-addiction",
        D::BasicAdl => "zrm-basic-adl",
        D::InstrumentalAdl => "zrm-instrumental-adl",
        D::SocialNetwork => "zrm-social-network",
        D::SocialParticipation => "zrm-social-participation",
        D::Justice => "zrm-justice",
    }
}

/// Every message of every language, by language then id (for the tests and for translators'
/// tooling).
pub fn all_messages() -> BTreeMap<DocumentLanguage, BTreeMap<String, String>> {
    DocumentLanguage::ALL
        .into_iter()
        .map(|l| {
            let m = Messages::new(l);
            let texts = l.message_ids().into_iter().map(|id| (id.to_owned(), m.get(id))).collect();
            (l, texts)
        })
        .collect()
}
