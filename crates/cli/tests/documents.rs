//! Documents for the participant (#20): the plan and the information sheet in the participant's
//! language, the handover counted under 5.2.c, the self-reliance cohort view, and each
//! language's document printed by a real browser (headless Chromium) and read back from the
//! PDF's text layer.

use std::path::{Path, PathBuf};
use std::process::Command;

use perspectief_core::document::{DocumentLanguage, Messages};
use serde_json::Value;

use crate::support::{Install, stderr, stdout};

/// A participant with a plan, a goal, an agreement and two ZRM assessments; returns the id.
fn participant_with_plan(i: &Install) -> String {
    let v = i.json(&[
        "participant",
        "register",
        "--given-names",
        "Selam",
        "--family-name",
        "Testpersoon",
        "--country-of-origin",
        "ER",
        "--language",
        "ti",
        "--registered-on=-90",
    ]);
    let p = v["participant"].as_str().unwrap().to_owned();
    i.json(&[
        "plan",
        "revise",
        &p,
        "--situation",
        "Verblijft in de LVV <sinds 2024> & zoekt werk.",
        "--perspective",
        "Juridische mogelijkheden onderzoeken.",
    ]);
    i.json(&["plan", "agree", &p]);
    i.json(&["goal", "add", &p, "--description", "Gesprek met advocaat", "--deadline", "+21"]);
    i.json(&["agreement", "add", &p, "--description", "Documenten meenemen", "--due", "+10"]);
    i.json(&["zrm", "record", &p, "--score", "housing=1", "--score", "finances=2", "--on=-60"]);
    i.json(&["zrm", "record", &p, "--score", "housing=3", "--score", "finances=2", "--on=-5"]);
    p
}

fn measure<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["activities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"]["value"] == code)
        .unwrap_or_else(|| panic!("no {code} in {report:#}"))
}

#[test]
fn a_handed_over_document_counts_under_5_2_c_and_appears_in_the_progress_report() {
    let i = Install::new();
    let p = participant_with_plan(&i);
    let lead = i.add_user("Leider Test", "project_lead");
    let v = i.json(&["--as", &lead, "period", "define", "--name", "Test", "--from=-100", "--to=+200"]);
    let period = v["period"].as_str().unwrap().to_owned();
    let before = i.json(&["report", "subsidy", &period]);
    assert_eq!(measure(&before, "5.2.c")["realised"], 0, "{before:#}");

    // The plan in Tigrinya, handed over.
    let html = i.dir.path().join("plan-ti.html");
    let out = i
        .cmd()
        .args(["participant", "document", &p, "--lang", "ti", "--hand-over", "--html"])
        .arg(&html)
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let done: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((done["handed_over"].as_bool(), done["document_version"].as_str()), (Some(true), Some("1")));
    // Staff are told the translation still awaits a native speaker's review.
    assert!(stderr(&out).contains("nog niet nagekeken"), "{}", stderr(&out));
    let page = std::fs::read_to_string(&html).unwrap();
    let ti = Messages::new(DocumentLanguage::Ti);
    assert!(page.contains("<html lang=\"ti\" dir=\"ltr\">") && page.contains(&ti.get("plan-title")));
    // Staff's free text stays as written, escaped; the page says so in Tigrinya.
    assert!(page.contains("Verblijft in de LVV &lt;sinds 2024&gt; &amp; zoekt werk."), "{page}");
    assert!(page.contains(&ti.get("free-text-note")));
    assert!(page.contains("<svg") && page.contains(&ti.get("zrm-housing")), "the ZRM chart per domain");

    // The information sheet in Arabic, handed over too.
    let sheet = i.dir.path().join("sheet-ar.html");
    let out = i
        .cmd()
        .args(["participant", "document", &p, "--kind", "sheet", "--lang", "ar", "--hand-over", "--html"])
        .arg(&sheet)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(&sheet).unwrap();
    assert!(page.contains("dir=\"rtl\"") && page.contains("2026.1"));

    // Both handovers are contact moments under 5.2.c: one person reached under 5.2.c.
    let after = i.json(&["report", "subsidy", &period]);
    assert_eq!(measure(&after, "5.2.c")["realised"], 1, "{after:#}");
    // The progress report lists what was handed over, and the ZRM scores over time.
    let report = i.json(&["report", "progress", &p, "--from=-30", "--to=+0"]);
    let mut handed: Vec<(String, String, String)> = report["handed_over"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let d = &h["document"];
            (
                d["kind"].as_str().unwrap().into(),
                d["language"].as_str().unwrap().into(),
                d["version"].as_str().unwrap().into(),
            )
        })
        .collect();
    handed.sort();
    let expected = [("information_sheet", "ar", "2026.1"), ("perspective_plan", "ti", "1")];
    assert_eq!(handed, expected.map(|(k, l, v)| (k.to_owned(), l.to_owned(), v.to_owned())), "{report:#}");
    assert_eq!(report["self_reliance"].as_array().unwrap().len(), 2);
    let md = stdout(&i.cmd().args(["report", "progress", &p, "--from=-30", "--to=+0"]).output().unwrap());
    assert!(md.contains("Overhandigde documenten (5.2.c)") && md.contains("Mijn perspectiefplan"), "{md}");
    let progress = i.dir.path().join("voortgang.html");
    let out =
        i.cmd().args(["report", "progress", &p, "--from=-30", "--to=+0", "--html"]).arg(&progress).output().unwrap();
    assert!(out.status.success());
    let page = std::fs::read_to_string(&progress).unwrap();
    assert!(page.contains("Huisvesting") && page.contains("<polyline"), "a ZRM chart per domain");

    // The cohort view: one participant with two assessments, housing +2, finances 0.
    let cohort = i.json(&["report", "zrm", &period]);
    assert_eq!(cohort["participants"], 1);
    let domain = |d: &str| cohort["domains"].as_array().unwrap().iter().find(|x| x["domain"] == d).unwrap().clone();
    assert_eq!(domain("housing")["average_change"], 2.0);
    assert_eq!(domain("finances")["average_change"], 0.0);
    assert_eq!(domain("justice")["participants"], 0);
}

