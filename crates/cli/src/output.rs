//! Writing results: a human table (localised headers and terms, colour only on a terminal
//! without NO_COLOR), JSON (stable English keys and values) or CSV (the same keys as columns; cells a
//! spreadsheet would run as a formula are neutralised, see `perspectief_cli::spreadsheet`).

use std::io::{IsTerminal, Write};

use perspectief_cli::spreadsheet::CsvWriter;
use serde_json::{Map, Value};

use crate::cli::OutputFormat;
use crate::exit::{Failure, IO, Result};
use crate::i18n;

/// One column: the stable key (JSON and CSV), the message id of its header, and, for
/// domain values, the term family that localises the value in a table.
#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub key: &'static str,
    pub header: &'static str,
    pub term: Option<&'static str>,
}

pub const fn col(key: &'static str, header: &'static str) -> Col {
    Col { key, header, term: None }
}

pub const fn term_col(key: &'static str, header: &'static str, term: &'static str) -> Col {
    Col { key, header, term: Some(term) }
}

/// Whether to colour stdout.
pub fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Bold, on a terminal.
pub fn bold(s: &str) -> String {
    if colour() { format!("\x1b[1m{s}\x1b[0m") } else { s.to_owned() }
}

fn write_err(e: std::io::Error) -> Failure {
    Failure::new(IO, e.to_string())
}

/// Write to stdout, ignoring a closed pipe.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(write_err(e)),
        _ => Ok(()),
    }
}

/// A message on stderr (progress, notes): never mixed into the data on stdout.
pub fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

fn cell(v: &Value, term: Option<&str>) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => match term {
            Some(t) => i18n::term(t, s),
            None => s.clone(),
        },
        Value::Bool(b) => {
            if *b {
                crate::t!("yes")
            } else {
                crate::t!("no")
            }
        }
        Value::Array(items) => items.iter().map(|i| cell(i, term)).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

fn csv_cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(csv_cell).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

/// A short id for tables: the last 8 characters (ids are time-ordered UUIDs, so their start is
/// shared by records made around the same time; the end is random). Commands accept the start or
/// the end of an id.
pub fn short(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    chars[chars.len().saturating_sub(8)..].iter().collect()
}

/// Write a listing.
pub fn list(format: OutputFormat, cols: &[Col], rows: &[Map<String, Value>]) -> Result<()> {
    match format {
        OutputFormat::Json => {
            let rows: Vec<Value> = rows.iter().cloned().map(Value::Object).collect();
            print(&format!("{}\n", serde_json::to_string_pretty(&rows).map_err(|e| Failure::new(IO, e.to_string()))?))
        }
        OutputFormat::Csv => {
            let mut w = CsvWriter::new();
            let io = |e: csv::Error| Failure::new(IO, e.to_string());
            w.row(cols.iter().map(|c| c.key)).map_err(io)?;
            for r in rows {
                w.row(cols.iter().map(|c| csv_cell(r.get(c.key).unwrap_or(&Value::Null)))).map_err(io)?;
            }
            let bytes = w.finish().map_err(io)?;
            print(&String::from_utf8_lossy(&bytes))
        }
        OutputFormat::Table => {
            if rows.is_empty() {
                return print(&format!("{}\n", crate::t!("list-empty")));
            }
            let headers: Vec<String> = cols.iter().map(|c| crate::t!(c.header)).collect();
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    cols.iter()
                        .map(|c| {
                            let v = r.get(c.key).unwrap_or(&Value::Null);
                            let s = cell(v, c.term);
                            if c.key == "id" || c.key.ends_with("_id") { short(&s) } else { s }
                        })
                        .collect()
                })
                .collect();
            let widths: Vec<usize> = (0..cols.len())
                .map(|i| {
                    cells
                        .iter()
                        .map(|r| r[i].chars().count())
                        .chain([headers[i].chars().count()])
                        .max()
                        .unwrap_or(0)
                        .min(60)
                })
                .collect();
            let line = |values: &[String]| {
                let mut s = String::new();
                for (i, v) in values.iter().enumerate() {
                    let v: String =
                        if v.chars().count() > 60 { v.chars().take(59).chain(['…']).collect() } else { v.clone() };
                    if i + 1 == values.len() {
                        s.push_str(&v);
                    } else {
                        s.push_str(&format!("{v:<w$}  ", w = widths[i]));
                    }
                }
                s.trim_end().to_owned()
            };
            let mut text = bold(&line(&headers.iter().map(|h| h.to_uppercase()).collect::<Vec<_>>()));
            text.push('\n');
            for r in &cells {
                text.push_str(&line(r));
                text.push('\n');
            }
            print(&text)
        }
    }
}

/// Write one record: JSON as is, a table as `label: value` lines, CSV as one row.
pub fn record(format: OutputFormat, cols: &[Col], value: &Map<String, Value>) -> Result<()> {
    match format {
        OutputFormat::Json => print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&Value::Object(value.clone())).map_err(|e| Failure::new(IO, e.to_string()))?
        )),
        OutputFormat::Csv => list(format, cols, std::slice::from_ref(value)),
        OutputFormat::Table => {
            let labels: Vec<String> = cols.iter().map(|c| crate::t!(c.header)).collect();
            let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
            let mut text = String::new();
            for (c, label) in cols.iter().zip(&labels) {
                let v = value.get(c.key).unwrap_or(&Value::Null);
                if v.is_null() || v.as_array().is_some_and(Vec::is_empty) {
                    continue;
                }
                text.push_str(&format!("{:<width$}  {}\n", format!("{label}:"), cell(v, c.term), width = width + 1));
            }
            print(&text)
        }
    }
}

/// A confirmation of a write: a sentence for people, the result object for scripts.
pub fn done(format: OutputFormat, sentence: &str, value: Value) -> Result<()> {
    match format {
        OutputFormat::Table => print(&format!("{sentence}\n")),
        OutputFormat::Json => {
            print(&format!("{}\n", serde_json::to_string_pretty(&value).map_err(|e| Failure::new(IO, e.to_string()))?))
        }
        OutputFormat::Csv => {
            let Value::Object(map) = value else { return print(&format!("{value}\n")) };
            let keys: Vec<&String> = map.keys().collect();
            let mut w = CsvWriter::new();
            let io = |e: csv::Error| Failure::new(IO, e.to_string());
            w.row(&keys).map_err(io)?;
            w.row(keys.iter().map(|k| csv_cell(&map[*k]))).map_err(io)?;
            let bytes = w.finish().map_err(io)?;
            print(&String::from_utf8_lossy(&bytes))
        }
    }
}

/// `serde_json::json!` into a map (for rows).
pub fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}
