//! The subject access export keeps exactly what is about the person and escapes every text;
//! checkpoints verify only under the trusted key and against the chain they were made of.

use std::collections::BTreeSet;

use ed25519_dalek::{Signer, SigningKey};
use perspectief_core::privacy::*;
use perspectief_core::service::{AuditEntry, AuditOutcome, AuditRecord, Caller};
use perspectief_core::session::{PlanSession, SessionCommand, SessionTopic};
use perspectief_core::*;

use crate::support::*;

const Q: ParticipantId = ParticipantId::from_u128(8);

fn record(
    seq: u64,
    prev: &str,
    actor: Actor,
    participant: ParticipantId,
    basis: Option<Basis>,
    ok: bool,
) -> AuditRecord {
    let mut entry = AuditEntry::new(&Caller::local(actor), noon(start()), Action::Read, "watch_events");
    entry.participant = Some(participant);
    entry.category = Some(DataCategory::Return);
    entry.basis = basis;
    entry.outcome = if ok { AuditOutcome::Success } else { AuditOutcome::Denied };
    AuditRecord { seq, entry, prev_hash: prev.to_owned(), hash: format!("{seq:064x}") }
}

fn glass(id: u128, participant: ParticipantId) -> BreakGlassRecord {
    BreakGlassRecord {
        id: BreakGlassId::from_u128(id),
        at: noon(start()),
        user: UserId::from_u128(3),
        organisation: FOUNDATION,
        role: Role::ProjectWorker,
        participant,
        reason: text("Spoed <b>nu</b> (synthetisch)."),
        review: None,
        access: perspectief_core::privacy::ReviewedAccess::BreakGlassRead,
    }
}

/// A linked chain of `n` records about participant 7 by the worker.
fn chain(n: u64) -> Vec<AuditRecord> {
    let worker = Actor {
        user: WORKER,
        organisation: FOUNDATION,
        role: Role::ProjectWorker,
        grant: perspectief_core::access::Grant::NONE,
    };
    let mut out: Vec<AuditRecord> = Vec::new();
    for seq in 1..=n {
        let prev = out.last().map_or(GENESIS_HASH.to_owned(), |r| r.hash.clone());
        out.push(record(seq, &prev, worker, ParticipantId::from_u128(7), Some(Basis::Assignment), true));
    }
    out
}

