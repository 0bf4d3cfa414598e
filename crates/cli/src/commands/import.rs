//! `import participants|contacts FILE.csv`: every row is checked first (the input rules and the
//! domain rules, on the core itself), a report names row, column and problem, and nothing is
//! imported unless every row is valid, or with `--skip-invalid` the valid rows are imported and
//! the rejected ones written to a file. The rows to import are written in one transaction
//! ([`Store::import_cases`], the machinery of `import history`): a row the store refuses, or an
//! interruption, leaves nothing written. Local only, like `import history`.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use perspectief_cli::import_csv::{
    self, CONTACT_COLUMNS, CONTACT_REQUIRED, Encoding, Issue, ParticipantImport, Sheet, SheetError, cells, list,
};
use perspectief_cli::spreadsheet::CsvWriter;
use perspectief_core::case::{Case, CaseCommand, CommandContext, RegisterParticipant};
use perspectief_core::ids::ParticipantId;
use perspectief_core::input::{LocationInput, LocationKind, LogContactInput};
use perspectief_core::service::{ParticipantFilter, PerspectiefService};
use perspectief_store::{ImportError, ImportedCase, Store};
use serde_json::json;

use crate::args::{de, now, parse_date, parse_instant, today};
use crate::context::{Ctx, all_participants};
use crate::exit::{Failure, IO, Result, VALIDATION, flag_of};
use crate::output;
use crate::t;
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum ImportCmd {
    /// Hele dossiers uit een map met één CSV-bestand per soort (participants, plans, goals,
    /// agreements, contacts, referrals, consents, return, zrm, progress_reports, phases,
    /// outflows, sessions, attendance; zie docs/import.md), op het
    /// eigen deelnemersnummer; alles of niets (alleen lokaal)
    History(super::history::HistoryArgs),
    /// Deelnemers: given_names, family_name, date_of_birth, country_of_origin, nationalities, languages, v_number, lvv_location, registered_on
    Participants(ImportArgs),
    /// Contactmomenten: participant, at, kind, location, activities, summary, category, duration_minutes
    Contacts(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Het CSV-bestand (komma of puntkomma)
    pub file: PathBuf,
    /// Importeer de geldige rijen en schrijf de afgekeurde naar --rejected
    #[arg(long)]
    pub skip_invalid: bool,
    /// Waar de afgekeurde rijen heen gaan (standaard BESTAND.afgekeurd.csv)
    #[arg(long, value_name = "PAD")]
    pub rejected: Option<PathBuf>,
    /// Alleen controleren, niets importeren
    #[arg(long)]
    pub dry_run: bool,
    /// De tekenset van het bestand: utf-8 of windows-1252 (standaard: herkend; Excel bewaart
    /// CSV in windows-1252)
    #[arg(long, value_name = "TEKENSET", value_parser = parse_encoding)]
    pub encoding: Option<Encoding>,
}

pub fn parse_encoding(s: &str) -> std::result::Result<Encoding, String> {
    s.parse().map_err(|_| t!("import-encoding-unknown", value = s))
}

/// A progress bar on a terminal; hidden otherwise.
pub fn progress(len: u64, message: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message.to_owned());
    bar
}

/// A spinner on a terminal; hidden otherwise.
pub fn spinner(message: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// One problem in the file, in the user's language.
#[derive(Debug, Clone)]
struct Problem {
    row: usize,
    column: String,
    problem: String,
}

/// The words for a problem the checks found.
fn render(p: import_csv::Problem) -> Problem {
    Problem { row: p.row, column: p.column, problem: render_issue(p.issue) }
}

/// What is wrong, in the user's language.
pub fn render_issue(issue: Issue) -> String {
    match issue {
        Issue::UnknownColumn { known } => t!("import-unknown-column", known = known.join(", ")),
        Issue::MissingColumn => t!("import-missing-column"),
        Issue::DuplicateColumn => t!("import-duplicate-column"),
        Issue::MissingCells { expected, found } => t!("import-missing-cells", expected = expected, found = found),
        Issue::ExtraCells { expected, found } => t!("import-extra-cells", expected = expected, found = found),
        Issue::NotAnId => t!("violation-not_an_id"),
        Issue::Violation { code, message } => violation_text(code.code(), &message),
        Issue::Refused(e) => crate::exit::from_domain(e).message,
        Issue::Text(text) => text,
    }
}

fn render_all(problems: Vec<import_csv::Problem>) -> Vec<Problem> {
    problems.into_iter().map(render).collect()
}

/// Read and parse an import file in the chosen (or detected) encoding.
pub fn read(path: &Path, encoding: Option<Encoding>) -> Result<Sheet> {
    let bytes = std::fs::read(path).map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::NotFound { crate::exit::NOT_FOUND } else { IO };
        Failure::new(code, t!("error-io", path = path.display(), reason = e))
    })?;
    Sheet::parse_as(&bytes, encoding.unwrap_or_default()).map_err(|e| match e {
        SheetError::NotUtf8 { line } => {
            Failure::new(VALIDATION, t!("import-not-utf8", path = path.display(), line = line))
        }
        SheetError::Csv(e) => Failure::new(VALIDATION, format!("{}: {e}", path.display())),
    })
}

