//! The import spreadsheet, without files, clock, terminal or service: reading the CSV bytes,
//! checking the columns, and checking participant rows on the input rules and the core. The
//! `import` command reads the file, supplies the day, the ids and the date parser of the
//! command line, and puts the [`Problem`]s into the user's language; the fuzz target feeds it
//! arbitrary bytes.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use perspectief_core::app::profile::ProfileField;
use perspectief_core::case::{Case, CommandContext, RegisterParticipant};
use perspectief_core::ids::ParticipantId;
use perspectief_core::input::RegisterParticipantInput;
use perspectief_core::{DomainError, UserId};

use crate::spreadsheet::restore;

/// The columns of a participants import.
pub const PARTICIPANT_COLUMNS: &[&str] = &{
    // The core's profile fields, by name, then the case's own two.
    const PROFILE: [ProfileField; ProfileField::ALL.len()] = ProfileField::ALL;
    let mut columns = [""; PROFILE.len() + 2];
    let mut i = 0;
    while i < PROFILE.len() {
        columns[i] = PROFILE[i].as_str();
        i += 1;
    }
    columns[PROFILE.len()] = "registered_on";
    columns[PROFILE.len() + 1] = "project_worker";
    columns
};
/// The columns a participants import needs.
pub const PARTICIPANT_REQUIRED: &[&str] = &["given_names"];

/// The columns of a contact-moments import.
pub const CONTACT_COLUMNS: &[&str] =
    &["participant", "at", "kind", "location", "activities", "summary", "category", "duration_minutes", "partner"];

/// The columns a contact-moments import needs.
pub const CONTACT_REQUIRED: &[&str] = &["participant", "kind", "activities", "summary"];

/// A CSV file read: the normalised column names and the data rows.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// Column names, trimmed, lower case, spaces and dashes as underscores.
    pub headers: Vec<String>,
    /// The data rows (spreadsheet row 2 onwards), as many fields as each row has.
    pub rows: Vec<csv::StringRecord>,
}

/// The character encoding of an import file (`--encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 when the bytes are valid UTF-8, else Windows-1252 (what Dutch Excel writes when
    /// saving "CSV (puntkomma-gescheiden)").
    #[default]
    Detect,
    /// UTF-8 only (a byte-order mark is allowed): other bytes are refused.
    Utf8,
    /// Windows-1252 (also called ANSI or cp1252).
    Windows1252,
}

impl std::str::FromStr for Encoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_lowercase().replace('_', "-").as_str() {
            "auto" | "detect" => Ok(Self::Detect),
            "utf-8" | "utf8" => Ok(Self::Utf8),
            "windows-1252" | "cp1252" | "ansi" | "latin-1" | "latin1" | "iso-8859-1" => Ok(Self::Windows1252),
            _ => Err(format!("{s}: utf-8 or windows-1252")),
        }
    }
}

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    /// `--encoding utf-8` was chosen and the bytes are not UTF-8.
    #[error("line {line} is not valid UTF-8")]
    NotUtf8 {
        /// The (1-based) line with the first invalid byte.
        line: usize,
    },
    /// The CSV reader could not read the file.
    #[error(transparent)]
    Csv(#[from] csv::Error),
}

/// The characters of Windows-1252's bytes 0x80 to 0x9F (the rest are Latin-1); the five bytes
/// the code page leaves undefined map to the control character of the same number, as the
/// WHATWG encoding standard does.
const WINDOWS_1252_HIGH: [char; 32] = [
    '\u{20ac}', '\u{81}', '\u{201a}', '\u{192}', '\u{201e}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{2c6}', '\u{2030}',
    '\u{160}', '\u{2039}', '\u{152}', '\u{8d}', '\u{17d}', '\u{8f}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201c}',
    '\u{201d}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{2dc}', '\u{2122}', '\u{161}', '\u{203a}', '\u{153}', '\u{9d}',
    '\u{17e}', '\u{178}',
];

/// Decode Windows-1252 bytes (every byte is a character).
pub fn decode_windows_1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9f => WINDOWS_1252_HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

