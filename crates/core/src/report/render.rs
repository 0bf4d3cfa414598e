//! Renderings of the reports: Markdown, and printable self-contained HTML pages (inline CSS,
//! inline hand-written SVG charts, no scripts, no external resources). Every text that comes
//! from a case file or a configuration is escaped.
//!
//! The labels are Dutch: the reports go to the municipality.

use std::fmt::Write as _;

use crate::contact::{ContactKind, PartnerDomain, ReferralStatus};
use crate::meeting::AgendaReason;
use crate::outflow::{Durability, OutflowOutcome};
use crate::plan::{AgreementStatus, Direction, GoalStatus, ReturnStance};
use crate::returns::{Finality, ObstacleKind, ObstacleStatus, Recipient, Verdict};

use super::agenda::MeetingAgenda;
use super::progress::ProgressReport;
use super::subsidy::{MeasureFigures, SubsidyReport};

/// Escape text for HTML (element content and quoted attribute values).
///
/// ```
/// use perspectief_core::report::render::escape_html;
/// assert_eq!(escape_html(r#"<b>"Tom" & 'Jerry'</b>"#), "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;");
/// ```
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escape text for Markdown (inline, also inside a table cell): markup characters get a
/// backslash, line breaks become spaces.
///
/// ```
/// use perspectief_core::report::render::escape_markdown;
/// assert_eq!(escape_markdown("*a* | <b>\nc"), "\\*a\\* \\| \\<b\\> c");
/// ```
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {}
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

// ---- Dutch labels -------------------------------------------------------------------------

/// Dutch label of a goal status.
pub const fn goal_status(s: GoalStatus) -> &'static str {
    match s {
        GoalStatus::Open => "open",
        GoalStatus::InProgress => "in uitvoering",
        GoalStatus::Achieved => "behaald",
        GoalStatus::Missed => "niet behaald",
        GoalStatus::Dropped => "vervallen",
    }
}

/// Dutch label of an agreement status.
pub fn agreement_status(s: AgreementStatus) -> String {
    match s {
        AgreementStatus::Open => "open".to_owned(),
        AgreementStatus::Fulfilled(d) => format!("nagekomen ({d})"),
        AgreementStatus::NotFulfilled(d) => format!("niet nagekomen ({d})"),
    }
}

/// Dutch label of a direction.
pub const fn direction(d: Direction) -> &'static str {
    match d {
        Direction::Undecided => "nog niet bepaald",
        Direction::LegalProcedureNl => "juridische procedure in Nederland",
        Direction::ReturnToOrigin => "terugkeer naar land van herkomst",
        Direction::ThirdCountry => "vertrek naar derde land",
    }
}

/// Dutch label of a return stance.
pub const fn return_stance(s: ReturnStance) -> &'static str {
    match s {
        ReturnStance::NotDiscussed => "niet besproken",
        ReturnStance::NotConsidering => "overweegt terugkeer niet",
        ReturnStance::Considering => "overweegt terugkeer",
        ReturnStance::Decided => "heeft besloten terug te keren",
    }
}

/// Dutch label of a contact kind.
pub const fn contact_kind(k: ContactKind) -> &'static str {
    match k {
        ContactKind::IndividualTalk => "individueel gesprek",
        ContactKind::Phone => "telefonisch",
        ContactKind::GroupSession => "groepsbijeenkomst",
        ContactKind::ChainMeeting => "ketenoverleg",
        ContactKind::PartnerContact => "contact ketenpartner",
        ContactKind::ShelterVisit => "bezoek opvanglocatie",
        ContactKind::Accompaniment => "begeleiding naar instantie",
        ContactKind::Monitoring => "nazorg",
    }
}

/// Dutch label of a partner domain.
pub const fn partner_domain(d: PartnerDomain) -> &'static str {
    match d {
        PartnerDomain::Legal => "juridisch",
        PartnerDomain::Medical => "medisch",
        PartnerDomain::Return => "terugkeer",
        PartnerDomain::Shelter => "opvang",
        PartnerDomain::Activities => "dagbesteding",
    }
}