fn violation_text(code: &str, message: &str) -> String {
    let id = format!("violation-{code}");
    if crate::i18n::has(&id) { t!(&id) } else { message.to_owned() }
}

/// What a valid row becomes.
enum Row {
    Participant(RegisterParticipant),
    Contact(ParticipantId, CaseCommand),
}

pub async fn participants(svc: &Store, ctx: &Ctx, args: ImportArgs) -> Result<()> {
    let sheet = read(&args.file, args.encoding)?;
    let context = CommandContext::at(ctx.me(), now());
    let mut new_id = || ParticipantId::from_uuid(uuid::Uuid::now_v7());
    let mut env = ParticipantImport {
        me: ctx.me(),
        today: today(),
        context: &context,
        parse_date: &parse_date,
        new_id: &mut new_id,
    };
    let checked = match import_csv::check_participants(&sheet, &mut env) {
        Ok(checked) => checked,
        Err(header_problems) => {
            return report(ctx, &args, &sheet, Vec::new(), render_all(header_problems), 0)
                .await
                .and(Err(Failure::new(VALIDATION, t!("import-refused"))));
        }
    };
    let valid = checked.valid.into_iter().map(|(row, cmd)| (row, Row::Participant(cmd))).collect();
    finish(svc, ctx, &args, &sheet, valid, render_all(checked.problems)).await
}

