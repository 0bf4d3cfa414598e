//! CSV that is safe to open in a spreadsheet. A cell that starts with `=`, `+`, `-` or `@` (or
//! a tab, carriage return or line feed, which some spreadsheets skip before looking at the
//! first character) is taken as a formula by Excel, LibreOffice and Google Sheets: a name such
//! as `=HYPERLINK("https://…?"&A1,"klik")` would then run when a report, an export or a
//! rejected-rows file is opened. Every CSV the command writes goes through [`CsvWriter`], which
//! puts an apostrophe before such a cell ([`neutralise`]), the usual defence (OWASP, "CSV
//! injection"): the spreadsheet shows the cell as text, apostrophe included, and evaluates
//! nothing. A plain number (`-12`, `+3.5`) cannot do anything and is left as it is, so figures
//! stay figures.
//!
//! Reading is the inverse: [`restore`] removes that apostrophe again, so a rejected-rows file
//! that was corrected and imported gives back the original values. (A spreadsheet does not
//! write such an apostrophe into a CSV export of its own, so a cell starting with `'=` comes
//! from this writer.)

use std::borrow::Cow;

/// The first characters that make a spreadsheet read a cell as a formula.
const TRIGGERS: &[char] = &['=', '+', '-', '@', '\t', '\r', '\n'];

/// The cell as it is written to a CSV file: unchanged, or with `'` before a formula trigger.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(TRIGGERS) && !is_plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A sign, digits, and at most one decimal point between digits: nothing a spreadsheet runs.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or_default();
    let ok = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    ok(whole) && parts.next().is_none_or(ok)
}

/// A cell read from a CSV file: the apostrophe [`neutralise`] added is removed again.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(TRIGGERS) && !is_plain_number(rest) => rest,
        _ => cell,
    }
}

/// A CSV writer into memory whose every cell is [`neutralise`]d: the only way the command
/// writes CSV.
#[derive(Debug)]
pub struct CsvWriter {
    inner: csv::Writer<Vec<u8>>,
}

impl Default for CsvWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvWriter {
    /// A writer with comma separators.
    pub fn new() -> Self {
        Self { inner: csv::Writer::from_writer(Vec::new()) }
    }

    /// Write one row (a header row too: column names from an imported file are input as well).
    pub fn row<I, S>(&mut self, cells: I) -> Result<(), csv::Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.inner.write_record(cells.into_iter().map(|c| neutralise(c.as_ref()).into_owned()))
    }

    /// The bytes written.
    pub fn finish(self) -> Result<Vec<u8>, csv::Error> {
        self.inner.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }
}