/// Dutch label of a referral status.
pub const fn referral_status(s: ReferralStatus) -> &'static str {
    match s {
        ReferralStatus::Proposed => "voorgesteld",
        ReferralStatus::Sent => "verstuurd",
        ReferralStatus::Accepted => "geaccepteerd",
        ReferralStatus::Rejected => "afgewezen",
        ReferralStatus::Completed => "afgerond",
        ReferralStatus::Revoked => "ingetrokken",
    }
}

/// Dutch label of an obstacle kind.
pub const fn obstacle_kind(k: ObstacleKind) -> &'static str {
    match k {
        ObstacleKind::Motivation => "motivatie",
        ObstacleKind::MissingDocuments => "ontbrekende documenten",
        ObstacleKind::FamilyContact => "contact met familie",
        ObstacleKind::HousingWorkPlan => "huisvesting/werk",
        ObstacleKind::Finances => "financiën",
        ObstacleKind::MedicalPsychosocial => "medisch/psychosociaal",
        ObstacleKind::Other => "overig",
    }
}

/// Dutch label of an obstacle status.
pub const fn obstacle_status(s: ObstacleStatus) -> &'static str {
    match s {
        ObstacleStatus::Identified => "vastgesteld",
        ObstacleStatus::BeingAddressed => "wordt aangepakt",
        ObstacleStatus::Removed => "weggenomen",
        ObstacleStatus::CannotBeRemoved => "niet weg te nemen",
    }
}

/// Dutch label of a verdict.
pub const fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::ReturnRealistic => "terugkeer realistisch",
        Verdict::ReturnNotRealisticNow => "terugkeer nu niet realistisch",
        Verdict::ReturnNotPossible => "terugkeer niet mogelijk",
        Verdict::NoCooperation => "geen medewerking",
    }
}

/// Dutch label of a judgment's finality.
pub const fn finality(f: Finality) -> &'static str {
    match f {
        Finality::Provisional => "voorlopig",
        Finality::Final => "definitief",
    }
}

/// Dutch label of a recipient (a chain partner by its id; see [`recipient_named`]).
pub fn recipient(r: Recipient) -> String {
    recipient_named(r, &|_| None)
}

/// How an organisation reads in a rendered report: its name from `names` (the organisations
/// register, which the reader's side holds), else its id.
pub type OrganisationNames<'a> = &'a dyn Fn(crate::ids::OrganisationId) -> Option<String>;

fn organisation(id: crate::ids::OrganisationId, names: OrganisationNames<'_>) -> String {
    names(id).unwrap_or_else(|| format!("organisatie {id}"))
}

/// Dutch label of a recipient, a chain partner by its name from `names`.
pub fn recipient_named(r: Recipient, names: OrganisationNames<'_>) -> String {
    match r {
        Recipient::Participant => "deelnemer".to_owned(),
        Recipient::Municipality => "gemeente".to_owned(),
        Recipient::Partner(o) => format!("ketenpartner {}", names(o).unwrap_or_else(|| o.to_string())),
    }
}

/// Dutch label of an outflow outcome.
pub const fn outflow_outcome(o: OutflowOutcome) -> &'static str {
    match o {
        OutflowOutcome::DepartedIndependentlySupervised => "zelfstandig vertrek onder begeleiding",
        OutflowOutcome::DepartedForced => "gedwongen vertrek",
        OutflowOutcome::DepartedWithoutSupervision => "vertrek zonder toezicht",
        OutflowOutcome::ResidencePermitGranted => "verblijfsvergunning",
        OutflowOutcome::NewAsylumApplication => "nieuwe asielaanvraag",
        OutflowOutcome::OtherNewProcedure => "andere nieuwe procedure",
        OutflowOutcome::DeparturePostponedMedical => "vertrek uitgesteld (medisch)",
        OutflowOutcome::OnwardMigration => "doorgereisd naar derde land",
        OutflowOutcome::MovedToOtherShelter => "naar andere opvang",
        OutflowOutcome::EndedByChainDecision => "beëindigd door ketenbesluit",
        OutflowOutcome::Deceased => "overleden",
        OutflowOutcome::Other => "overig",
    }
}

/// Dutch label of a durability group.
pub const fn durability(d: Durability) -> &'static str {
    match d {
        Durability::Durable => "duurzaam",
        Durability::SemiDurable => "semi-duurzaam",
        Durability::NoSolution => "geen oplossing",
    }
}

