//! The bench binary's own report: the figures BENCHMARKS.md quotes come from these lines, so a
//! line that silently stops measuring (a renamed metric read as zero, a subcommand gone) fails
//! here rather than in a quiet run.

use std::process::Command;

fn bench(args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_perspectief-bench")).args(args).output().unwrap();
    let (stdout, stderr) =
        (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned());
    assert!(out.status.success(), "perspectief-bench {args:?} failed:\n{stdout}\n{stderr}");
    (stdout, stderr)
}

#[test]
fn the_keys_benchmark_measures_a_participant_key_against_opening_and_sealing_a_state() {
    let (out, _) = bench(&["keys", "--repeat", "3", "--batch", "20"]);
    let rows: Vec<Vec<f64>> = out
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains(" kB |"))
        .map(|l| l.split('|').skip(2).filter_map(|c| c.trim().trim_end_matches(" µs").parse::<f64>().ok()).collect())
        .collect();
    assert_eq!(rows.len(), 3, "one row per state size:\n{out}");
    for row in &rows {
        // open, seal, unwrap, unwrap ÷ (open + seal): all measured, the key a fraction.
        assert_eq!(row.len(), 4, "{out}");
        assert!(row[..3].iter().all(|v| *v > 0.0), "{out}");
        assert!((row[3] - row[2] / (row[0] + row[1])).abs() < 0.01, "{out}");
    }
    // The same key's cost against ever larger states: a shrinking share.
    assert!(rows[0][3] > rows[2][3], "{out}");
}

#[test]
fn the_write_benchmark_reports_the_writers_groups_and_the_states_it_rewrote() {
    let (out, err) = bench(&["write", "--seconds", "1", "--warmup", "0", "--participants", "4", "--tasks", "2"]);
    let groups =
        out.lines().find(|l| l.starts_with("Writer during the store's writes")).unwrap_or_else(|| panic!("{out}"));
    assert!(groups.contains(" jobs a group, ") && !groups.contains("no group committed"), "{groups}");
    let count: f64 = groups.split(": ").nth(1).and_then(|r| r.split(' ').next()).unwrap().parse().unwrap();
    assert!(count >= 1.0, "{groups}");
    assert!(out.contains("Sealed case states (rewritten whole by every write): "), "{out}");
    // Each phase announces itself with the pid, for a profiler to attach to.
    assert!(err.contains("raw autocommits start (pid ") && err.contains("store writes start (pid "), "{err}");
}