/// The file's text in `encoding`, without a UTF-8 byte-order mark.
pub fn decode(bytes: &[u8], encoding: Encoding) -> Result<String, SheetError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match (encoding, std::str::from_utf8(bytes)) {
        (Encoding::Detect | Encoding::Utf8, Ok(text)) => Ok(text.to_owned()),
        (Encoding::Utf8, Err(e)) => {
            let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
            Err(SheetError::NotUtf8 { line })
        }
        (Encoding::Detect, Err(_)) | (Encoding::Windows1252, _) => Ok(decode_windows_1252(bytes)),
    }
}

impl Sheet {
    /// Read a CSV file's bytes as [`Sheet::parse_as`] does, detecting the encoding.
    pub fn parse(bytes: &[u8]) -> Result<Self, SheetError> {
        Self::parse_as(bytes, Encoding::Detect)
    }

    /// Read a CSV file's bytes: decoded as `encoding` says (detected: UTF-8 when valid, else
    /// Windows-1252), a byte-order mark skipped, and the separator `;` when the first line has
    /// semicolons and no commas (Dutch spreadsheets), else `,`. The apostrophe this command
    /// puts before a cell that a spreadsheet would take as a formula is removed ([`restore`]),
    /// so a corrected rejected-rows file imports its original values. A file the CSV reader
    /// cannot read is refused whole. Rows may have more or fewer cells than the header here;
    /// [`shape_problems`] refuses them by row.
    pub fn parse_as(bytes: &[u8], encoding: Encoding) -> Result<Self, SheetError> {
        let text = decode(bytes, encoding)?;
        let first = text.lines().next().unwrap_or_default();
        let delimiter = if first.contains(';') && !first.contains(',') { b';' } else { b',' };
        let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
        let headers: Vec<String> =
            reader.headers()?.iter().map(|h| restore(h).trim().to_lowercase().replace([' ', '-'], "_")).collect();
        let rows = reader
            .records()
            .map(|r| r.map(|r| r.iter().map(restore).collect::<csv::StringRecord>()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { headers, rows })
    }
}

/// Rows with more or fewer cells than the header has columns, one problem per such row: a
/// short row names the first column it lacks, a long one the first cell beyond the header
/// (as `column N`). Trailing empty cells a spreadsheet adds are not counted as extra.
pub fn shape_problems(sheet: &Sheet) -> Vec<Problem> {
    let columns = sheet.headers.len();
    let mut problems = Vec::new();
    for (i, record) in sheet.rows.iter().enumerate() {
        let row = i + 2;
        let cells = record.len();
        if cells < columns {
            let column = sheet.headers[cells].clone();
            problems.push(Problem { row, column, issue: Issue::MissingCells { expected: columns, found: cells } });
        } else if cells > columns && record.iter().skip(columns).any(|c| !c.trim().is_empty()) {
            let column = format!("{}", columns + 1);
            problems.push(Problem { row, column, issue: Issue::ExtraCells { expected: columns, found: cells } });
        }
    }
    problems
}

/// Spreadsheet days written day first (`17-05-1990`, `17/05/1990`, `17.05.1990`, what Dutch
/// Excel shows) turned into ISO 8601 (`1990-05-17`); also a month and year (`05-1990` →
/// `1990-05`) for a date of birth. Anything else is returned unchanged for the value's own
/// parser to judge.
pub fn iso_day(v: &str) -> std::borrow::Cow<'_, str> {
    let t = v.trim();
    let parts: Vec<&str> = t.split(['-', '/', '.']).collect();
    let digits =
        |s: &str, n: std::ops::RangeInclusive<usize>| n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [d, m, y] if digits(d, 1..=2) && digits(m, 1..=2) && digits(y, 4..=4) => format!("{y}-{m:0>2}-{d:0>2}").into(),
        [m, y] if digits(m, 1..=2) && digits(y, 4..=4) => format!("{y}-{m:0>2}").into(),
        _ => t.into(),
    }
}

/// One problem in the file: where (spreadsheet row, column) and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The spreadsheet's row number: 1 is the header, 2 the first data row.
    pub row: usize,
    /// The column (or the core's field path, such as `nationalities[1]`); empty only for a
    /// refusal of the core that names no field.
    pub column: String,
    /// What is wrong.
    pub issue: Issue,
}

