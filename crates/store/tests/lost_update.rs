//! 32 concurrent tasks each do 100 read-modify-write updates of one aggregate, retrying on
//! conflict: the final state counts exactly the acknowledged updates.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use perspectief_core::service::PerspectiefService;
use perspectief_core::session::{PlanSession, SessionCommand, SessionTopic};
use perspectief_core::{DomainError, Label, LanguageCode, SessionId};

use crate::support::*;

const TASKS: u64 = 32;
const UPDATES: u64 = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_update_is_lost_under_concurrency() {
    for backend in durable_backends().await {
        let c = clock();
        let store = open(&backend.url(), new_keys(), c.clone()).await;
        let lead = lead(&store);
        let today = perspectief_core::time::amsterdam_date(perspectief_store::Clock::now(c.as_ref()));
        let id = SessionId::from_uuid(uuid::Uuid::new_v4());
        store
            .plan_session(
                &lead,
                PlanSession {
                    id,
                    date: today,
                    topic: SessionTopic::Theme(Label::parse("Teller").unwrap()),
                    venue: Label::parse("Kantoor").unwrap(),
                    languages: BTreeSet::from([LanguageCode::parse("nl").unwrap()]),
                    facilitators: BTreeSet::new(),
                    partner: None,
                },
            )
            .await
            .unwrap();
        let acknowledged = Arc::new(AtomicU64::new(0));
        let conflicts = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for _ in 0..TASKS {
            let (store, lead, acknowledged, conflicts) =
                (store.clone(), lead.clone(), acknowledged.clone(), conflicts.clone());
            tasks.push(tokio::spawn(async move {
                for _ in 0..UPDATES {
                    loop {
                        let s = store.get_session(&lead, id).await.unwrap();
                        let next = SessionCommand::SetUnregisteredHeadCount { count: s.unregistered_head_count() + 1 };
                        match store.execute_session(&lead, id, Some(s.version()), next).await {
                            Ok(_) => {
                                acknowledged.fetch_add(1, Ordering::SeqCst);
                                break;
                            }
                            Err(DomainError::VersionConflict { .. }) => {
                                conflicts.fetch_add(1, Ordering::SeqCst);
                            }
                            Err(e) => panic!("{e}"),
                        }
                    }
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let final_state = store.get_session(&lead, id).await.unwrap();
        let acked = acknowledged.load(Ordering::SeqCst);
        assert_eq!(acked, TASKS * UPDATES);
        assert_eq!(u64::from(final_state.unregistered_head_count()), acked, "every acknowledged update counted once");
        assert_eq!(final_state.version(), acked + 1);
        assert!(conflicts.load(Ordering::SeqCst) > 0, "the test did race");
    }
}
