//! Participant page tokens: a token continues only the listing it came from (the same caller,
//! the same filter), and cannot be made by hand (docs/partners.md).

use perspectief_core::access::Actor;
use perspectief_core::service::{Caller, PageRequest, ParticipantFilter, PerspectiefService};
use perspectief_core::{DomainError, UserId};

use crate::support::*;

fn page(token: Option<&str>) -> PageRequest {
    PageRequest { page_size: 1, page_token: token.map(str::to_owned) }
}

fn refused_token(
    result: Result<perspectief_core::service::Page<perspectief_core::service::ParticipantSummary>, DomainError>,
) {
    let e = result.expect_err("the token was accepted");
    assert_eq!(e.violations().map(|v| v.iter().next().unwrap().field.clone()).as_deref(), Some("page_token"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_page_token_continues_only_its_own_listing_and_cannot_be_forged() {
    for backend in all_backends().await {
        let c = clock();
        let store = open(&backend.url(), new_keys(), c.clone()).await;
        let lead = lead(&store);
        let today = perspectief_core::time::amsterdam_date(perspectief_store::Clock::now(c.as_ref()));
        for name in ["Een", "Twee", "Drie"] {
            store.register_participant(&lead, registration(name, lead.actor.user, today)).await.unwrap();
        }
        let all = ParticipantFilter::default();
        let first = store.list_participants(&lead, all.clone(), page(None)).await.unwrap();
        let token = first.next_page_token.clone().expect("a full page has a next page");
        let second = store.list_participants(&lead, all.clone(), page(Some(&token))).await.unwrap();
        assert_ne!(second.items[0].id, first.items[0].id, "the token continues its listing");

        // Another filter (a filtered listing's token does not continue an unfiltered one, nor
        // the other way round).
        let closed_too = ParticipantFilter { include_closed: true, ..ParticipantFilter::default() };
        refused_token(store.list_participants(&lead, closed_too, page(Some(&token))).await);
        let mine = ParticipantFilter { project_worker: Some(lead.actor.user), ..ParticipantFilter::default() };
        refused_token(store.list_participants(&lead, mine, page(Some(&token))).await);
        // Another caller.
        let colleague = Caller::local(Actor { user: UserId::from_u128(2), ..lead.actor });
        refused_token(store.list_participants(&colleague, all.clone(), page(Some(&token))).await);
        // Made by hand: the old plain form, and a real token with its position moved.
        let id = first.items[0].id;
        refused_token(
            store.list_participants(&lead, all.clone(), page(Some(&hex::encode(format!("{today}|{id}"))))).await,
        );
        let (_, mac) = token.split_once('.').unwrap();
        let moved = format!("{}.{mac}", hex::encode(format!("2000-01-01|{id}")));
        refused_token(store.list_participants(&lead, all.clone(), page(Some(&moved))).await);
    }
}