/// What is wrong, without words: the command line says it in the user's language.
#[derive(Debug, Clone, PartialEq)]
pub enum Issue {
    /// A column the import does not know; `known` lists the ones it does.
    UnknownColumn {
        /// The columns of this kind of import.
        known: &'static [&'static str],
    },
    /// A required column is missing.
    MissingColumn,
    /// The same column twice in the header (also under two names, such as `voornaam` and
    /// `given_names`).
    DuplicateColumn,
    /// The row has fewer cells than the header has columns.
    MissingCells {
        /// The header's columns.
        expected: usize,
        /// The row's cells.
        found: usize,
    },
    /// The row has more (non-empty) cells than the header has columns.
    ExtraCells {
        /// The header's columns.
        expected: usize,
        /// The row's cells.
        found: usize,
    },
    /// Not an id.
    NotAnId,
    /// A field the input rules or the core refused, by its violation code and message.
    Violation {
        /// The stable violation code (`not_a_date`).
        code: perspectief_core::ViolationCode,
        /// The core's message, for codes without a translation.
        message: String,
    },
    /// A refusal of the core that names no field.
    Refused(DomainError),
    /// Already in words (from the command line's own parsers).
    Text(String),
}

/// Column names, with the Dutch names of the usual spreadsheets.
pub fn canonical(h: &str) -> &str {
    match h {
        "voornamen" | "voornaam" => "given_names",
        "achternaam" => "family_name",
        "aliassen" | "alias" => "aliases",
        "geboortedatum" => "date_of_birth",
        "land_van_herkomst" | "herkomst" => "country_of_origin",
        "nationaliteit" | "nationaliteiten" => "nationalities",
        "talen" | "taal" => "languages",
        "v_nummer" | "vnummer" => "v_number",
        "lvv_locatie" | "locatie_lvv" => "lvv_location",
        "inschrijfdatum" | "ingeschreven" => "registered_on",
        "projectmedewerker" => "project_worker",
        "deelnemer" => "participant",
        "nummer" | "deelnemersnummer" | "eigen_nummer" => "number",
        "sessie" | "voorlichting" => "session",
        "moment" | "datum" | "wanneer" => "at",
        "soort" => "kind",
        "locatie" | "plaats" => "location",
        "activiteiten" | "activiteit" => "activities",
        "samenvatting" => "summary",
        "categorie" => "category",
        "duur" | "duur_minuten" => "duration_minutes",
        other => other,
    }
}

/// A list in one cell: separated by `;` or `|`, blanks dropped.
pub fn list(v: &str) -> Vec<String> {
    v.split([';', '|']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// Unknown, duplicate and missing columns, on row 1.
pub fn check_headers(headers: &[String], known: &'static [&'static str], required: &[&str]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for h in headers {
        if !known.contains(&canonical(h)) {
            problems.push(Problem { row: 1, column: h.clone(), issue: Issue::UnknownColumn { known } });
        } else if !seen.insert(canonical(h)) {
            problems.push(Problem { row: 1, column: h.clone(), issue: Issue::DuplicateColumn });
        }
    }
    for r in required {
        if !headers.iter().any(|h| canonical(h) == *r) {
            problems.push(Problem { row: 1, column: (*r).to_owned(), issue: Issue::MissingColumn });
        }
    }
    problems
}

/// A row's non-empty cells by canonical column name (trimmed). Fields beyond the header are
/// ignored.
pub fn cells<'a>(headers: &'a [String], record: &'a csv::StringRecord) -> BTreeMap<&'a str, &'a str> {
    headers.iter().zip(record.iter()).map(|(h, v)| (canonical(h), v.trim())).filter(|(_, v)| !v.is_empty()).collect()
}

/// The problems of a refusal by the input rules or the core, on `row`: one per field, or one
/// without a column when the refusal names no field.
pub fn domain_problems(row: usize, e: &DomainError) -> Vec<Problem> {
    match e.violations() {
        Some(v) => v
            .iter()
            .map(|v| Problem {
                row,
                column: v.field.clone(),
                issue: Issue::Violation { code: v.code, message: v.message.clone() },
            })
            .collect(),
        None => vec![Problem { row, column: String::new(), issue: Issue::Refused(e.clone()) }],
    }
}

/// The rows of a sheet, checked: the valid ones with what they become, and the problems of
/// the others. A row is either valid or has at least one problem.
#[derive(Debug, Clone)]
pub struct Checked<T> {
    /// Valid rows by spreadsheet row number, in file order.
    pub valid: Vec<(usize, T)>,
    /// Every problem of the invalid rows.
    pub problems: Vec<Problem>,
}