/// Dutch description of an agenda reason.
pub fn agenda_reason(r: &AgendaReason) -> String {
    match r {
        AgendaReason::DeadlinePassed => "termijn verstreken".to_owned(),
        AgendaReason::NoContact { days } => format!("{days} dagen geen contact"),
        AgendaReason::LimitApproaching { days_left } if *days_left < 0 => {
            format!("18-maandentermijn {} dagen verstreken", -days_left)
        }
        AgendaReason::LimitApproaching { days_left } => format!("18-maandentermijn over {days_left} dagen"),
        AgendaReason::JudgmentPendingOrChanged => "oordeel terugkeerperspectief open of gewijzigd".to_owned(),
        AgendaReason::ObstacleStalled => "belemmering staat stil".to_owned(),
        AgendaReason::TerminationAdviceDue => "advies beëindiging nodig".to_owned(),
        AgendaReason::GoalDueSoon => "termijn doel nadert".to_owned(),
        AgendaReason::JudgmentNotCommunicated => "oordeel terugkeerperspectief niet aan iedereen meegedeeld".to_owned(),
        AgendaReason::ProgressReportDue => "voortgangsrapportage nodig".to_owned(),
        AgendaReason::PastLimitWithoutAdvice { days_over } => {
            format!("18-maandentermijn {days_over} dagen verstreken zonder advies beëindiging")
        }
        AgendaReason::Other { note } => note.to_string(),
    }
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| v.to_string())
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:60em;\
color:#222;line-height:1.4}h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.6em}\
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #ccc;padding:.25em .5em;\
text-align:left;vertical-align:top}td.n,th.n{text-align:right}.muted{color:#666}\
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}table,svg{page-break-inside:avoid}}";

/// The page for a report (Dutch, like every report to the municipality).
pub(crate) fn page_public(title: &str, body: &str) -> String {
    page(title, body)
}

/// Dutch name of a ZRM life domain.
pub const fn zrm_domain(d: crate::outflow::ZrmDomain) -> &'static str {
    use crate::outflow::ZrmDomain as D;
    match d {
        D::Finances => "Financiën",
        D::WorkEducation => "Werk en opleiding",
        D::TimeUse => "Tijdsbesteding",
        D::Housing => "Huisvesting",
        D::DomesticRelations => "Huiselijke relaties",
        D::MentalHealth => "Geestelijke gezondheid",
        D::PhysicalHealth => "Lichamelijke gezondheid",
        D::Addiction => "Verslaving",
        D::BasicAdl => "ADL (zelfzorg)",
        D::InstrumentalAdl => "Instrumentele ADL",
        D::SocialNetwork => "Sociaal netwerk",
        D::SocialParticipation => "Maatschappelijke participatie",
        D::Justice => "Justitie",
    }
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape_html(title)
    )
}

