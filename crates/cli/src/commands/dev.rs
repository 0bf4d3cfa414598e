//! `perspectief dev seed`: synthetic data for developers (local only).

use clap::{Args, Subcommand};
use perspectief_core::DomainError;
use perspectief_core::access::{Action, Resource, Role};
use perspectief_store::Store;
use serde_json::json;

use crate::context::Ctx;
use crate::exit::{Failure, Result, VALIDATION};
use crate::output;
use crate::t;

#[derive(Debug, Subcommand)]
pub enum DevCmd {
    /// Vul een lege database met synthetische deelnemers, trajecten en bijeenkomsten (nooit echte gegevens)
    Seed(DevSeedArgs),
}

#[derive(Debug, Args)]
pub struct DevSeedArgs {
    /// Aantal deelnemers
    #[arg(long, value_name = "AANTAL", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub participants: u64,
    /// Het zaad: dezelfde waarde geeft dezelfde gegevens
    #[arg(long, default_value_t = 1, value_name = "GETAL")]
    pub seed: u64,
    /// Over hoeveel maanden tot vandaag de trajecten lopen
    #[arg(long, default_value_t = 18, value_name = "MAANDEN", value_parser = clap::value_parser!(u32).range(1..=36))]
    pub months: u32,
}

/// The first day of a synthetic data set of `months` that ends the day before today in
/// Amsterdam (every date in it lies in the past).
fn seed_start(now: chrono::DateTime<chrono::Utc>, months: u32) -> chrono::NaiveDate {
    let today = perspectief_core::time::amsterdam_date(now);
    let days = u64::from(months) * 30 + 1;
    today.checked_sub_days(chrono::Days::new(days)).unwrap_or(today)
}

/// Up to this many participants (a foundation's size, and more) `dev seed` also generates the
/// biweekly chain meetings about them. The meetings are generated over every script at once, in
/// memory; a larger set is a load test, loaded one participant at a time without meetings.
const MEETINGS_UP_TO: u64 = 5_000;

/// `dev seed`: fill an empty database with synthetic data ([`perspectief_synth`]), through the
/// same audited write path as real work. Only an administrator, only locally, and only into a
/// database without participants, so synthetic people never mix with real ones.
pub async fn dev_seed(store: &Store, ctx: &Ctx, args: DevSeedArgs) -> Result<()> {
    // Synthetic people into the database: the core's decision (the administrator's alone), on record.
    match store.authorise(&ctx.caller, Action::Create, Resource::Database, "dev_seed").await {
        Err(DomainError::AccessDenied(_)) => return Err(Failure::new(crate::exit::PERMISSION, t!("error-seed-role"))),
        other => other?,
    }
    if store.holds_participants().await? {
        return Err(Failure::new(VALIDATION, t!("error-seed-not-empty")));
    }
    let start = seed_start(crate::args::now(), args.months);
    let config = perspectief_synth::Config::new(args.seed, start, args.months);
    // Accounts for the synthetic project workers and lead, so lists show a name.
    let staff = config
        .workers
        .iter()
        .enumerate()
        .map(|(n, worker)| (*worker, Role::ProjectWorker, format!("Projectmedewerker {} (synthetisch)", n + 1)))
        .chain(std::iter::once((config.lead, Role::ProjectLead, "Projectleider (synthetisch)".to_owned())));
    for (id, role, name) in staff {
        let account = perspectief_core::accounts::UserAccount {
            id,
            organisation: store.policy().foundation,
            role,
            name: perspectief_core::Label::parse(&name)
                .map_err(|e| Failure::new(crate::exit::INTERNAL, e.to_string()))?,
            disabled: false,
            awaiting_confirmation: false,
        };
        match store.create_user(&ctx.caller, account).await {
            Ok(_) | Err(perspectief_core::DomainError::AlreadyExists { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    // The synthetic chain partners, in the register (referrals and consents name them).
    for organisation in config.partner_organisations(store.policy().foundation) {
        match store.add_organisation(&ctx.caller, organisation).await {
            Ok(_) | Err(perspectief_core::DomainError::AlreadyExists { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let progress = super::import::progress(args.participants, &t!("progress-seed"));
    let foundation = store.policy().foundation;
    // The synthetic project lead acts as the lead (a judgment communicated on an override),
    // the others as project workers.
    let caller_for = |user| config.caller(foundation, user);
    let (mut loaded, registered, meetings) = if args.participants <= MEETINGS_UP_TO {
        let mut people: Vec<_> =
            (0..args.participants).map(|index| perspectief_synth::participant(&config, index)).collect();
        // The biweekly chain meetings about them (3.2.f, 3.2.g); they may end a trajectory early.
        let meetings = perspectief_synth::chain_meetings(&config, &mut people);
        let registered: Vec<_> = people.iter().map(|s| (s.register.id, s.register.registered_on)).collect();
        let loaded =
            perspectief_synth::load_with_meetings(store, &people, &meetings, &caller_for, &|| progress.inc(1)).await?;
        (loaded, registered, meetings.len())
    } else {
        // A load-test set: one participant at a time, in constant memory, without meetings.
        let mut loaded = perspectief_synth::Loaded::default();
        let mut registered = Vec::new();
        for index in 0..args.participants {
            let script = perspectief_synth::participant(&config, index);
            loaded.add(perspectief_synth::load_participant(store, &script, &caller_for).await?);
            registered.push((script.register.id, script.register.registered_on));
            progress.inc(1);
        }
        (loaded, registered, 0)
    };
    progress.finish_and_clear();
    // Sessions are run by the synthetic project workers too.
    let organiser = caller_for(config.workers[0]);
    let mut sessions = 0u64;
    for script in perspectief_synth::sessions(&config, &registered) {
        loaded.add(perspectief_synth::load_session(store, &script, &organiser).await?);
        sessions += 1;
    }
    output::done(
        ctx.format,
        &t!(
            "done-seed",
            participants = loaded.participants,
            contacts = loaded.contact_moments,
            sessions = sessions,
            commands = loaded.commands,
            skipped = loaded.skipped
        ),
        json!({
            "participants": loaded.participants,
            "contact_moments": loaded.contact_moments,
            "sessions": sessions,
            "chain_meetings": meetings,
            "commands": loaded.commands,
            "skipped": loaded.skipped,
            "seed": args.seed,
        }),
    )
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::seed_start;

    #[test]
    fn a_seed_ends_the_day_before_amsterdams_today_not_utcs() {
        // 23:30 UTC on 14 July is already 15 July in Amsterdam (UTC+2): the data set ends on
        // 14 July, so its 31 days (one month) start on 14 June.
        let late = Utc.with_ymd_and_hms(2026, 7, 14, 23, 30, 0).unwrap();
        assert_eq!(seed_start(late, 1), NaiveDate::from_ymd_opt(2026, 6, 14).unwrap());
        let earlier = Utc.with_ymd_and_hms(2026, 7, 14, 21, 30, 0).unwrap();
        assert_eq!(seed_start(earlier, 1), NaiveDate::from_ymd_opt(2026, 6, 13).unwrap());
    }
}
