//! Participant documents (#20): every message in every language, no Dutch fixed text in
//! another language's document, direction, dates, escaping; the handover rule (5.2.c); the
//! self-reliance cohort view against a computation done here.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use perspectief_core::document::{
    DocumentContact, DocumentKind, DocumentLanguage, DocumentNames, DocumentVersion, HandedDocument,
    INFORMATION_SHEET_VERSION, InformationSheet, Messages, PlanDocument, all_messages, used_message_ids,
};
use perspectief_core::outflow::ZrmAssessment;
use perspectief_core::report::ProgressReport;
use perspectief_core::report::zrm::ZrmCohort;
use perspectief_core::view::CaseView;
use perspectief_core::*;

use crate::support::*;

/// Messages that may read the same in every language: the date pattern (placeholders only) and
/// the sheet's version number.
const SAME_EVERYWHERE: &[&str] = &["date-pattern", "sheet-version"];

#[test]
fn every_message_id_exists_in_every_language_and_every_file_parses() {
    let reference: BTreeSet<&str> = DocumentLanguage::Nl.message_ids().into_iter().collect();
    for language in DocumentLanguage::ALL {
        Messages::check(language).unwrap_or_else(|e| panic!("{e}"));
        let ids: BTreeSet<&str> = language.message_ids().into_iter().collect();
        let missing: Vec<_> = reference.difference(&ids).collect();
        let extra: Vec<_> = ids.difference(&reference).collect();
        assert!(missing.is_empty(), "{language} lacks {missing:?}");
        assert!(extra.is_empty(), "{language} has ids Dutch lacks: {extra:?}");
        let m = Messages::new(language);
        for id in used_message_ids() {
            assert!(m.has(&id), "{language}: the renderer uses {id}, the file lacks it");
        }
        // The sheet's translation names the version it translates.
        assert_eq!(m.get("sheet-version"), INFORMATION_SHEET_VERSION, "{language} translates another sheet version");
        // Each file says how far it was reviewed, so a native speaker knows what to check.
        assert!(!language.review_status().is_empty(), "{language} has no '## Review:' line");
    }
}

#[test]
fn no_message_of_another_language_is_left_in_dutch() {
    let all = all_messages();
    let nl = &all[&DocumentLanguage::Nl];
    for (language, messages) in &all {
        if *language == DocumentLanguage::Nl {
            continue;
        }
        for (id, text) in messages {
            if SAME_EVERYWHERE.contains(&id.as_str()) {
                continue;
            }
            assert_ne!(text, &nl[id], "{language}: {id} is still the Dutch text");
        }
    }
}

/// A case with a plan, a goal, an agreement, a partner-held goal and two ZRM assessments; the
/// staff texts hold no Dutch fixed text (and one needs escaping).
fn case() -> (Case, NaiveDate) {
    let (mut case, mut log) = registered();
    let on = later(start(), 30);
    run(
        &mut case,
        &mut log,
        CaseCommand::RevisePlan {
            personal_situation: text("Situation <b>x</b> & y"),
            perspective: text("Perspective text 42"),
            on: None,
        },
        on,
    );
    run(&mut case, &mut log, CaseCommand::AgreePlan { revision: 1, on }, on);
    run(&mut case, &mut log, goal(1, later(on, 20)), on);
    let mut scores = BTreeMap::new();
    scores.insert(ZrmDomain::Housing, ZrmScore::new(2).unwrap());
    run(&mut case, &mut log, CaseCommand::RecordSelfReliance { assessed_on: start(), scores: scores.clone() }, on);
    scores.insert(ZrmDomain::Housing, ZrmScore::new(4).unwrap());
    run(&mut case, &mut log, CaseCommand::RecordSelfReliance { assessed_on: on, scores }, on);
    (case, on)
}

fn documents(language: DocumentLanguage) -> [String; 2] {
    let (case, on) = case();
    let contact = DocumentContact {
        organisation: Some("Stichting Voorbeeld".into()),
        project_worker: Some("Sanne".into()),
        phone: Some("+31 20 000 0000".into()),
        email: Some("info@example.org".into()),
        address: None,
    };
    let plan = PlanDocument::from_view(&CaseView::whole(&case), on, contact.clone());
    [plan.to_html(language, &DocumentNames::default()), InformationSheet { contact }.to_html(language, on)]
}