/// A table: header cells and rows, every cell escaped; cells starting with a digit or a
/// minus sign are right-aligned.
fn html_table(out: &mut String, head: &[&str], rows: &[Vec<String>]) {
    let num = |s: &str| s.chars().next().is_some_and(|c| c.is_ascii_digit() || c == '-') && s.len() < 12;
    out.push_str("<table>\n<tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", escape_html(h));
    }
    out.push_str("</tr>\n");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            let class = if num(c) { " class=\"n\"" } else { "" };
            let _ = write!(out, "<td{class}>{}</td>", escape_html(c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

fn md_table(out: &mut String, head: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", head.iter().map(|h| escape_markdown(h)).collect::<Vec<_>>().join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(head.len()));
    for r in rows {
        let _ = writeln!(out, "| {} |", r.iter().map(|c| escape_markdown(c)).collect::<Vec<_>>().join(" | "));
    }
    out.push('\n');
}

// ---- Subsidy report ---------------------------------------------------------------------

fn figure_row(f: &MeasureFigures) -> Vec<String> {
    vec![
        f.measure.label(),
        f.registered_persons.to_string(),
        f.unregistered_head_count.to_string(),
        f.realised.to_string(),
        opt(f.target),
        f.percent.map_or_else(|| "—".to_owned(), |p| format!("{p}%")),
        opt(f.projected),
    ]
}

const FIGURE_HEAD: [&str; 7] =
    ["Maatstaf", "Geregistreerd", "Niet geregistreerd", "Gerealiseerd", "Doel", "Percentage", "Prognose einde periode"];

/// Realised-versus-target bars: per targeted measure a grey target bar, a filled realised bar
/// and a dashed line at the projection.
pub fn svg_target_bars(report: &SubsidyReport) -> String {
    let rows: Vec<&MeasureFigures> = report.targeted().collect();
    let (label_w, bar_w, row_h) = (260.0_f64, 380.0_f64, 34.0_f64);
    let height = row_h * rows.len().max(1) as f64 + 30.0;
    let max = rows
        .iter()
        .map(|f| f.target.unwrap_or(0).max(f.realised).max(f.projected.unwrap_or(0)))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let scale = |v: u32| f64::from(v) / max * bar_w;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"Gerealiseerd tegen doel\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n",
        w = label_w + bar_w + 90.0
    );
    for (i, f) in rows.iter().enumerate() {
        let y = i as f64 * row_h + 4.0;
        let target = f.target.unwrap_or(0);
        let _ = writeln!(
            s,
            "<text x=\"0\" y=\"{ty}\">{}</text>\n<rect x=\"{label_w}\" y=\"{y}\" width=\"{tw:.1}\" height=\"22\" fill=\"#e6e6e6\" stroke=\"#999\"/>\n<rect x=\"{label_w}\" y=\"{y4}\" width=\"{rw:.1}\" height=\"14\" fill=\"{color}\"/>",
            escape_html(&f.measure.label()),
            ty = y + 15.0,
            tw = scale(target),
            y4 = y + 4.0,
            rw = scale(f.realised),
            color = if f.on_track == Some(false) { "#d9822b" } else { "#2b7bb9" },
        );
        if let Some(p) = f.projected {
            let x = label_w + scale(p);
            let _ = writeln!(
                s,
                "<line x1=\"{x:.1}\" y1=\"{y}\" x2=\"{x:.1}\" y2=\"{y2}\" stroke=\"#333\" stroke-dasharray=\"3,2\"/>",
                y2 = y + 22.0
            );
        }
        let _ = writeln!(
            s,
            "<text x=\"{x}\" y=\"{ty}\">{} / {}</text>",
            f.realised,
            target,
            x = label_w + bar_w + 6.0,
            ty = y + 15.0
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"0\" y=\"{y}\" fill=\"#666\">Grijs: doel · gekleurd: gerealiseerd · stippellijn: prognose einde periode</text>\n</svg>",
        y = height - 6.0
    );
    s
}

/// The funnel from reached to departed as centred bars, widest first.
pub fn svg_funnel(report: &SubsidyReport) -> String {
    let (w, row_h, label_w) = (640.0_f64, 34.0_f64, 200.0_f64);
    let bar_w = w - label_w - 60.0;
    let max = report.funnel.iter().map(|s| s.persons).max().unwrap_or(1).max(1) as f64;
    let height = row_h * report.funnel.len() as f64 + 8.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"Trechter\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n"
    );
    for (i, step) in report.funnel.iter().enumerate() {
        let y = i as f64 * row_h + 4.0;
        let bw = f64::from(step.persons) / max * bar_w;
        let x = label_w + (bar_w - bw) / 2.0;
        let _ = writeln!(
            s,
            "<text x=\"0\" y=\"{ty}\">{}</text>\n<rect x=\"{x:.1}\" y=\"{y}\" width=\"{bw:.1}\" height=\"24\" fill=\"#5a9e6f\"/>\n<text x=\"{nx}\" y=\"{ty}\">{}</text>",
            escape_html(step.stage.label()),
            step.persons,
            ty = y + 16.0,
            nx = label_w + bar_w + 8.0,
        );
    }
    s.push_str("</svg>\n");
    s
}

impl SubsidyReport {
    fn title(&self) -> String {
        format!("Verantwoording subsidieperiode {} per {}", self.period_name, self.as_of)
    }

    fn intro(&self) -> String {
        match self.counted_to {
            Some(to) => format!(
                "Periode {} t/m {}; geteld van {} t/m {}. Unieke personen: iedereen telt één keer per activiteit per periode.",
                self.starts_on, self.ends_on, self.starts_on, to
            ),
            None => format!("Periode {} t/m {}: nog niet begonnen.", self.starts_on, self.ends_on),
        }
    }

    fn outflow_rows(&self) -> Vec<Vec<String>> {
        self.outflow
            .by_outcome
            .iter()
            .filter(|c| c.persons > 0)
            .map(|c| {
                vec![
                    outflow_outcome(c.key).to_owned(),
                    durability(c.key.durability()).to_owned(),
                    c.persons.to_string(),
                ]
            })
            .collect()
    }

    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out =
            format!("# {}\n\n{}\n\n## Doelen\n\n", escape_markdown(&self.title()), escape_markdown(&self.intro()));
        let targeted: Vec<Vec<String>> = self.targeted().map(figure_row).collect();
        md_table(&mut out, &FIGURE_HEAD, &targeted);
        out.push_str("## Per activiteit\n\n");
        md_table(&mut out, &FIGURE_HEAD, &self.activities.iter().map(figure_row).collect::<Vec<_>>());
        out.push_str("## Per thema\n\n");
        md_table(&mut out, &FIGURE_HEAD, &self.themes.iter().map(figure_row).collect::<Vec<_>>());
        out.push_str("## Trechter\n\n");
        let funnel: Vec<Vec<String>> = self
            .funnel
            .iter()
            .map(|s| vec![s.stage.label().to_owned(), s.registered_persons.to_string(), s.persons.to_string()])
            .collect();
        md_table(&mut out, &["Fase", "Geregistreerd", "Totaal"], &funnel);
        let _ = writeln!(out, "## Uitstroom\n\nTotaal: {}\n", self.outflow.total);
        md_table(&mut out, &["Uitkomst", "Groep", "Personen"], &self.outflow_rows());
        let _ = writeln!(
            out,
            "## Informatiebijeenkomsten\n\n{} bijeenkomsten, {} niet-geregistreerde bezoekers.\n",
            self.sessions.sessions, self.sessions.unregistered_head_count
        );
        out
    }

    /// The report as a printable, self-contained HTML page with inline SVG charts.
    ///
    /// ```
    /// # use chrono::NaiveDate;
    /// # use perspectief_core::report::*;
    /// # use perspectief_core::*;
    /// let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    /// let period = SubsidyPeriod::new(SubsidyPeriodId::from_u128(1), "2026 <A&B>", d(1, 1), d(12, 31),
    ///     vec![Target { measure: TargetMeasure::Activity(ActivityCode::ExploreReturn), persons: 150 }]).unwrap();
    /// let html = SubsidyReport::compute(&period, d(6, 30), &SubsidyFacts::default()).to_html();
    /// assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg") && html.contains("2026 &lt;A&amp;B&gt;"));
    /// assert!(!html.contains("<script"));
    /// ```
    pub fn to_html(&self) -> String {
        let mut b = format!(
            "<h1>{}</h1>\n<p>{}</p>\n<h2>Doelen</h2>\n",
            escape_html(&self.title()),
            escape_html(&self.intro())
        );
        b.push_str(&svg_target_bars(self));
        let targeted: Vec<Vec<String>> = self.targeted().map(figure_row).collect();
        html_table(&mut b, &FIGURE_HEAD, &targeted);
        b.push_str("<h2>Trechter</h2>\n");
        b.push_str(&svg_funnel(self));
        let funnel: Vec<Vec<String>> = self
            .funnel
            .iter()
            .map(|s| vec![s.stage.label().to_owned(), s.registered_persons.to_string(), s.persons.to_string()])
            .collect();
        html_table(&mut b, &["Fase", "Geregistreerd", "Totaal"], &funnel);
        b.push_str("<h2>Per activiteit</h2>\n");
        html_table(&mut b, &FIGURE_HEAD, &self.activities.iter().map(figure_row).collect::<Vec<_>>());
        b.push_str("<h2>Per thema</h2>\n");
        html_table(&mut b, &FIGURE_HEAD, &self.themes.iter().map(figure_row).collect::<Vec<_>>());
        let _ = writeln!(b, "<h2>Uitstroom</h2>\n<p>Totaal: {}</p>", self.outflow.total);
        html_table(&mut b, &["Uitkomst", "Groep", "Personen"], &self.outflow_rows());
        let groups: Vec<Vec<String>> = self
            .outflow
            .by_durability
            .iter()
            .map(|c| vec![durability(c.key).to_owned(), c.persons.to_string()])
            .collect();
        html_table(&mut b, &["Groep", "Personen"], &groups);
        b.push_str("<h2>Bereik per maand</h2>\n");
        let months: Vec<Vec<String>> =
            self.reached.breakdowns.by_month.iter().map(|c| vec![c.key.to_string(), c.persons.to_string()]).collect();
        html_table(&mut b, &["Maand (eerst geteld)", "Geregistreerde personen"], &months);
        let _ = writeln!(
            b,
            "<h2>Informatiebijeenkomsten</h2>\n<p>{} bijeenkomsten, {} niet-geregistreerde bezoekers.</p>",
            self.sessions.sessions, self.sessions.unregistered_head_count
        );
        page(&self.title(), &b)
    }
}

