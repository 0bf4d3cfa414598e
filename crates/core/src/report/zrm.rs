//! Self-reliance over time (5.2.d): a person's ZRM scores per domain as a series and a small
//! SVG chart ([`zrm_series`], [`svg_zrm_domain`]), and the cohort view of a period
//! ([`ZrmCohort::compute`]): the average change per domain between the first and the latest
//! assessment, over the participants with at least two assessments in the period.
//!
//! # The cohort's counting rule
//!
//! Only assessments dated within the period count. A participant is in the cohort when at least
//! two of their assessments fall in the period. For each domain, the participant's change is the
//! score of their latest assessment in the period that scored the domain minus the score of
//! their first such assessment, when those are two different assessments (a domain scored only
//! once says nothing about change). A domain's figure is the number of participants with a
//! change in it and the average of those changes.
//!
//! Outside the foundation, [`ZrmCohort::for_outside_reader`] keeps only the domains whose
//! category is guidance (health and addiction are medical/psychosocial, justice is criminal
//! history) and suppresses every figure of fewer than `min_cell` participants.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::DataCategory;
use crate::ids::ParticipantId;
use crate::outflow::{ZrmAssessment, ZrmDomain};

use super::render::escape_html;

/// A person's scores per domain, oldest first (assessments that did not score a domain are
/// left out of its series). Two assessments on one day keep their recorded order.
pub fn zrm_series(assessments: &[ZrmAssessment]) -> BTreeMap<ZrmDomain, Vec<(NaiveDate, u8)>> {
    let mut ordered: Vec<&ZrmAssessment> = assessments.iter().collect();
    ordered.sort_by_key(|a| a.assessed_on);
    let mut series: BTreeMap<ZrmDomain, Vec<(NaiveDate, u8)>> = BTreeMap::new();
    for a in ordered {
        for (domain, score) in &a.scores {
            series.entry(*domain).or_default().push((a.assessed_on, score.get()));
        }
    }
    series
}

/// One domain's scores as a small line chart (inline SVG, no text but the score axis 1 to 5):
/// one point per assessment, spaced by date. `label` is the chart's accessible name.
///
/// ```
/// use chrono::NaiveDate;
/// use perspectief_core::report::zrm::svg_zrm_domain;
/// let d = |m| NaiveDate::from_ymd_opt(2026, m, 1).unwrap();
/// let svg = svg_zrm_domain(&[(d(1), 2), (d(4), 3), (d(9), 4)], "Huisvesting <&>");
/// assert!(svg.starts_with("<svg") && svg.contains("<polyline") && svg.contains("Huisvesting &lt;&amp;&gt;"));
/// assert_eq!(svg.matches("<circle").count(), 3);
/// ```
pub fn svg_zrm_domain(points: &[(NaiveDate, u8)], label: &str) -> String {
    const W: f64 = 200.0;
    const H: f64 = 100.0;
    const LEFT: f64 = 18.0;
    const RIGHT: f64 = 8.0;
    const TOP: f64 = 8.0;
    const BOTTOM: f64 = 8.0;
    let y = |score: u8| TOP + (5.0 - f64::from(score)) * (H - TOP - BOTTOM) / 4.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {W} {H}\" \
         width=\"{W}\" height=\"{H}\" font-family=\"sans-serif\" font-size=\"9\" direction=\"ltr\">\n",
        escape_html(label)
    );
    for score in 1..=5u8 {
        let yy = y(score);
        let _ = writeln!(
            s,
            "<line x1=\"{LEFT}\" y1=\"{yy}\" x2=\"{}\" y2=\"{yy}\" stroke=\"#ccc\" stroke-width=\"0.6\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#444\">{score}</text>",
            W - RIGHT,
            LEFT - 4.0,
            yy + 3.0
        );
    }
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        s.push_str("</svg>");
        return s;
    };
    let span = (last.0 - first.0).num_days().max(1) as f64;
    let x = |d: NaiveDate| {
        if points.len() == 1 {
            (LEFT + W - RIGHT) / 2.0
        } else {
            LEFT + 6.0 + (d - first.0).num_days() as f64 / span * (W - RIGHT - LEFT - 12.0)
        }
    };
    let coords: Vec<String> = points.iter().map(|(d, v)| format!("{:.1},{:.1}", x(*d), y(*v))).collect();
    if points.len() > 1 {
        let _ = writeln!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#1f5f99\" stroke-width=\"2\"/>",
            coords.join(" ")
        );
    }
    for (d, v) in points {
        let _ = writeln!(s, "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"#1f5f99\"/>", x(*d), y(*v));
    }
    s.push_str("</svg>");
    s
}

