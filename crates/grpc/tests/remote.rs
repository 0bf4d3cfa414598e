//! The store's conformance suite a second time, through a real server on an ephemeral
//! loopback port with the Rust client: every behaviour is the same locally and remotely. One
//! test per check (`remote::conformance::case_round_trip`, ...), each with its own server.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{Duration, Utc};
use perspectief_core::organisation::OrganisationRef;
use perspectief_core::service::Caller;
use perspectief_core::{DomainError, UserId};
use perspectief_grpc::client::{Credentials, RemoteService, TokenFuture};
use perspectief_grpc::server::{ServerConfig, serve};
use perspectief_store::{ManualClock, Store};
use perspectief_tests::conformance::{Check, Env, Kept};
use tonic::transport::server::TcpIncoming;

/// Tokens made on demand: the suite invents callers (each a fresh user of some role and
/// organisation); the first call of each gets an account and a token from the administrator.
struct TokensPerCaller {
    store: Store,
    admin: Caller,
    clock: Arc<ManualClock>,
    /// The token of each user and when it was made (the suite moves the clock by months).
    tokens: Mutex<HashMap<UserId, (String, chrono::DateTime<Utc>)>>,
}

impl Credentials for TokensPerCaller {
    fn token<'a>(&'a self, caller: &'a Caller) -> TokenFuture<'a> {
        Box::pin(async move {
            let user = caller.actor.user;
            let now = perspectief_store::Clock::now(self.clock.as_ref());
            if let Some((t, made)) = self.tokens.lock().unwrap().get(&user)
                && now - *made < Duration::days(300)
            {
                return Ok(t.clone());
            }
            let account = perspectief_store::testing::active_account(
                user,
                caller.actor.organisation,
                caller.actor.role,
                "Synthetische gebruiker",
            );
            crate::organisations::ensure_registered(&self.store, &self.admin, account.organisation).await;
            match self.store.create_user(&self.admin, account).await {
                Ok(_) | Err(DomainError::AlreadyExists { .. }) => {}
                Err(e) => return Err(e),
            }
            // The server decides with the grant it holds: the one the suite's caller carries.
            if caller.actor.organisation != self.store.policy().foundation {
                self.store.set_grant(&self.admin, caller.actor.organisation, Some(caller.actor.grant)).await?;
            }
            let token =
                crate::support::working_token(&self.store, &self.admin, user, "conformance", Duration::days(365)).await;
            self.tokens.lock().unwrap().insert(user, (token.clone(), now));
            Ok(token)
        })
    }
}

/// Run `check` through a loopback server in front of a fresh store on an in-memory database.
async fn through_a_loopback_server(check: Check) {
    let clock = Arc::new(ManualClock::new(crate::support::noon()));
    let (store, admin) = crate::support::store_with_administrator(Some(clock.clone())).await;
    let incoming = TcpIncoming::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let address = incoming.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = Arc::new(store.clone());
    let server = tokio::spawn(async move {
        serve(served, ServerConfig::default(), incoming, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    let credentials =
        TokensPerCaller { store: store.clone(), admin: admin.clone(), clock: clock.clone(), tokens: Mutex::default() };
    let remote = RemoteService::connect(&format!("http://{address}"), credentials).await.unwrap();
    let advance = |d| clock.advance(d);
    let now = || perspectief_store::Clock::now(clock.as_ref());
    let keeper = admin.clone();
    let add = |o| -> Kept<'_> { Box::pin(store.add_organisation(&keeper, o)) };
    let update =
        |id, changes| -> Kept<'_> { Box::pin(store.update_organisation(&keeper, OrganisationRef::Id(id), changes)) };
    let env = Env {
        foundation: store.policy().foundation,
        advance: &advance,
        now: &now,
        remote: true,
        add_organisation: &add,
        update_organisation: &update,
    };
    check.run(&remote, &env).await;
    stop.send(()).unwrap();
    server.await.unwrap();
}

mod conformance {
    perspectief_tests::conformance_tests!(super::through_a_loopback_server);
}