// ---- Progress report --------------------------------------------------------------------

/// What a fact the reader may not see reads as.
const WITHHELD: &str = "(niet gedeeld)";

fn withheld_or<T>(value: Option<T>, show: impl FnOnce(T) -> String) -> String {
    value.map_or_else(|| WITHHELD.to_owned(), show)
}

/// A section of a rendered report: title, column heads, rows.
type Section = (&'static str, Vec<&'static str>, Vec<Vec<String>>);

impl ProgressReport {
    fn title(&self) -> String {
        format!("Voortgangsrapportage {} t/m {}", self.period_from, self.period_to)
    }

    fn facts(&self) -> Vec<Vec<String>> {
        vec![
            vec!["Deelnemer".to_owned(), self.display_name.clone().unwrap_or_else(|| self.participant.to_string())],
            vec!["Dossiernummer".to_owned(), self.participant.to_string()],
            vec!["Ingeschreven".to_owned(), withheld_or(self.registered_on, |d| d.to_string())],
            vec![
                "Einde 18-maandentermijn".to_owned(),
                withheld_or(self.limit_on.zip(self.days_to_limit), |(l, d)| format!("{l} ({d} dagen)")),
            ],
            vec!["Fase".to_owned(), withheld_or(self.phase, |p| p.dutch_name().to_owned())],
            vec!["Richting".to_owned(), withheld_or(self.direction, |d| direction(d).to_owned())],
            vec![
                "Houding t.a.v. terugkeer".to_owned(),
                withheld_or(self.return_stance, |s| return_stance(s).to_owned()),
            ],
            vec![
                "Uitstroom".to_owned(),
                if self.registered_on.is_none() {
                    WITHHELD.to_owned()
                } else {
                    self.outflow.map_or_else(|| "—".to_owned(), |(o, d)| format!("{} ({d})", outflow_outcome(o)))
                },
            ],
        ]
    }