pub async fn contacts(svc: &Store, ctx: &Ctx, args: ImportArgs) -> Result<()> {
    let sheet = read(&args.file, args.encoding)?;
    let mut header_problems = import_csv::check_headers(&sheet.headers, CONTACT_COLUMNS, CONTACT_REQUIRED);
    header_problems.extend(import_csv::shape_problems(&sheet));
    if !header_problems.is_empty() {
        return report(ctx, &args, &sheet, Vec::new(), render_all(header_problems), 0)
            .await
            .and(Err(Failure::new(VALIDATION, t!("import-refused"))));
    }
    // Every participant id once, to resolve the column (full ids or their start).
    let every = ParticipantFilter { include_closed: true, ..Default::default() };
    let all: Vec<ParticipantId> = all_participants(svc, ctx, every).await?.iter().map(|p| p.id).collect();
    // The register once, when the sheet names partners (by code or id).
    let named = sheet.headers.iter().any(|h| h == "partner")
        && sheet.rows.iter().any(|r| cells(&sheet.headers, r).contains_key("partner"));
    let directory = ctx.directory_if(svc, named).await?;
    let started = now();
    let context = CommandContext::at(ctx.me(), started);
    let mut cases: BTreeMap<ParticipantId, Case> = BTreeMap::new();
    let mut valid = Vec::new();
    let mut problems = Vec::new();
    let bar = progress(sheet.rows.len() as u64, &t!("progress-check"));
    for (i, record) in sheet.rows.iter().enumerate() {
        bar.inc(1);
        let row = i + 2;
        let c = cells(&sheet.headers, record);
        let mut row_problems = Vec::new();
        let mut problem =
            |column: &str, text: String| row_problems.push(Problem { row, column: column.to_owned(), problem: text });
        let reference = c.get("participant").copied().unwrap_or_default().to_lowercase();
        let matches: Vec<ParticipantId> =
            all.iter().copied().filter(|p| crate::context::matches_id(&p.to_string(), &reference)).collect();
        let participant = match matches.as_slice() {
            [one] => Some(*one),
            [] => {
                problem("participant", t!("import-unknown-participant", value = reference));
                None
            }
            _ => {
                problem("participant", t!("error-ambiguous", value = reference));
                None
            }
        };
        let at = match c.get("at") {
            Some(v) => parse_instant(v).map_err(|e| problem("at", e)).ok(),
            None => Some(started),
        };
        let kind = c
            .get("kind")
            .and_then(|v| de(v).map_err(|_| problem("kind", t!("violation-unknown-value", value = v))).ok());
        let category = match c.get("category") {
            Some(v) => de(v).map_err(|_| problem("category", t!("violation-unknown-value", value = v))).ok(),
            None => Some(perspectief_core::DataCategory::Guidance),
        };
        let duration = match c.get("duration_minutes") {
            Some(v) => {
                v.parse::<u32>().map(Some).map_err(|_| problem("duration_minutes", t!("violation-out_of_range"))).ok()
            }
            None => Some(None),
        };
        let partner = match c.get("partner") {
            Some(v) => directory.resolve("partner", v).map(Some).map_err(|e| problem("partner", e.message)).ok(),
            None => Some(None),
        };
        let location = {
            let v = c.get("location").copied().unwrap_or("office");
            let (k, name) = v.split_once(':').map_or((v, None), |(k, n)| (k, Some(n.trim().to_owned())));
            let kind = match k.trim().to_lowercase().as_str() {
                "office" | "kantoor" => Some(LocationKind::Office),
                "remote" => Some(LocationKind::Remote),
                "lvv" | "lvv_location" => Some(LocationKind::LvvLocation),
                "partner" => Some(LocationKind::Partner),
                "external" | "extern" => Some(LocationKind::External),
                _ => {
                    problem("location", t!("violation-location", value = v));
                    None
                }
            };
            kind.map(|kind| LocationInput { kind, name })
        };
        if let (
            Some(participant),
            Some(at),
            Some(kind),
            Some(category),
            Some(duration),
            Some(partner),
            Some(location),
        ) = (participant, at, kind, category, duration, partner, location)
        {
            let input = LogContactInput {
                at,
                kind,
                location,
                staff: Vec::new(),
                activities: c.get("activities").map(|s| list(&s.replace(',', ";"))).unwrap_or_default(),
                summary: c.get("summary").map(|s| (*s).to_owned()).unwrap_or_default(),
                category,
                partner,
                duration_minutes: duration,
                agreements: Vec::new(),
            };
            match super::contact::contact_command(input) {
                Ok((_, cmd)) => {
                    if let std::collections::btree_map::Entry::Vacant(slot) = cases.entry(participant) {
                        slot.insert(svc.get_case(&ctx.caller, participant).await?);
                    }
                    // The domain rules, on a copy of the case with the earlier rows applied.
                    let case = cases.get_mut(&participant);
                    if let Some(case) = case {
                        let mut trial = case.clone();
                        match trial.execute(cmd.clone(), &context) {
                            Ok(_) if row_problems.is_empty() => {
                                *case = trial;
                                valid.push((row, Row::Contact(participant, cmd)));
                            }
                            Ok(_) => {}
                            Err(e) => row_problems.extend(render_all(import_csv::domain_problems(row, &e))),
                        }
                    }
                }
                Err(e) => row_problems.extend(render_all(import_csv::domain_problems(row, &e))),
            }
        }
        problems.extend(row_problems);
    }
    bar.finish_and_clear();
    finish(svc, ctx, &args, &sheet, valid, problems).await
}