#[test]
fn the_export_keeps_only_what_is_about_the_person() {
    let (mut case, mut events) = registered();
    let ctx = ctx_on(start());
    let consent = ConsentId::from_u128(55);
    events.extend(
        case.execute(
            CaseCommand::GiveConsent {
                id: consent,
                organisation: IOM,
                categories: BTreeSet::from([DataCategory::Return]),
                purpose: text("Terugkeer."),
                given_on: start(),
            },
            &ctx,
        )
        .unwrap(),
    );
    let p = case.id();
    let session = |id: u128, attendees: &[ParticipantId]| {
        let plan = PlanSession {
            id: SessionId::from_u128(id),
            date: start(),
            topic: SessionTopic::Theme(Label::parse("Terugkeer").unwrap()),
            venue: Label::parse("WereldHuis").unwrap(),
            languages: [LanguageCode::parse("ti").unwrap()].into(),
            facilitators: BTreeSet::new(),
            partner: None,
        };
        let (mut s, _) = InformationSession::plan(plan, &ctx).unwrap();
        for a in attendees {
            s.execute(SessionCommand::RegisterAttendance { participant: *a }, &ctx).unwrap();
        }
        s
    };
    let meeting = |id: u128, people: &[ParticipantId]| {
        let (mut m, _) = ChainMeeting::schedule(MeetingId::from_u128(id), start(), &ctx);
        for person in people {
            m.execute(MeetingCommand::AddToAgenda { participant: *person, reasons: vec![] }, &ctx).unwrap();
        }
        m
    };
    let iom = Actor {
        user: UserId::from_u128(9),
        organisation: IOM,
        role: Role::ChainPartner,
        grant: perspectief_core::access::Grant::NONE,
    };
    let worker = Actor {
        user: WORKER,
        organisation: FOUNDATION,
        role: Role::ProjectWorker,
        grant: perspectief_core::access::Grant::NONE,
    };
    let log = vec![
        record(4, "x", iom, p, Some(Basis::Consent(consent)), true),
        record(2, "x", worker, p, Some(Basis::Assignment), true),
        record(3, "x", iom, Q, Some(Basis::Consent(consent)), true),
        record(5, "x", iom, p, None, false),
    ];
    let (mut s2, mut session_history) = (session(2, &[]), Vec::new());
    for (who, cmd) in [
        (Q, SessionCommand::RegisterAttendance { participant: Q }),
        (p, SessionCommand::RegisterAttendance { participant: p }),
        (p, SessionCommand::RemoveAttendance { participant: p }),
    ] {
        let _ = who;
        session_history.push(s2.execute(cmd, &ctx).unwrap());
    }
    let (mut m5, scheduled) = ChainMeeting::schedule(MeetingId::from_u128(5), start(), &ctx);
    let mut meeting_history = vec![scheduled];
    for person in [Q, p] {
        meeting_history
            .push(m5.execute(MeetingCommand::AddToAgenda { participant: person, reasons: vec![] }, &ctx).unwrap());
    }
    let export = ParticipantExport::assemble(
        FOUNDATION,
        noon(start()),
        WORKER,
        ExportSources {
            case: case.clone(),
            events: events.iter().rev().cloned().collect(),
            sessions: vec![session(1, &[p, Q]), s2, session(3, &[Q])],
            meetings: vec![meeting(3, &[Q, p]), meeting(4, &[Q])],
            session_history: session_history.clone(),
            meeting_history: meeting_history.clone(),
            access_log: log,
            break_glass: vec![glass(1, p), glass(2, Q)],
        },
    );
    assert_eq!(export.format, EXPORT_FORMAT);
    assert_eq!(export.events, events, "oldest first");
    assert_eq!(export.sessions.iter().map(|s| s.session).collect::<Vec<_>>(), [SessionId::from_u128(1)]);
    assert_eq!(export.session_history, session_history[1..], "a removed attendance is still held");
    assert_eq!(export.meeting_history, meeting_history[2..]);
    assert_eq!(export.meetings.len(), 1);
    assert_eq!((export.meetings[0].meeting, export.meetings[0].item.participant), (MeetingId::from_u128(3), p));
    assert_eq!(export.access_log.iter().map(|r| r.seq).collect::<Vec<_>>(), [2, 4, 5], "only the person's, in order");
    assert_eq!(export.consents.len(), 1);
    assert_eq!(export.consents[0].received.iter().map(|d| d.seq).collect::<Vec<_>>(), [4], "successes under it");
    assert_eq!(export.outside_recipients.iter().map(|d| d.seq).collect::<Vec<_>>(), [4]);
    assert_eq!(export.break_glass.iter().map(|b| b.id).collect::<Vec<_>>(), [BreakGlassId::from_u128(1)]);
    let json = export.to_json().unwrap();
    assert!(!json.contains(&Q.to_string()), "nothing about the other person");
}

#[test]
fn the_document_escapes_every_text() {
    let (mut case, _) = registered();
    let ctx = ctx_on(start());
    let mut c = contact(1, start(), ContactKind::IndividualTalk, &[ActivityCode::OrientationTalks]);
    c.summary = text("<script>alert(\"x\")</script> & <img src=x onerror=y>");
    let events = case.execute(CaseCommand::LogContact(c), &ctx).unwrap();
    let export = ParticipantExport::assemble(
        FOUNDATION,
        noon(start()),
        WORKER,
        ExportSources {
            case,
            events,
            sessions: vec![],
            meetings: vec![],
            session_history: vec![],
            meeting_history: vec![],
            access_log: vec![],
            break_glass: vec![glass(1, ParticipantId::from_u128(7))],
        },
    );
    let html = export.to_html();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script") && !html.contains("<img"), "no markup from data");
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=y&gt;"));
    assert!(html.contains("Testpersoon"));
    assert!(html.contains("Spoed &lt;b&gt;nu&lt;/b&gt; (synthetisch)."), "the break-glass reason, escaped");
}

