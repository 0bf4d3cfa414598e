//! `Store::import_cases`: the spreadsheet imports' rows (registrations, contacts) in one
//! transaction, without participant numbers or row keys, on every backend.

use perspectief_core::case::{CaseCommand, NewContact};
use perspectief_core::contact::{ContactKind, ContactLocation};
use perspectief_core::service::PerspectiefService;
use perspectief_core::*;
use perspectief_store::{ImportError, ImportedCase};

use crate::support::*;

fn talk(id: u128, on: chrono::NaiveDate) -> CaseCommand {
    CaseCommand::LogContact(NewContact {
        id: ContactId::from_u128(id),
        at: noon(on),
        kind: ContactKind::IndividualTalk,
        location: ContactLocation::Office,
        staff: Default::default(),
        activities: [ActivityCode::OrientationTalks].into_iter().collect(),
        summary: text("Gesprek (synthetisch)."),
        category: DataCategory::Guidance,
        partner: None,
        duration_minutes: None,
        agreements: Vec::new(),
        documents: Vec::new(),
    })
}

#[tokio::test]
async fn imported_rows_are_written_whole_or_not_at_all_each_authorised_and_logged() {
    for backend in all_backends().await {
        let store = open(&backend.url(), new_keys(), clock()).await;
        let lead = lead(&store);
        let worker = UserId::from_u128(0x77);
        let registered = day(2026, 3, 2);
        let a = registration("Aster", worker, registered);
        let b = registration("Berk", worker, registered);
        let (a_id, b_id) = (a.id, b.id);
        let cases = vec![
            ImportedCase { participant: a_id, registration: Some((2, a)), steps: Vec::new() },
            ImportedCase { participant: b_id, registration: Some((3, b)), steps: Vec::new() },
        ];
        let summary = store.import_cases(&lead, "import_participants", cases).await.unwrap();
        assert_eq!((summary.registered, summary.executed), (2, 0));
        // No numbers: the history import's key is not the spreadsheet's.
        assert!(store.participant_numbers(&lead).await.unwrap().is_empty());

        // Contacts of existing participants; the last is refused (before the registration):
        // nothing is written, and the refusal names its row.
        let contacts = |last: CaseCommand| {
            vec![
                ImportedCase {
                    participant: a_id,
                    registration: None,
                    steps: vec![(2, talk(1, day(2026, 3, 3))), (3, talk(2, day(2026, 3, 4)))],
                },
                ImportedCase { participant: b_id, registration: None, steps: vec![(4, last)] },
            ]
        };
        let refused =
            store.import_cases(&lead, "import_contacts", contacts(talk(3, day(2026, 3, 1)))).await.unwrap_err();
        assert!(matches!(refused, ImportError::Refused { step: Some(4), .. }), "{refused:?}");
        assert_eq!(store.get_case(&lead, a_id).await.unwrap().contacts().count(), 0, "nothing of row 2");
        let summary = store.import_cases(&lead, "import_contacts", contacts(talk(3, day(2026, 3, 5)))).await.unwrap();
        assert_eq!((summary.registered, summary.executed), (0, 3));
        assert_eq!(store.get_case(&lead, a_id).await.unwrap().contacts().count(), 2);
        assert_eq!(store.get_case(&lead, b_id).await.unwrap().contacts().count(), 1);

        // Every step on record under its own operation, and each import under its name.
        let log = store.audit_log(&staff(&store, Role::Auditor), None, 0, 500).await.unwrap();
        let ops: Vec<&str> = log.iter().map(|r| r.entry.operation.as_str()).collect();
        assert_eq!(ops.iter().filter(|o| **o == "import_participants").count(), 1, "{ops:?}");
        assert_eq!(ops.iter().filter(|o| **o == "import_contacts").count(), 2, "{ops:?}");
        assert_eq!(ops.iter().filter(|o| **o == "register_participant").count(), 2, "{ops:?}");
        assert_eq!(ops.iter().filter(|o| **o == "log_contact").count(), 3, "only the written import's: {ops:?}");
    }
}
