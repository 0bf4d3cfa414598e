//! Online backup of a live SQLite database, and restoring from it.

use perspectief_core::service::{ChainVerification, PerspectiefService};

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_of_a_live_database_opens_verifies_and_holds_the_data() {
    let dir = TempDir::new();
    let keys = new_keys();
    let c = clock();
    let store = open(&dir.url("live.db"), keys.clone(), c.clone()).await;
    let lead = lead(&store);
    let today = perspectief_core::time::amsterdam_date(perspectief_store::Clock::now(c.as_ref()));
    let case = store.register_participant(&lead, registration("Bewaard", lead.actor.user, today)).await.unwrap();
    let copy = dir.0.join("backup.db");
    // Writes keep going while the copy is made.
    let busy = {
        let store = store.clone();
        let lead = lead.clone();
        tokio::spawn(async move {
            for i in 0..20 {
                store
                    .register_participant(&lead, registration(&format!("Druk{i}"), lead.actor.user, today))
                    .await
                    .unwrap();
            }
        })
    };
    store.backup_to(&copy).await.unwrap();
    busy.await.unwrap();
    assert_eq!(store.backup_to(&copy).await.unwrap_err().code(), "io", "a backup never overwrites");

    let restored = open(&format!("sqlite://{}", copy.display()), keys, c).await;
    assert!(matches!(restored.verify_chain().await.unwrap(), ChainVerification::Intact { .. }));
    assert_eq!(restored.get_case(&lead, case.id()).await.unwrap(), case);
}