fn sign(key: &SigningKey, checkpoint: Checkpoint) -> SignedCheckpoint {
    SignedCheckpoint {
        format: CHECKPOINT_FORMAT.to_owned(),
        public_key: hex_encode(key.verifying_key().as_bytes()),
        signature: hex_encode(&key.sign(&checkpoint.signed_message()).to_bytes()),
        checkpoint,
    }
}

#[test]
fn a_checkpoint_verifies_only_under_the_trusted_key_and_its_own_chain() {
    let key = SigningKey::from_bytes(&[7; 32]);
    let trusted = hex_encode(key.verifying_key().as_bytes());
    let records = chain(10);
    let cp = sign(
        &key,
        Checkpoint { foundation: FOUNDATION, seq: 6, head_hash: records[5].hash.clone(), at: noon(start()) },
    );
    assert_eq!(verify_checkpoint(&cp, &trusted, &records), Ok(CheckpointVerified { seq: 6, records_after: 4 }));
    // Any order, and a run starting later than 1, will do.
    let mut shuffled = records[3..].to_vec();
    shuffled.reverse();
    assert_eq!(verify_checkpoint(&cp, &trusted, &shuffled).unwrap().seq, 6);
    // Upper case hex of the trusted key is the same key.
    assert!(verify_checkpoint(&cp, &trusted.to_uppercase(), &records).is_ok());

    // Altered, forged, or signed by someone else.
    let mut altered = cp.clone();
    altered.checkpoint.at += chrono::Duration::seconds(1);
    assert_eq!(verify_checkpoint(&altered, &trusted, &records), Err(CheckpointError::BadSignature));
    let forger = SigningKey::from_bytes(&[8; 32]);
    let forged = sign(&forger, cp.checkpoint.clone());
    assert_eq!(verify_checkpoint(&forged, &trusted, &records), Err(CheckpointError::UntrustedKey));
    let mut relabelled = forged.clone();
    relabelled.public_key = trusted.clone();
    assert_eq!(verify_checkpoint(&relabelled, &trusted, &records), Err(CheckpointError::BadSignature));
    let mut format = cp.clone();
    format.format = "something.else".to_owned();
    assert_eq!(verify_checkpoint(&format, &trusted, &records).unwrap_err().code(), "checkpoint_malformed");
    assert_eq!(verify_checkpoint(&cp, "abc", &records).unwrap_err().code(), "checkpoint_malformed");

    // The chain it is checked against.
    let mut rewritten = records.clone();
    for r in rewritten.iter_mut().skip(2) {
        r.hash = format!("{:064x}", r.seq + 1000);
    }
    for i in 3..rewritten.len() {
        rewritten[i].prev_hash = rewritten[i - 1].hash.clone();
    }
    assert_eq!(verify_checkpoint(&cp, &trusted, &rewritten), Err(CheckpointError::HeadMismatch { seq: 6 }));
    let mut gap = records.clone();
    gap.remove(7);
    assert_eq!(verify_checkpoint(&cp, &trusted, &gap), Err(CheckpointError::ChainBroken { seq: 9 }));
    let mut unlinked = records.clone();
    unlinked[4].prev_hash = GENESIS_HASH.to_owned();
    assert_eq!(verify_checkpoint(&cp, &trusted, &unlinked), Err(CheckpointError::ChainBroken { seq: 5 }));
    let mut first = records.clone();
    first[0].prev_hash = format!("{:064x}", 1);
    assert_eq!(verify_checkpoint(&cp, &trusted, &first), Err(CheckpointError::ChainBroken { seq: 1 }));
    assert_eq!(verify_checkpoint(&cp, &trusted, &records[..5]), Err(CheckpointError::RecordMissing { seq: 6 }));
    assert_eq!(verify_checkpoint(&cp, &trusted, &[]), Err(CheckpointError::RecordMissing { seq: 6 }));
}

