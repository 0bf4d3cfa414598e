//! The log: `tracing` events to stderr, as readable lines or one JSON object per line, at the
//! level given (`--log-level`), else `RUST_LOG`, else `info`. What is logged anywhere in the
//! program holds ids and codes only, never names, notes or tokens.

use tracing_subscriber::EnvFilter;

/// The log's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Readable lines.
    Text,
    /// One JSON object per line, with the current span's fields (the request id).
    Json,
}

/// The filter: the level or filter directives given, else `RUST_LOG`, else `info`.
fn filter(level: Option<&str>) -> Result<EnvFilter, String> {
    match level {
        Some(l) => EnvFilter::try_new(l).map_err(|e| format!("--log-level {l}: {e}")),
        None => Ok(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"))),
    }
}

/// Install the log for the rest of the process.
pub fn init(format: Format, level: Option<&str>) -> Result<(), String> {
    let filter = filter(level)?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(false);
    let installed = match format {
        Format::Text => builder.with_target(true).try_init(),
        Format::Json => builder.json().with_current_span(true).with_span_list(false).try_init(),
    };
    installed.map_err(|e| format!("the log could not be installed: {e}"))
}