#[test]
fn each_languages_documents_hold_no_dutch_fixed_text() {
    let nl: Vec<String> = all_messages()[&DocumentLanguage::Nl]
        .iter()
        .filter(|(id, text)| !SAME_EVERYWHERE.contains(&id.as_str()) && text.chars().count() >= 8)
        .map(|(_, text)| perspectief_core::report::render::escape_html(text))
        .collect();
    for language in DocumentLanguage::ALL {
        for page in documents(language) {
            // Every fixed text is the language's own: no message id is left unresolved.
            assert!(!page.contains("plan-") && !page.contains("heading-") && !page.contains("label-"), "{language}");
            if language == DocumentLanguage::Nl {
                assert!(nl.iter().any(|t| page.contains(t)));
                continue;
            }
            for dutch in &nl {
                assert!(!page.contains(dutch.as_str()), "{language}: Dutch fixed text {dutch:?} in the document");
            }
        }
    }
}

#[test]
fn direction_fonts_dates_and_escaping() {
    for language in DocumentLanguage::ALL {
        let [plan, sheet] = documents(language);
        let dir = if language.is_rtl() { "rtl" } else { "ltr" };
        for page in [&plan, &sheet] {
            assert!(page.contains(&format!("<html lang=\"{}\" dir=\"{dir}\">", language.code())), "{language}");
            assert!(page.contains("size: A4"));
            assert!(page.contains(language.font_family()));
            // Western digits everywhere (see docs/languages.md), also in Arabic and Farsi.
            assert!(
                !page.chars().any(|c| ('\u{0660}'..='\u{0669}').contains(&c) || ('\u{06f0}'..='\u{06f9}').contains(&c))
            );
        }
        // Staff's text escaped and isolated, never translated.
        assert!(plan.contains("Situation &lt;b&gt;x&lt;/b&gt; &amp; y") && !plan.contains("<b>x</b>"), "{language}");
        // The plan's agreement day, written the language's way.
        let agreed = Messages::new(language).date(later(start(), 30));
        assert!(plan.contains(&agreed), "{language}: {agreed}");
    }
    let d = day(2026, 4, 1);
    assert_eq!(Messages::new(DocumentLanguage::En).date(d), "1 April 2026");
    assert_eq!(Messages::new(DocumentLanguage::Ar).date(d), "1 أبريل 2026");
    assert_eq!(Messages::new(DocumentLanguage::Fa).date(d), "1 اپریل 2026");
    assert_eq!(Messages::new(DocumentLanguage::So).date(d), "1 Abriil 2026");
    assert!(DocumentLanguage::Ar.font_family().contains("Noto Naskh Arabic"));
    assert!(DocumentLanguage::Ti.font_family().contains("Noto Sans Ethiopic"));
    assert!(DocumentLanguage::Ti.font_family().contains("Abyssinica SIL"));
}

#[test]
fn a_handover_is_a_contact_under_5_2_c_with_the_document_its_language_and_version() {
    let (mut case, mut log) = with_agreed_plan();
    let on = later(start(), 3);
    let doc = |kind, version: &str| HandedDocument {
        kind,
        language: DocumentLanguage::Ti,
        version: DocumentVersion::parse(version).unwrap(),
    };
    // A plan revision the case does not have, or an unpublished sheet version, is refused.
    for (i, bad) in
        [doc(DocumentKind::PerspectivePlan, "2"), doc(DocumentKind::InformationSheet, "1999.1")].into_iter().enumerate()
    {
        let mut c = contact(10 + i as u128, on, ContactKind::IndividualTalk, &[]);
        c.documents = vec![bad];
        let err = case.execute(CaseCommand::LogContact(c), &ctx_on(on)).unwrap_err();
        assert_eq!(err.code(), "invalid_input", "{err}");
    }
    // Handed over without naming an activity: the core counts it under 5.2.c.
    let mut c = contact(20, on, ContactKind::IndividualTalk, &[]);
    c.documents =
        vec![doc(DocumentKind::PerspectivePlan, "1"), doc(DocumentKind::InformationSheet, INFORMATION_SHEET_VERSION)];
    let events = run(&mut case, &mut log, CaseCommand::LogContact(c), on);
    assert_eq!(events[0].change.activities(), vec![ActivityCode::Communication]);
    assert_eq!(Case::replay(&log).unwrap(), case);
    let report = ProgressReport::generate(&CaseView::whole(&case), start(), later(on, 1));
    assert_eq!(report.handed_over.len(), 2);
    assert!(
        report.to_markdown().contains("Mijn perspectiefplan (ti, versie 1)")
            || report.to_markdown().contains("Mijn perspectiefplan")
    );
    // Outside a period, not listed.
    let report = ProgressReport::generate(&CaseView::whole(&case), later(on, 1), later(on, 2));
    assert!(report.handed_over.is_empty());
}