    fn sections(&self, names: OrganisationNames<'_>) -> Vec<Section> {
        let plan = self
            .plan
            .iter()
            .map(|p| {
                vec![
                    p.revision.to_string(),
                    direction(p.direction).to_owned(),
                    p.drawn_up_on.to_string(),
                    opt(p.agreed_on),
                    p.perspective.clone(),
                ]
            })
            .collect();
        let history = self
            .direction_history
            .iter()
            .map(|c| {
                vec![
                    c.on.to_string(),
                    direction(c.from).to_owned(),
                    direction(c.to).to_owned(),
                    c.reasoning.to_string(),
                ]
            })
            .collect();
        let goals = self
            .goals
            .iter()
            .map(|g| {
                vec![
                    g.description.clone(),
                    g.deadline.to_string(),
                    format!("{}{}", goal_status(g.status), if g.overdue { " (termijn verstreken)" } else { "" }),
                    g.next_steps.clone().unwrap_or_default(),
                ]
            })
            .collect();
        let agreements = self
            .agreements
            .iter()
            .map(|a| {
                vec![
                    a.description.clone(),
                    a.due_on.to_string(),
                    format!("{}{}", agreement_status(a.status), if a.overdue { " (te laat)" } else { "" }),
                ]
            })
            .collect();
        let contacts = self
            .contacts
            .iter()
            .map(|c| {
                vec![
                    c.on.to_string(),
                    contact_kind(c.kind).to_owned(),
                    c.activities.iter().map(|a| a.code()).collect::<Vec<_>>().join(", "),
                    c.summary.clone(),
                ]
            })
            .collect();
        let referrals = self
            .referrals
            .iter()
            .map(|r| {
                vec![
                    organisation(r.partner, names),
                    partner_domain(r.domain).to_owned(),
                    r.reason.clone(),
                    referral_status(r.status).to_owned(),
                    opt(r.sent_on),
                ]
            })
            .collect();
        let obstacles = self
            .obstacles
            .iter()
            .map(|o| {
                vec![
                    obstacle_kind(o.kind).to_owned(),
                    o.description.clone(),
                    obstacle_status(o.status).to_owned(),
                    o.identified_on.to_string(),
                    opt(o.removed_on),
                ]
            })
            .collect();
        let judgments = self
            .judgments
            .iter()
            .map(|j| {
                vec![
                    j.formed_on.to_string(),
                    verdict(j.verdict).to_owned(),
                    finality(j.finality).to_owned(),
                    j.reasoning.clone(),
                    j.communications
                        .iter()
                        .map(|c| format!("{} ({})", recipient_named(c.to, names), c.on))
                        .collect::<Vec<_>>()
                        .join(", "),
                    opt(j.consequences_explained_on),
                ]
            })
            .collect();
        let sent = self
            .reports_sent
            .iter()
            .map(|r| {
                vec![
                    format!("{} t/m {}", r.period_from, r.period_to),
                    r.sent_on.to_string(),
                    organisation(r.sent_to, names),
                ]
            })
            .collect();
        let handed_over = self
            .handed_over
            .iter()
            .map(|h| {
                vec![
                    h.on.to_string(),
                    h.document.kind.dutch_name().to_owned(),
                    h.document.language.code().to_owned(),
                    h.document.version.to_string(),
                ]
            })
            .collect();
        let zrm = super::zrm::zrm_series(&self.self_reliance)
            .into_iter()
            .map(|(domain, series)| {
                let change = match (series.first(), series.last()) {
                    (Some(f), Some(l)) if series.len() > 1 => format!("{:+}", i16::from(l.1) - i16::from(f.1)),
                    _ => "—".to_owned(),
                };
                vec![
                    zrm_domain(domain).to_owned(),
                    series.iter().map(|(d, v)| format!("{v} ({d})")).collect::<Vec<_>>().join(", "),
                    change,
                ]
            })
            .collect();
        vec![
            ("Perspectiefplan", vec!["Versie", "Richting", "Opgesteld", "Akkoord", "Perspectief"], plan),
            ("Richting: geschiedenis", vec!["Datum", "Van", "Naar", "Onderbouwing"], history),
            ("Doelen", vec!["Doel", "Termijn", "Status", "Volgende stappen"], goals),
            ("Afspraken", vec!["Afspraak", "Uiterlijk", "Nagekomen"], agreements),
            ("Contacten in de periode", vec!["Datum", "Soort", "Activiteiten", "Inhoud"], contacts),
            ("Doorverwijzingen", vec!["Partner", "Domein", "Reden", "Status", "Verstuurd"], referrals),
            (
                "Belemmeringen voor terugkeer",
                vec!["Soort", "Omschrijving", "Status", "Vastgesteld", "Weggenomen"],
                obstacles,
            ),
            (
                "Oordeel terugkeerperspectief",
                vec!["Datum", "Oordeel", "Status", "Onderbouwing", "Gecommuniceerd aan", "Gevolgen uitgelegd"],
                judgments,
            ),
            ("Eerder verstuurde rapportages", vec!["Periode", "Verstuurd", "Aan"], sent),
            ("Overhandigde documenten (5.2.c)", vec!["Datum", "Document", "Taal", "Versie"], handed_over),
            ("Zelfredzaamheid (ZRM, 5.2.d)", vec!["Domein", "Metingen (score, datum)", "Verandering"], zrm),
        ]
    }