/// One domain's figure in the cohort view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZrmCohortDomain {
    /// The domain.
    pub domain: ZrmDomain,
    /// Participants with a change in this domain (`None` when suppressed).
    pub participants: Option<u32>,
    /// The average change, latest minus first (positive: more self-reliant); `None` when no
    /// participant has a change or the figure is suppressed.
    pub average_change: Option<f64>,
    /// Suppressed: fewer than the smallest cell for a reader outside the foundation.
    pub suppressed: bool,
}

/// The cohort view of a period: the average change in self-reliance per domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZrmCohort {
    /// First day of the period.
    pub from: NaiveDate,
    /// Last day of the period.
    pub to: NaiveDate,
    /// Participants with at least two assessments in the period (`None` when suppressed).
    pub participants: Option<u32>,
    /// One figure per domain, in the ZRM's order (outside the foundation only the guidance
    /// domains).
    pub domains: Vec<ZrmCohortDomain>,
    /// The smallest cell applied (0 inside the foundation: nothing suppressed).
    pub min_cell: u32,
}

impl ZrmCohort {
    /// Compute the cohort view of `from..=to` from each participant's assessments (see the
    /// module documentation for the rule).
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use chrono::NaiveDate;
    /// use perspectief_core::report::zrm::ZrmCohort;
    /// use perspectief_core::outflow::ZrmAssessment;
    /// use perspectief_core::{ParticipantId, UserId, ZrmDomain, ZrmScore};
    /// let d = |m| NaiveDate::from_ymd_opt(2026, m, 1).unwrap();
    /// let a = |on, housing| ZrmAssessment {
    ///     assessed_on: on,
    ///     scores: BTreeMap::from([(ZrmDomain::Housing, ZrmScore::new(housing).unwrap())]),
    ///     by: UserId::from_u128(1),
    /// };
    /// let one = vec![a(d(1), 1), a(d(6), 3)];
    /// let two = vec![a(d(2), 2), a(d(3), 3)];
    /// let cohort = ZrmCohort::compute(d(1), d(12), &[(ParticipantId::from_u128(1), &one), (ParticipantId::from_u128(2), &two)]);
    /// let housing = cohort.domains.iter().find(|x| x.domain == ZrmDomain::Housing).unwrap();
    /// assert_eq!((cohort.participants, housing.participants, housing.average_change), (Some(2), Some(2), Some(1.5)));
    /// ```
    pub fn compute(from: NaiveDate, to: NaiveDate, people: &[(ParticipantId, &[ZrmAssessment])]) -> ZrmCohort {
        let mut participants = 0u32;
        let mut sums: BTreeMap<ZrmDomain, (u32, i64)> = BTreeMap::new();
        for (_, assessments) in people {
            let within: Vec<ZrmAssessment> =
                assessments.iter().filter(|a| from <= a.assessed_on && a.assessed_on <= to).cloned().collect();
            if within.len() < 2 {
                continue;
            }
            participants += 1;
            for (domain, series) in zrm_series(&within) {
                if let (Some(first), Some(last)) = (series.first(), series.last())
                    && series.len() >= 2
                {
                    let entry = sums.entry(domain).or_default();
                    entry.0 += 1;
                    entry.1 += i64::from(last.1) - i64::from(first.1);
                }
            }
        }
        let domains = ZrmDomain::ALL
            .into_iter()
            .map(|domain| {
                let (n, sum) = sums.get(&domain).copied().unwrap_or_default();
                ZrmCohortDomain {
                    domain,
                    participants: Some(n),
                    average_change: (n > 0).then(|| sum as f64 / f64::from(n)),
                    suppressed: false,
                }
            })
            .collect();
        ZrmCohort { from, to, participants: Some(participants), domains, min_cell: 0 }
    }