#[test]
fn a_document_language_is_only_for_documents_and_the_plan_needs_a_plan() {
    let i = Install::new();
    let out = i.cmd().args(["--lang", "ti", "participant", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
    assert!(stderr(&out).contains("alleen voor documenten"), "{}", stderr(&out));
    let p = i.json(&["participant", "register", "--given-names", "Yonas"])["participant"].as_str().unwrap().to_owned();
    let file = i.dir.path().join("x.html");
    // Without --lang the document's language is not guessed.
    let out = i.cmd().args(["participant", "document", &p, "--html"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
    // No plan yet: the page says so, but there is no plan version to hand over.
    let out = i
        .cmd()
        .args(["participant", "document", &p, "--lang", "so", "--hand-over", "--html"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    let page = std::fs::read_to_string(&file).unwrap();
    assert!(page.contains(&Messages::new(DocumentLanguage::So).get("plan-none")));
}

// ---- In a real browser --------------------------------------------------------------------

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).flat_map(|dir| names.iter().map(move |n| dir.join(n))).find(|p| p.is_file())
}

/// Chromium and pdftotext, or `None` (a notice) when this machine lacks them. In CI (`CI` set)
/// a missing browser fails the test: it must never be skipped silently there.
fn browser() -> Option<(PathBuf, PathBuf)> {
    let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"]);
    let pdftotext = find_program(&["pdftotext"]);
    match (chromium, pdftotext) {
        (Some(c), Some(p)) => Some((c, p)),
        _ if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) => {
            panic!(
                "CI is set but chromium or pdftotext is missing: .ci/run installs them (apt-get install chromium poppler-utils)"
            )
        }
        _ => {
            eprintln!(
                "NOTICE: chromium or pdftotext not found; the browser test of the participant documents is skipped"
            );
            None
        }
    }
}

/// Print an HTML file to PDF with headless Chromium (own profile, file:// URL, no network).
fn print_to_pdf(chromium: &Path, html: &Path, pdf: &Path, profile: &Path) {
    let out = Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions"])
        .args(["--no-pdf-header-footer", "--print-to-pdf-no-header", "--disable-background-networking"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(pdf.is_file(), "chromium wrote no PDF for {}: {}", html.display(), String::from_utf8_lossy(&out.stderr));
}

/// Text for comparing with a PDF's text layer: without white space, direction marks,
/// zero-width joiners and Arabic vowel marks (the text layer splits a word at a mark such as
/// tanwin, and places digits beside Arabic words without a space).
fn plain(text: &str) -> String {
    text.chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(c, '\u{200c}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{064b}'..='\u{065f}' | '\u{0670}')
        })
        .collect()
}

/// The words of the PDF's first page with their boxes, from `pdftotext -bbox`.
fn words(pdftotext: &Path, pdf: &Path) -> (f64, Vec<(f64, f64, f64)>) {
    let out = Command::new(pdftotext).args(["-f", "1", "-l", "1", "-bbox"]).arg(pdf).arg("-").output().unwrap();
    let xml = String::from_utf8_lossy(&out.stdout);
    let attr = |line: &str, name: &str| -> f64 {
        let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        line[start..].split('"').next().unwrap().parse().unwrap()
    };
    let width = xml.lines().find(|l| l.contains("<page ")).map(|l| attr(l, "width")).unwrap();
    let words = xml
        .lines()
        .filter(|l| l.trim_start().starts_with("<word "))
        .map(|l| (attr(l, "xMin"), attr(l, "xMax"), attr(l, "yMin")))
        .collect();
    (width, words)
}

#[test]
fn every_language_prints_in_a_real_browser_with_its_headings_and_direction() {
    let Some((chromium, pdftotext)) = browser() else { return };
    let i = Install::new();
    let p = participant_with_plan(&i);
    let profile = tempfile::tempdir().unwrap();
    for language in DocumentLanguage::ALL {
        let m = Messages::new(language);
        for (kind, title, heading) in
            [("plan", "plan-title", "heading-goals"), ("sheet", "sheet-title", "sheet-limit-heading")]
        {
            let html = i.dir.path().join(format!("{kind}-{language}.html"));
            let pdf = i.dir.path().join(format!("{kind}-{language}.pdf"));
            let out = i
                .cmd()
                .args(["participant", "document", &p, "--kind", kind, "--lang", language.code(), "--html"])
                .arg(&html)
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
            print_to_pdf(&chromium, &html, &pdf, profile.path());
            let text = Command::new(&pdftotext).args(["-enc", "UTF-8"]).arg(&pdf).arg("-").output().unwrap();
            let text = plain(&String::from_utf8_lossy(&text.stdout));
            for id in [title, heading, "heading-consent", "heading-complaint"] {
                assert!(
                    text.contains(&plain(&m.get(id))),
                    "{language} {kind}: no {id} ({}) in the PDF:\n{text}",
                    m.get(id)
                );
            }
            // The layout's direction: the title (the top line of the first page) starts at the
            // left margin, or for Arabic and Dari/Farsi ends at the right margin.
            let (width, words) = words(&pdftotext, &pdf);
            let top = words.iter().map(|w| w.2).fold(f64::INFINITY, f64::min);
            let line: Vec<_> = words.iter().filter(|w| (w.2 - top).abs() < 3.0).collect();
            let left = line.iter().map(|w| w.0).fold(f64::INFINITY, f64::min);
            let right = line.iter().map(|w| w.1).fold(0.0, f64::max);
            if language.is_rtl() {
                assert!(
                    right > width * 0.8 && left > width * 0.35,
                    "{language} {kind}: title at {left}..{right} of {width}"
                );
            } else {
                assert!(left < width * 0.2, "{language} {kind}: title at {left}..{right} of {width}");
            }
        }
    }
}

#[test]
fn the_worklist_shows_people_without_an_assessment_for_too_long() {
    let i = Install::new();
    let assessed = participant_with_plan(&i); // assessed 5 days ago
    let never = i.json(&["participant", "register", "--given-names", "Yonas", "--registered-on=-90"])["participant"]
        .as_str()
        .unwrap()
        .to_owned();
    let flagged = |months: &str| -> Vec<String> {
        let list = i.json(&["worklist", "--no-assessment-months", months]);
        list.as_array()
            .unwrap()
            .iter()
            .filter(|w| w["list"] == "without_assessment")
            .map(|w| w["participant"].as_str().unwrap().to_owned())
            .collect()
    };
    // Registered 90 days ago and never assessed: flagged after 2 months, not after 6.
    assert_eq!(flagged("2"), vec![never.clone()]);
    assert!(flagged("6").is_empty());
    assert!(!flagged("1").contains(&assessed));
    let table = stdout(&i.cmd().args(["worklist", "--no-assessment-months", "2"]).output().unwrap());
    assert!(table.contains("geen ZRM-meting"), "{table}");
}