    fn withheld_note(&self) -> Option<String> {
        (!self.withheld.is_empty()).then(|| {
            format!(
                "Niet opgenomen (geen toestemming of niet voor deze lezer): {}.",
                self.withheld.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
            )
        })
    }

    /// The report as Markdown (every text escaped), organisations by id.
    pub fn to_markdown(&self) -> String {
        self.to_markdown_named(&|_| None)
    }

    /// The report as Markdown (every text escaped), organisations by their names from `names`.
    pub fn to_markdown_named(&self, names: OrganisationNames<'_>) -> String {
        let mut out = format!("# {}\n\n", escape_markdown(&self.title()));
        md_table(&mut out, &["", ""], &self.facts());
        for (title, head, rows) in self.sections(names) {
            let _ = writeln!(out, "## {title}\n");
            if rows.is_empty() {
                out.push_str("Geen.\n\n");
            } else {
                md_table(&mut out, &head, &rows);
            }
        }
        if let Some(note) = self.withheld_note() {
            let _ = writeln!(out, "{}", escape_markdown(&note));
        }
        out
    }

    /// The report as a printable, self-contained HTML page (every text escaped), organisations
    /// by id.
    pub fn to_html(&self) -> String {
        self.to_html_named(&|_| None)
    }

    /// The report as a printable, self-contained HTML page (every text escaped), organisations
    /// by their names from `names`.
    pub fn to_html_named(&self, names: OrganisationNames<'_>) -> String {
        let mut b = format!("<h1>{}</h1>\n", escape_html(&self.title()));
        html_table(&mut b, &["Gegeven", "Waarde"], &self.facts());
        for (title, head, rows) in self.sections(names) {
            let _ = writeln!(b, "<h2>{}</h2>", escape_html(title));
            if rows.is_empty() {
                b.push_str("<p class=\"muted\">Geen.</p>\n");
            } else {
                html_table(&mut b, &head, &rows);
            }
        }
        let series = super::zrm::zrm_series(&self.self_reliance);
        if !series.is_empty() {
            b.push_str("<div style=\"display:flex;flex-wrap:wrap;gap:1em\">\n");
            for (domain, points) in &series {
                let _ = writeln!(
                    b,
                    "<figure style=\"margin:0;width:210px\"><figcaption>{}</figcaption>{}</figure>",
                    escape_html(zrm_domain(*domain)),
                    super::zrm::svg_zrm_domain(points, zrm_domain(*domain))
                );
            }
            b.push_str("</div>\n");
        }
        if let Some(note) = self.withheld_note() {
            let _ = writeln!(b, "<p class=\"muted\">{}</p>", escape_html(&note));
        }
        page(&self.title(), &b)
    }
}