/// The cohort rule written out again, independently: per participant the assessments in the
/// period by day; with at least two, per domain the latest minus the first score.
fn expected(people: &[Vec<ZrmAssessment>], from: NaiveDate, to: NaiveDate) -> (u32, BTreeMap<ZrmDomain, (u32, f64)>) {
    let mut n = 0;
    let mut sums: BTreeMap<ZrmDomain, (u32, i32)> = BTreeMap::new();
    for p in people {
        let mut within: Vec<&ZrmAssessment> =
            p.iter().filter(|a| a.assessed_on >= from && a.assessed_on <= to).collect();
        if within.len() < 2 {
            continue;
        }
        n += 1;
        within.sort_by_key(|a| a.assessed_on);
        for domain in ZrmDomain::ALL {
            let scored: Vec<u8> = within.iter().filter_map(|a| a.scores.get(&domain).map(|s| s.get())).collect();
            if scored.len() >= 2 {
                let e = sums.entry(domain).or_default();
                e.0 += 1;
                e.1 += i32::from(scored[scored.len() - 1]) - i32::from(scored[0]);
            }
        }
    }
    (n, sums.into_iter().map(|(d, (k, s))| (d, (k, f64::from(s) / f64::from(k)))).collect())
}

#[test]
fn the_cohort_view_equals_the_computation_written_out_here() {
    // Synthetic, deterministic: 40 participants, 0 to 4 assessments each, spread over a year,
    // scoring a varying set of domains.
    let mut seed: u64 = 0x5eed;
    let mut next = |m: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % m
    };
    let mut people: Vec<Vec<ZrmAssessment>> = Vec::new();
    for _ in 0..40 {
        let mut assessments = Vec::new();
        for _ in 0..next(5) {
            let assessed_on = later(day(2026, 1, 1), next(365));
            let mut scores = BTreeMap::new();
            for d in ZrmDomain::ALL {
                if next(3) > 0 {
                    scores.insert(d, ZrmScore::new(1 + next(5) as u8).unwrap());
                }
            }
            assessments.push(ZrmAssessment { assessed_on, scores, by: WORKER });
        }
        people.push(assessments);
    }
    let ids: Vec<(ParticipantId, &[ZrmAssessment])> =
        people.iter().enumerate().map(|(i, a)| (ParticipantId::from_u128(i as u128 + 1), a.as_slice())).collect();
    for (from, to) in [(day(2026, 1, 1), day(2026, 12, 31)), (day(2026, 3, 1), day(2026, 8, 31))] {
        let cohort = ZrmCohort::compute(from, to, &ids);
        let (n, domains) = expected(&people, from, to);
        assert!(n >= 5, "the synthetic cohort is not trivial");
        assert_eq!(cohort.participants, Some(n));
        assert_eq!(cohort.domains.len(), 13);
        for d in &cohort.domains {
            match domains.get(&d.domain) {
                Some((k, avg)) => {
                    assert_eq!(d.participants, Some(*k), "{:?}", d.domain);
                    assert!((d.average_change.unwrap() - avg).abs() < 1e-9, "{:?}", d.domain);
                }
                None => assert_eq!((d.participants, d.average_change), (Some(0), None)),
            }
        }
        // Outside the foundation: the guidance domains only, small figures suppressed.
        let outside = cohort.clone().for_outside_reader(n);
        assert!(outside.domains.iter().all(|d| d.domain.category() == DataCategory::Guidance));
        assert_eq!(outside.domains.len(), 9);
        for d in &outside.domains {
            let k = domains.get(&d.domain).map_or(0, |x| x.0);
            assert_eq!(d.suppressed, k > 0 && k < n, "{:?}", d.domain);
            assert_eq!(d.participants.is_none(), d.suppressed);
        }
        assert!(
            cohort
                .clone()
                .for_outside_reader(n + 1)
                .domains
                .iter()
                .all(|d| d.participants.is_none() || d.participants == Some(0))
        );
    }
}