#[test]
fn a_checkpoint_of_the_empty_log_holds_the_genesis_hash() {
    let key = SigningKey::from_bytes(&[7; 32]);
    let trusted = hex_encode(key.verifying_key().as_bytes());
    let empty = sign(
        &key,
        Checkpoint { foundation: FOUNDATION, seq: 0, head_hash: GENESIS_HASH.to_owned(), at: noon(start()) },
    );
    assert_eq!(verify_checkpoint(&empty, &trusted, &[]), Ok(CheckpointVerified { seq: 0, records_after: 0 }));
    assert_eq!(verify_checkpoint(&empty, &trusted, &chain(3)).unwrap().records_after, 3);
    assert_eq!(verify_checkpoint(&empty, &trusted, &chain(3)[1..]), Err(CheckpointError::RecordMissing { seq: 1 }));
    let wrong =
        sign(&key, Checkpoint { foundation: FOUNDATION, seq: 0, head_hash: format!("{:064x}", 1), at: noon(start()) });
    assert_eq!(verify_checkpoint(&wrong, &trusted, &[]), Err(CheckpointError::HeadMismatch { seq: 0 }));
}

#[test]
fn corrections_of_the_profile_keep_the_old_values_in_order() {
    let (mut case, mut log) = registered();
    let mut corrected = case.profile().clone();
    corrected.family_name = Some(Name::parse("Tesfay").unwrap());
    corrected.lvv_location = Some(Label::parse("LVV Oost").unwrap());
    run(&mut case, &mut log, CaseCommand::UpdateProfile { profile: corrected.clone() }, later(start(), 3));
    let colleague = UserId::from_u128(77);
    run(&mut case, &mut log, CaseCommand::AssignProjectWorker { worker: colleague, on: None }, later(start(), 5));
    let mut again = case.profile().clone();
    again.family_name = Some(Name::parse("Tesfaye").unwrap());
    run(&mut case, &mut log, CaseCommand::UpdateProfile { profile: again }, later(start(), 9));

    let corrections = profile_corrections(&log);
    let seen: Vec<(&str, String, String)> =
        corrections.iter().map(|c| (c.field.as_str(), c.old.to_string(), c.new.to_string())).collect();
    let before = profile().family_name.map_or("null".to_owned(), |n| format!("\"{}\"", n.as_str()));
    assert_eq!(
        seen,
        vec![
            ("family_name", before, "\"Tesfay\"".to_owned()),
            ("lvv_location", "\"LVV West\"".to_owned(), "\"LVV Oost\"".to_owned()),
            ("project_worker", format!("\"{WORKER}\""), format!("\"{colleague}\"")),
            ("family_name", "\"Tesfay\"".to_owned(), "\"Tesfaye\"".to_owned()),
        ]
    );
    // Each correction names its event.
    assert!(corrections.windows(2).all(|w| w[0].version <= w[1].version));
    assert_eq!(corrections[3].version, case.version());
}

/// The subject-access export says of every change when it happened and when it was recorded
/// (art. 15: the person sees a late entry as late), in its data and in its document.
#[test]
fn the_export_shows_when_a_change_happened_and_when_it_was_recorded() {
    let (mut case, mut events) = registered();
    let drawn_up = later(start(), 2);
    let entered = later(start(), 30);
    events.extend(
        case.execute(
            CaseCommand::RevisePlan {
                personal_situation: text("Situatie (synthetisch)."),
                perspective: text("Perspectief."),
                on: Some(drawn_up),
            },
            &ctx_on(entered),
        )
        .unwrap(),
    );
    let export = ParticipantExport::assemble(
        FOUNDATION,
        noon(entered),
        WORKER,
        ExportSources {
            case,
            events,
            sessions: vec![],
            meetings: vec![],
            session_history: vec![],
            meeting_history: vec![],
            access_log: vec![],
            break_glass: vec![],
        },
    );
    let plan = export.event_dates.iter().find(|d| d.version == 2).expect("the plan's dates");
    assert_eq!((plan.effective_on, plan.recorded_at), (drawn_up, noon(entered)));
    let registration = export.event_dates.iter().find(|d| d.version == 1).expect("the registration's dates");
    assert_eq!(registration.effective_on, start());
    let json: serde_json::Value = serde_json::from_str(&export.to_json().unwrap()).unwrap();
    assert_eq!(json["event_dates"][1]["effective_on"], drawn_up.to_string(), "{json}");
    let html = export.to_html();
    assert!(html.contains("happened on") && html.contains("recorded (UTC)"), "{html}");
    assert!(html.contains(&drawn_up.to_string()), "the day the plan was drawn up is shown");
}