// ---- Agenda -----------------------------------------------------------------------------

impl MeetingAgenda {
    /// The agenda as Markdown (participants by internal id; staff look names up in their
    /// own listing).
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# Agenda ketenoverleg {}\n\n", self.meeting_date);
        if let Some((id, date)) = self.previous_meeting {
            let _ = writeln!(out, "Vorig overleg: {date} ({id}).\n");
        }
        out.push_str("## Te bespreken\n\n");
        let rows: Vec<Vec<String>> = self
            .entries
            .iter()
            .map(|e| {
                vec![
                    e.participant.to_string(),
                    e.project_worker.to_string(),
                    e.reasons.iter().map(agenda_reason).collect::<Vec<_>>().join("; "),
                ]
            })
            .collect();
        md_table(&mut out, &["Deelnemer", "Projectmedewerker", "Reden"], &rows);
        out.push_str("## Besluiten vorig overleg\n\n");
        let rows: Vec<Vec<String>> = self
            .previous_decisions
            .iter()
            .map(|d| {
                vec![
                    d.participant.to_string(),
                    d.decision.clone().unwrap_or_default(),
                    d.termination.as_ref().map_or_else(String::new, |t| {
                        format!(
                            "{:?}: {}{}",
                            t.advice,
                            t.reasoning,
                            t.decision.as_ref().map_or(String::new(), |c| format!(
                                " — {}",
                                if c.adopted { "overgenomen" } else { "niet overgenomen" }
                            ))
                        )
                    }),
                ]
            })
            .collect();
        md_table(&mut out, &["Deelnemer", "Besluit", "Advies beëindiging"], &rows);
        out
    }
}
