//! Replaying a fuzz target's corpus and regressions through its function, shared by the
//! `fuzz_corpus` tests of the `core`, `grpc` and `cli` test binaries (included with `#[path]`, so
//! each runs it on stable without a dependency on the others).

use std::path::{Path, PathBuf};

/// The fuzz directory at the repository's root.
pub fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// Every file of the target's corpus and regressions, sorted; the corpus must not be empty.
pub fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for kind in ["corpus", "regressions"] {
        let dir = fuzz_dir().join(kind).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            assert_ne!(kind, "corpus", "the corpus {} is missing", dir.display());
            continue;
        };
        for entry in entries {
            let path = entry.expect("a readable corpus directory").path();
            if path.is_file() {
                let bytes = std::fs::read(&path).expect("a readable corpus file");
                files.push((path, bytes));
            }
        }
    }
    files.sort();
    assert!(files.len() >= 10, "the fuzz corpus of {target} is (nearly) empty: {} files", files.len());
    files
}

/// Run every input, and name each one whose check panicked.
pub fn replay(target: &str, check: fn(&[u8])) {
    let failed: Vec<String> = inputs(target)
        .into_iter()
        .filter(|(_, bytes)| std::panic::catch_unwind(|| check(bytes)).is_err())
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert!(failed.is_empty(), "{} inputs of {target} break an invariant: {failed:#?}", failed.len());
}
