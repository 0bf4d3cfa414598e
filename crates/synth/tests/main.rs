//! Replaying synthetic data through the real store: every generated command is accepted, and
//! what the store holds afterwards is what the scripts say; a year entered late equals the
//! same year entered live.

#![allow(clippy::unwrap_used)]

mod late_year;

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use perspectief_core::access::{Actor, Role};
use perspectief_core::service::{Caller, PageRequest, ParticipantFilter, PerspectiefService};
use perspectief_core::{Case, CommandContext};
use perspectief_store::{Keyring, ManualClock, Store, StoreOptions};
use perspectief_synth::{Config, participant, replay, replay_session, sessions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn synthetic_scripts_replay_through_the_store() {
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2025, 1, 1, 8, 0, 0).unwrap()));
    let keys = Keyring::from_hex_keys(&[Keyring::generate_hex_key().unwrap()]).unwrap();
    let mut options = StoreOptions::new("sqlite::memory:", keys);
    options.clock = clock.clone();
    let store = Store::open(options).await.unwrap();
    let foundation = store.policy().foundation;
    let set_clock = |at| clock.set(at);

    let config = Config::new(3, NaiveDate::from_ymd_opt(2025, 1, 6).unwrap(), 6);
    // The project lead acts as the lead (overrides), everyone else as a project worker.
    let caller_for = |user| config.caller(foundation, user);
    let admin = Caller::local(Actor {
        user: perspectief_core::UserId::from_u128(0xAD),
        organisation: foundation,
        role: Role::Administrator,
        grant: perspectief_core::access::Grant::NONE,
    });
    for organisation in config.partner_organisations(foundation) {
        store.add_organisation(&admin, organisation).await.unwrap();
    }
    let scripts: Vec<_> = (0..25).map(|i| participant(&config, i)).collect();
    let mut commands = 0;
    for script in &scripts {
        commands += replay(&store, script, &caller_for, &set_clock).await.unwrap();
    }
    let registered: Vec<_> = scripts.iter().map(|s| (s.register.id, s.register.registered_on)).collect();
    let lead = Caller::local(Actor {
        user: config.workers[0],
        organisation: foundation,
        role: Role::ProjectLead,
        grant: perspectief_core::access::Grant::NONE,
    });
    for session in sessions(&config, &registered) {
        commands += replay_session(&store, &session, &lead, &set_clock).await.unwrap();
    }
    assert!(commands > 200, "{commands} commands");

    let filter = ParticipantFilter { include_closed: true, ..Default::default() };
    let mut sent = 0;
    let listed =
        store.list_participants(&lead, filter, PageRequest { page_size: 500, page_token: None }).await.unwrap();
    assert_eq!(listed.items.len(), scripts.len());
    for script in &scripts {
        let case = store.get_case(&lead, script.register.id).await.unwrap();
        assert_eq!(case.contacts().count(), script.contact_moments());
        // The stored case is the one the core makes of the same commands.
        let worker = script.register.profile.project_worker;
        let ctx = |now: chrono::DateTime<Utc>| CommandContext { actor: worker, now, today: now.date_naive() };
        let (mut expected, _) = Case::register(script.register.clone(), &ctx(script.registered_at())).unwrap();
        for step in &script.steps {
            expected.execute(step.command.clone(), &ctx(step.at)).unwrap();
        }
        assert_eq!(case.version(), expected.version());
        assert_eq!(case.phase(), expected.phase());
        // A referral went to its partner only under the participant's consent.
        for r in case.referrals() {
            if let Some(sent_on) = r.sent_on() {
                sent += 1;
                let covered = perspectief_core::access::covering_consent(
                    case.consents(),
                    r.partner,
                    r.domain.category(),
                    sent_on,
                );
                assert!(covered.is_some(), "referral {} sent without consent", r.id);
            }
        }
    }
    assert!(sent > 0, "some referrals are sent");
}