async fn finish(
    store: &Store,
    ctx: &Ctx,
    args: &ImportArgs,
    sheet: &Sheet,
    valid: Vec<(usize, Row)>,
    problems: Vec<Problem>,
) -> Result<()> {
    let Some(valid) = import_csv::rows_to_import(valid, &problems, args.skip_invalid) else {
        report(ctx, args, sheet, Vec::new(), problems, 0).await?;
        return Err(Failure::new(VALIDATION, t!("import-refused")));
    };
    let mut imported = Vec::new();
    if !args.dry_run {
        // One case per participant, its rows in file order; the row number is the step's.
        let mut cases: Vec<ImportedCase> = Vec::new();
        let mut operation = "import_participants";
        for (row, item) in valid {
            match item {
                Row::Participant(cmd) => {
                    imported.push((row, cmd.id));
                    cases.push(ImportedCase { participant: cmd.id, registration: Some((row, cmd)), steps: Vec::new() });
                }
                Row::Contact(p, cmd) => {
                    operation = "import_contacts";
                    imported.push((row, p));
                    match cases.iter_mut().find(|c| c.participant == p) {
                        Some(case) => case.steps.push((row, cmd)),
                        None => {
                            cases.push(ImportedCase { participant: p, registration: None, steps: vec![(row, cmd)] })
                        }
                    }
                }
            }
        }
        let bar = spinner(&t!("progress-import"));
        let result = store.import_cases(&ctx.caller, operation, cases).await;
        bar.finish_and_clear();
        match result {
            Ok(_) => {}
            Err(ImportError::Refused { step, error }) => {
                let f = crate::exit::from_domain(error);
                let text = match step {
                    Some(row) => t!("import-stopped", row = row, reason = f.message),
                    None => t!("import-failed", reason = f.message),
                };
                return Err(Failure::new(f.code, text));
            }
            // No row keys in a spreadsheet import: nothing can have been imported before.
            Err(e @ ImportError::AlreadyImported { .. }) => {
                return Err(Failure::new(crate::exit::INTERNAL, t!("import-failed", reason = e)));
            }
        }
    }
    report(ctx, args, sheet, imported, problems, 0).await
}

async fn report(
    ctx: &Ctx,
    args: &ImportArgs,
    sheet: &Sheet,
    imported: Vec<(usize, ParticipantId)>,
    problems: Vec<Problem>,
    _unused: usize,
) -> Result<()> {
    let rejected_path: Option<PathBuf> = (args.skip_invalid && !problems.is_empty()).then(|| {
        args.rejected.clone().unwrap_or_else(|| {
            let stem = args.file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            args.file.with_file_name(format!("{stem}.afgekeurd.csv"))
        })
    });
    if let Some(path) = &rejected_path {
        let mut w = CsvWriter::new();
        let io = |e: csv::Error| Failure::new(IO, e.to_string());
        let mut header: Vec<String> = sheet.headers.clone();
        header.extend(["row".to_owned(), "problems".to_owned()]);
        w.row(&header).map_err(io)?;
        let mut by_row: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for p in &problems {
            by_row.entry(p.row).or_default().push(if p.column.is_empty() {
                p.problem.clone()
            } else {
                format!("{}: {}", p.column, p.problem)
            });
        }
        for (row, texts) in &by_row {
            let Some(record) = sheet.rows.get(row.saturating_sub(2)) else { continue };
            let mut fields: Vec<String> = record.iter().map(str::to_owned).collect();
            fields.resize(sheet.headers.len(), String::new());
            fields.push(row.to_string());
            fields.push(texts.join("; "));
            w.row(&fields).map_err(io)?;
        }
        let bytes = w.finish().map_err(io)?;
        crate::config::write_private(path, &bytes).map_err(|e| Failure::io(path, &e))?;
    }
    let value = json!({
        "imported": imported.len(),
        "dry_run": args.dry_run,
        "ids": imported.iter().map(|(row, id)| json!({"row": row, "participant": id.to_string()})).collect::<Vec<_>>(),
        "rejected": problems.iter().map(|p| json!({"row": p.row, "column": p.column, "problem": p.problem})).collect::<Vec<_>>(),
        "rejected_file": rejected_path.as_ref().map(|p| p.display().to_string()),
    });
    let mut text = String::new();
    if !problems.is_empty() {
        text.push_str(&t!("import-problems", count = problems.len()));
        text.push('\n');
        for p in &problems {
            let column = if p.column.is_empty() {
                String::new()
            } else {
                format!(", {} {}", t!("import-column"), flag_of(&p.column).trim_start_matches("--"))
            };
            text.push_str(&format!("  {} {}{column}: {}\n", t!("import-row"), p.row, p.problem));
        }
    }
    if args.dry_run {
        text.push_str(&t!("import-dry-run"));
    } else if !imported.is_empty() || problems.is_empty() {
        text.push_str(&t!("import-done", count = imported.len()));
    }
    if let Some(path) = &rejected_path {
        text.push('\n');
        text.push_str(&t!("import-rejected-file", path = path.display()));
    }
    if ctx.format == crate::cli::OutputFormat::Table && !problems.is_empty() && !args.skip_invalid {
        // The refusal itself goes to stderr with the exit code; the report too.
        output::note(text.trim_end());
        return Ok(());
    }
    output::done(ctx.format, text.trim_end(), value)
}
