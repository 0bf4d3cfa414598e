//! `Store::import_history`: many participants' commands in one transaction, the participant
//! numbers and row keys with them, on every backend.

use perspectief_core::case::{CaseCommand, NewContact};
use perspectief_core::contact::{ContactKind, ContactLocation};
use perspectief_core::service::PerspectiefService;
use perspectief_core::*;
use perspectief_store::{HistoryImport, ImportError, ImportedParticipant, RowKey};

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

fn key(k: &str, participant: ParticipantId) -> RowKey {
    RowKey { key: k.to_owned(), kind: "contacts".to_owned(), participant: Some(participant) }
}

#[tokio::test]
async fn a_history_is_written_whole_or_not_at_all_and_its_rows_only_once() {
    for backend in all_backends().await {
        let clock = clock();
        let store = open(&backend.url(), new_keys(), clock.clone()).await;
        let lead = lead(&store);
        let worker = UserId::from_u128(0x77);
        let registered = day(2026, 3, 2);
        let a = registration("Aster", worker, registered);
        let b = registration("Berk", worker, registered);
        let (a_id, b_id) = (a.id, b.id);
        let import = |second_talk: CaseCommand| HistoryImport {
            participants: vec![
                ImportedParticipant {
                    chain: Vec::new(),
                    number: "D-1".into(),
                    participant: a_id,
                    registration: Some((0, a.clone())),
                    steps: vec![(1, talk(1, day(2026, 3, 3))), (2, talk(2, day(2026, 3, 4)))],
                },
                ImportedParticipant {
                    chain: Vec::new(),
                    number: "D-2".into(),
                    participant: b_id,
                    registration: Some((3, b.clone())),
                    steps: vec![(4, second_talk)],
                },
            ],
            rows: vec![key("k1", a_id), key("k2", a_id), key("k3", b_id)],
            sessions: Vec::new(),
            meetings: Vec::new(),
        };
        // The last step is refused by the core (before the registration): nothing of the
        // import is written, not even the first participant, and the refusal names the step.
        let refused = store.import_history(&lead, import(talk(3, day(2026, 3, 1)))).await.unwrap_err();
        assert!(matches!(refused, ImportError::Refused { step: Some(4), .. }), "{refused:?}");
        assert!(store.participant_numbers(&lead).await.unwrap().is_empty());
        assert!(store.imported_before(&lead, vec!["k1".into()]).await.unwrap().is_empty());
        assert!(store.get_case(&lead, a_id).await.is_err(), "nothing of the first participant");

        let summary = store.import_history(&lead, import(talk(3, day(2026, 3, 5)))).await.unwrap();
        assert_eq!((summary.registered, summary.executed), (2, 3));
        assert_eq!(store.get_case(&lead, a_id).await.unwrap().contacts().count(), 2);
        assert_eq!(store.participant_numbers(&lead).await.unwrap(), vec![("D-1".into(), a_id), ("D-2".into(), b_id)]);
        let mut before = store.imported_before(&lead, vec!["k1".into(), "k3".into(), "k9".into()]).await.unwrap();
        before.sort();
        assert_eq!(before, ["k1", "k3"]);

        // Again: refused by its row keys, nothing added.
        let again = store.import_history(&lead, import(talk(3, day(2026, 3, 5)))).await.unwrap_err();
        let ImportError::AlreadyImported { mut keys } = again else { panic!("{again:?}") };
        keys.sort();
        assert_eq!(keys, ["k1", "k2", "k3"]);
        // A later import adds to a participant known by number.
        let later = HistoryImport {
            participants: vec![ImportedParticipant {
                chain: Vec::new(),
                number: "D-2".into(),
                participant: b_id,
                registration: None,
                steps: vec![(0, talk(4, day(2026, 3, 6)))],
            }],
            rows: vec![key("k4", b_id)],
            sessions: Vec::new(),
            meetings: Vec::new(),
        };
        store.import_history(&lead, later).await.unwrap();
        assert_eq!(store.get_case(&lead, b_id).await.unwrap().contacts().count(), 2);
        // Every step on record under its own operation, and the import itself.
        let log = store.audit_log(&staff(&store, Role::Auditor), None, 0, 500).await.unwrap();
        let ops: Vec<&str> = log.iter().map(|r| r.entry.operation.as_str()).collect();
        assert_eq!(ops.iter().filter(|o| **o == "import_history").count(), 4, "{ops:?}");
        assert_eq!(
            ops.iter().filter(|o| **o == "register_participant").count(),
            2,
            "only the written import's: {ops:?}"
        );
        assert_eq!(ops.iter().filter(|o| **o == "log_contact").count(), 4, "{ops:?}");

        // The export reads it all back: the administrator's alone, on record.
        let denied = store.export_history(&lead).await.unwrap_err();
        assert!(matches!(denied, DomainError::AccessDenied(_)), "{denied:?}");
        let export = store.export_history(&administrator(&store)).await.unwrap();
        let numbers: Vec<_> = export.participants.iter().map(|p| (p.number.clone(), p.case.id())).collect();
        assert_eq!(numbers.len(), 2);
        assert!(numbers.contains(&(Some("D-1".into()), a_id)) && numbers.contains(&(Some("D-2".into()), b_id)));
        let b_events = &export.participants.iter().find(|p| p.case.id() == b_id).unwrap().events;
        assert_eq!(b_events.len(), 4, "registered, two contacts, the phase the first one moved: {b_events:?}");
        let log = store.audit_log(&staff(&store, Role::Auditor), None, 0, 500).await.unwrap();
        let exports: Vec<_> = log.iter().filter(|r| r.entry.operation == "export_history").collect();
        assert_eq!(exports.len(), 2, "the refusal and the export");
    }
}