    /// The view for a reader outside the foundation: only the guidance domains, and every
    /// figure of fewer than `min_cell` participants suppressed (a cohort of fewer than
    /// `min_cell` suppresses everything).
    pub fn for_outside_reader(mut self, min_cell: u32) -> ZrmCohort {
        self.min_cell = min_cell;
        self.domains.retain(|d| d.domain.category() == DataCategory::Guidance);
        let small = |n: Option<u32>| n.is_some_and(|n| n > 0 && n < min_cell);
        let all = small(self.participants);
        if all {
            self.participants = None;
        }
        for d in &mut self.domains {
            if all || small(d.participants) {
                d.participants = None;
                d.average_change = None;
                d.suppressed = true;
            }
        }
        self
    }

    /// The cohort view as a printable HTML table with a bar chart of the average changes (Dutch
    /// labels, like the other reports to the municipality).
    pub fn to_html(&self) -> String {
        let title = format!("Zelfredzaamheid (ZRM) {} t/m {}", self.from, self.to);
        let mut b = format!("<h1>{}</h1>\n", escape_html(&title));
        let _ = writeln!(
            b,
            "<p>Deelnemers met ten minste twee metingen in de periode: {}. Verandering = laatste min eerste \
             meting in de periode, per domein (positief: zelfredzamer).{}</p>",
            self.participants.map_or_else(|| format!("minder dan {}", self.min_cell), |n| n.to_string()),
            if self.min_cell > 0 {
                format!(" Cellen van minder dan {} deelnemers zijn weggelaten.", self.min_cell)
            } else {
                String::new()
            }
        );
        b.push_str(&self.svg_bars());
        b.push_str("<table>\n<tr><th>Domein</th><th>Deelnemers</th><th>Gemiddelde verandering</th></tr>\n");
        for d in &self.domains {
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape_html(super::render::zrm_domain(d.domain)),
                d.participants.map_or_else(|| "—".to_owned(), |n| n.to_string()),
                d.average_change.map_or_else(|| "—".to_owned(), |a| format!("{a:+.2}")),
            );
        }
        b.push_str("</table>\n");
        super::render::page_public(&title, &b)
    }

    /// The average changes as horizontal bars around zero (inline SVG).
    pub fn svg_bars(&self) -> String {
        let row = 18.0;
        let (w, label_w, half) = (560.0, 200.0, 160.0);
        let zero = label_w + half;
        let height = row * self.domains.len() as f64 + 24.0;
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"Gemiddelde verandering per domein\" \
             width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n"
        );
        for (i, d) in self.domains.iter().enumerate() {
            let y = i as f64 * row + 4.0;
            let _ = writeln!(
                s,
                "<text x=\"0\" y=\"{:.1}\">{}</text>",
                y + 12.0,
                escape_html(super::render::zrm_domain(d.domain))
            );
            if let Some(avg) = d.average_change {
                // The scale runs from -4 to +4 (the largest possible change).
                let len = avg.clamp(-4.0, 4.0) / 4.0 * half;
                let (x, width, fill) = if len >= 0.0 { (zero, len, "#2e7d32") } else { (zero + len, -len, "#c62828") };
                let _ = writeln!(
                    s,
                    "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"12\" fill=\"{fill}\"/>\
                     <text x=\"{:.1}\" y=\"{:.1}\">{avg:+.2}</text>",
                    y + 2.0,
                    zero + half + 6.0,
                    y + 12.0
                );
            }
        }
        let _ = writeln!(s, "<line x1=\"{zero}\" y1=\"0\" x2=\"{zero}\" y2=\"{:.1}\" stroke=\"#333\"/>", height - 20.0);
        let _ = writeln!(
            s,
            "<text x=\"{label_w}\" y=\"{:.1}\" fill=\"#666\">−4 · 0 · +4 (gemiddelde verandering)</text>\n</svg>",
            height - 4.0
        );
        s
    }
}
