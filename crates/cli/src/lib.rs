//! The parts of the `perspectief` command that need no terminal, file, clock or service, so
//! that they can be tested and fuzzed on their own: the import spreadsheet's checks, and CSV
//! that is safe to open in a spreadsheet. The
//! binary (`src/main.rs`) is the command itself.

pub mod import_csv;
pub mod spreadsheet;

// Fuzz targets and their samples: built for tests and the fuzz crate only, never into a
// deployment.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