/// All or nothing: every row when all are valid; with `skip_invalid` (`--skip-invalid`) the
/// valid rows; `None`, nothing at all, when a row has a problem and the valid rows alone were
/// not asked for.
pub fn rows_to_import<T, P>(valid: Vec<(usize, T)>, problems: &[P], skip_invalid: bool) -> Option<Vec<(usize, T)>> {
    (problems.is_empty() || skip_invalid).then_some(valid)
}

/// What checking participant rows needs from its surroundings.
pub struct ParticipantImport<'a> {
    /// The importing user: the project worker of rows that name none.
    pub me: UserId,
    /// Today, for relative checks (no registration or birth in the future).
    pub today: NaiveDate,
    /// The registration's check is run in this context, as the import would register.
    pub context: &'a CommandContext,
    /// The date parser for `registered_on` (the command line's: absolute and relative days).
    pub parse_date: &'a dyn Fn(&str) -> Result<NaiveDate, String>,
    /// The id of each valid row's new participant.
    pub new_id: &'a mut dyn FnMut() -> ParticipantId,
}

impl std::fmt::Debug for ParticipantImport<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParticipantImport").field("me", &self.me).field("today", &self.today).finish_non_exhaustive()
    }
}

/// Check a participants sheet: `Err` with the header's problems (then no row is checked),
/// else every row on the input rules and on the core's registration.
pub fn check_participants(
    sheet: &Sheet,
    env: &mut ParticipantImport<'_>,
) -> Result<Checked<RegisterParticipant>, Vec<Problem>> {
    let header_problems = check_headers(&sheet.headers, PARTICIPANT_COLUMNS, PARTICIPANT_REQUIRED);
    if !header_problems.is_empty() {
        return Err(header_problems);
    }
    let mut valid = Vec::new();
    let mut problems = shape_problems(sheet);
    let misshapen: std::collections::BTreeSet<usize> = problems.iter().map(|p| p.row).collect();
    for (i, record) in sheet.rows.iter().enumerate() {
        let row = i + 2;
        if misshapen.contains(&row) {
            continue;
        }
        let c = cells(&sheet.headers, record);
        let mut row_problems = Vec::new();
        let registered_on = match c.get("registered_on") {
            Some(v) => match (env.parse_date)(v) {
                Ok(d) => Some(d),
                Err(e) => {
                    row_problems.push(Problem { row, column: "registered_on".to_owned(), issue: Issue::Text(e) });
                    None
                }
            },
            None => None,
        };
        let worker = match c.get("project_worker") {
            Some(v) => match UserId::parse(v) {
                Ok(u) => u,
                Err(_) => {
                    row_problems.push(Problem { row, column: "project_worker".to_owned(), issue: Issue::NotAnId });
                    env.me
                }
            },
            None => env.me,
        };
        let input = RegisterParticipantInput {
            given_names: c.get("given_names").map(|s| (*s).to_owned()).unwrap_or_default(),
            family_name: c.get("family_name").map(|s| (*s).to_owned()),
            aliases: c.get("aliases").map(|s| list(s)).unwrap_or_default(),
            date_of_birth: c.get("date_of_birth").map(|s| iso_day(s).into_owned()),
            country_of_origin: c.get("country_of_origin").map(|s| (*s).to_owned()),
            nationalities: c.get("nationalities").map(|s| list(s)).unwrap_or_default(),
            languages: c.get("languages").map(|s| list(s)).unwrap_or_default(),
            v_number: c.get("v_number").map(|s| (*s).to_owned()),
            lvv_location: c.get("lvv_location").map(|s| (*s).to_owned()),
            registered_on,
        };
        match input.into_command((env.new_id)(), worker, env.today) {
            Ok(cmd) => match Case::register(cmd.clone(), env.context) {
                Ok(_) if row_problems.is_empty() => valid.push((row, cmd)),
                Ok(_) => {}
                Err(e) => row_problems.extend(domain_problems(row, &e)),
            },
            Err(e) => row_problems.extend(domain_problems(row, &e)),
        }
        problems.extend(row_problems);
    }
    problems.sort_by_key(|p| p.row);
    Ok(Checked { valid, problems })
}
