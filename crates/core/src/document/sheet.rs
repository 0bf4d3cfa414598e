//! The information sheet on rights and options, per language and versioned.

use crate::report::render::escape_html;

use super::plan::contact_facts;
use super::{DocumentContact, DocumentLanguage, DocumentVersion, Messages, page, rights};

/// The information sheet's current version. Change it whenever the sheet's content changes
/// (in the Dutch source), and add it to [`INFORMATION_SHEET_VERSIONS`]: a handover records the
/// version the person received, and each language file's `sheet-version` message must name it
/// (a test checks this), so a translation that has not followed the change is noticed.
pub const INFORMATION_SHEET_VERSION: &str = "2026.1";

/// Every version of the information sheet ever handed out, oldest first (a handover of an
/// earlier version may still be recorded afterwards).
pub const INFORMATION_SHEET_VERSIONS: &[&str] = &["2026.1"];

pub(super) const USED: &[&str] = &[
    "sheet-title",
    "sheet-version-label",
    "sheet-intro",
    "sheet-foundation-heading",
    "sheet-foundation-text",
    "sheet-limit-heading",
    "sheet-limit-text",
    "sheet-directions-heading",
    "sheet-directions-intro",
    "sheet-direction-legal",
    "sheet-direction-return",
    "sheet-direction-third",
    "sheet-help-heading",
    "sheet-help-text",
    "heading-contact",
    "heading-consent",
    "heading-file",
    "heading-complaint",
    "rights-consent",
    "rights-file",
    "rights-complaint",
    "plan-printed",
    "label-project-worker",
    "label-organisation",
    "label-phone",
    "label-email",
    "label-address",
    "nothing-recorded",
];

/// The information sheet: what the foundation does, the 18-month limit, the three directions,
/// help and one's own responsibility, consent and how to withdraw it, seeing one's file,
/// complaints, and whom to contact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InformationSheet {
    /// Whom to contact.
    pub contact: DocumentContact,
}

impl InformationSheet {
    /// The version a handover records ([`INFORMATION_SHEET_VERSION`]).
    pub fn version() -> DocumentVersion {
        DocumentVersion::parse(INFORMATION_SHEET_VERSION).expect("the sheet's version is a valid version")
    }

    /// The sheet in `language`, printed on `printed_on`: printable A4 HTML, right to left for
    /// Arabic and Dari/Farsi.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use perspectief_core::document::{DocumentLanguage, InformationSheet};
    /// let html = InformationSheet::default().to_html(DocumentLanguage::Fa, NaiveDate::from_ymd_opt(2026, 12, 5).unwrap());
    /// assert!(html.contains("dir=\"rtl\"") && html.contains("2026.1"));
    /// ```
    pub fn to_html(&self, language: DocumentLanguage, printed_on: chrono::NaiveDate) -> String {
        let m = Messages::new(language);
        let t = |id: &str| escape_html(&m.get(id));
        let mut b = format!("<header>\n<h1>{}</h1>\n<p>{}</p>\n</header>\n", t("sheet-title"), t("sheet-intro"));
        for (heading, text) in
            [("sheet-foundation-heading", "sheet-foundation-text"), ("sheet-limit-heading", "sheet-limit-text")]
        {
            b.push_str(&format!("<h2>{}</h2>\n<p>{}</p>\n", t(heading), t(text)));
        }
        b.push_str(&format!(
            "<h2>{}</h2>\n<p>{}</p>\n<ol>\n<li>{}</li>\n<li>{}</li>\n<li>{}</li>\n</ol>\n",
            t("sheet-directions-heading"),
            t("sheet-directions-intro"),
            t("sheet-direction-legal"),
            t("sheet-direction-return"),
            t("sheet-direction-third"),
        ));
        b.push_str(&format!("<h2>{}</h2>\n<p>{}</p>\n", t("sheet-help-heading"), t("sheet-help-text")));
        b.push_str(&rights(&m));
        b.push_str(&format!("<h2>{}</h2>\n", t("heading-contact")));
        b.push_str(&contact_facts(&m, &self.contact));
        b.push_str(&format!(
            "<footer>{} · {} <bdi>{INFORMATION_SHEET_VERSION}</bdi> · {} <bdi>{}</bdi></footer>\n",
            t("sheet-title"),
            t("sheet-version-label"),
            t("plan-printed"),
            escape_html(&m.date(printed_on)),
        ));
        page(language, &m.get("sheet-title"), &b)
    }
}
