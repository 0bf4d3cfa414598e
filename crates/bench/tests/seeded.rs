//! The benchmarks' loader writes what a running store writes: the worklist of a seeded store
//! lists the progress reports due, the final judgments not yet communicated and the
//! participants past their limit without a termination advice exactly as the core's rules
//! find them in the seeded cases, so the worklist benchmark measures the real lists (their
//! projections, `report_periods`, `judgment_communications`, `termination_advised_on`, filled).

use std::collections::BTreeSet;

use perspectief_bench::seed;
use perspectief_core::service::{PerspectiefService, WorkItem, WorkSubject, WorklistQuery};
use perspectief_store::Keyring;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seeded_worklist_lists_reports_judgments_and_the_unadvised_as_the_core_finds_them() {
    let dir = super::tempfile_dir();
    let keys = Keyring::from_hex_keys(&[Keyring::generate_hex_key().unwrap()]).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("seeded.db").display());
    let (store, _) = seed::open(&url, keys).await.unwrap();
    let loaded = seed::load_until(&store, 0, 400, 4).await.unwrap();
    let config = seed::config();
    let lead = seed::lead(store.policy().foundation);
    let mut cases = Vec::new();
    for i in 0..loaded.participants {
        let id = perspectief_synth::participant(&config, i).register.id;
        cases.push(store.get_case(&lead, id).await.unwrap());
    }
    let mut found = [0usize; 3];
    // The last day of the data set, earlier days (the projections keep their history), and the
    // days final judgments were formed: the generator communicates a judgment on the day or a few
    // days later, so those days have judgments still to communicate.
    let mut days: BTreeSet<chrono::NaiveDate> =
        [0, 45, 120].into_iter().map(|back| config.end() - chrono::Duration::days(back)).collect();
    days.extend(
        cases
            .iter()
            .flat_map(|c| c.judgments().iter())
            .filter(|j| j.finality == perspectief_core::Finality::Final)
            .map(|j| j.formed_on),
    );
    for day in days {
        let q = WorklistQuery::for_day(day);
        let list = store.worklist(&lead, q.clone()).await.unwrap();
        let (mut reports, mut judgments, mut unadvised) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
        for case in &cases {
            let participant = case.id();
            if let Some(date) = case.progress_report_due(day, q.due_within_days) {
                reports.insert(WorkItem { participant, subject: WorkSubject::Participant, date });
            }
            for e in case.uncommunicated_judgments(day) {
                let subject = WorkSubject::Communication { judgment: e.judgment, to: e.to };
                judgments.insert(WorkItem { participant, subject, date: e.from });
            }
            if let Some(date) = case.past_limit_without_advice(day) {
                unadvised.insert(WorkItem { participant, subject: WorkSubject::Participant, date });
            }
        }
        assert_eq!(list.reports_due.iter().copied().collect::<BTreeSet<_>>(), reports, "reports due on {day}");
        assert_eq!(
            list.uncommunicated_judgments.iter().copied().collect::<BTreeSet<_>>(),
            judgments,
            "judgments not communicated on {day}"
        );
        assert_eq!(
            list.past_limit_without_advice.iter().copied().collect::<BTreeSet<_>>(),
            unadvised,
            "past the limit without advice on {day}"
        );
        found[0] += reports.len();
        found[1] += judgments.len();
        found[2] += unadvised.len();
    }
    // The data set has reports due and judgments not communicated, so those comparisons are
    // not between two empty lists. (It has no chain meetings, and nobody is past the limit on
    // these days yet: that list is compared, but empty on both sides.)
    assert!(found[0] > 0 && found[1] > 0, "reports and judgments in the seeded set: {found:?}");
    drop(store);
    let _ = std::fs::remove_dir_all(dir);
}
