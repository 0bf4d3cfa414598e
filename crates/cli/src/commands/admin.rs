//! Local-only commands: `init`, `migrate`, users, tokens and backups work on the database
//! directly (there is no administration API over gRPC).

use chrono::Duration;
use perspectief_core::DomainError;
use perspectief_core::access::{Action, Grant, Resource, Role};
use perspectief_core::accounts::UserAccount;
use perspectief_core::ids::{OrganisationId, TokenId, UserId};
use perspectief_core::organisation::{
    DirectoryService, Organisation, OrganisationChanges, OrganisationCode, OrganisationFilter, OrganisationInput,
    OrganisationRef,
};
use perspectief_core::service::PageRequest;
use perspectief_core::service::Purpose;
use perspectief_store::{Keyring, Store, StoreOptions};
use serde_json::json;
use uuid::Uuid;

use super::{label, vfail};
use crate::cli::{BackupArgs, Cli, GrantCmd, InitArgs, OrganisationCmd, TokenCmd, UserCmd};
use crate::config::{self, Config};
use crate::context::{self, Ctx, database_missing, sqlite_path};
use crate::directory::Directory;
use crate::exit::{CONFIG, Failure, Result, UNAVAILABLE, VALIDATION};
use crate::output::{self, col, obj, term_col};
use crate::t;

/// `perspectief init`.
pub async fn init(cli: &Cli, config_path: Option<&std::path::Path>, existing: &Config, args: InitArgs) -> Result<()> {
    let config_path = config_path.ok_or_else(|| Failure::new(CONFIG, t!("error-no-home")))?.to_path_buf();
    if existing.user.is_some() && !args.force {
        return Err(Failure::new(CONFIG, t!("error-init-configured", path = config_path.display())));
    }
    let (url, _) = context::database_url(cli, existing)?;
    if url.starts_with("sqlite") && !database_missing(&url) && !args.force {
        return Err(Failure::new(CONFIG, t!("error-init-exists", url = url)));
    }
    if let Some(path) = sqlite_path(&url) {
        context::make_parent(&path)?;
    }
    let mut did = Vec::new();
    // The key: PERSPECTIEF_KEY when set (then no file), else the key file, created when missing.
    let key_path = context::key_file(cli, existing)?;
    let keys = match (cli.key_file.is_none())
        .then(Keyring::from_env)
        .transpose()
        .map_err(|e| Failure::new(CONFIG, e.to_string()))?
        .flatten()
    {
        Some(keys) => {
            did.push(t!("init-key-env"));
            keys
        }
        None if key_path.exists() => {
            did.push(t!("init-key-existing", path = key_path.display()));
            Keyring::load_file(&key_path).map_err(|e| Failure::new(CONFIG, e.to_string()))?
        }
        None => {
            context::make_parent(&key_path)?;
            let keys = Keyring::create_file(&key_path).map_err(|e| Failure::new(CONFIG, e.to_string()))?;
            did.push(t!("init-key-created", path = key_path.display()));
            keys
        }
    };
    let applied = perspectief_store::migrate(&url).await.map_err(Failure::from)?;
    let store = Store::open(StoreOptions::new(url.clone(), keys)).await.map_err(Failure::from)?;
    did.push(t!("init-database", url = shown(&url), migrations = applied.len()));
    let name = super::required(args.name, "--name", "prompt-admin-name")?;
    let id = UserId::from_uuid(Uuid::now_v7());
    let admin = store.bootstrap_administrator(id, &name).await?;
    did.push(t!("init-admin", name = admin.name, id = admin.id));
    let mut config = existing.clone();
    config.user = Some(admin.id.to_string());
    if config.database.is_none() || cli.database.is_some() {
        config.database = Some(url.clone());
    }
    if std::env::var_os("PERSPECTIEF_KEY").is_none() || cli.key_file.is_some() {
        config.key_file = Some(std::path::absolute(&key_path).unwrap_or(key_path));
    }
    // The language only when chosen explicitly: otherwise the locale decides, each time.
    if cli.lang.is_some() {
        config.language = Some(match crate::i18n::lang() {
            crate::i18n::Lang::Nl => "nl".to_owned(),
            crate::i18n::Lang::En => "en".to_owned(),
        });
    }
    config::save(&config_path, &config)?;
    did.push(t!("init-config", path = config_path.display()));
    let value = json!({
        "database": shown(&url),
        "administrator": admin.id.to_string(),
        "config": config_path.display().to_string(),
        "key_file": config.key_file.as_ref().map(|p| p.display().to_string()),
    });
    let text = format!("{}\n  - {}\n\n{}", t!("init-done"), did.join("\n  - "), t!("init-next"));
    output::done(ctx_format(cli), &text, value)
}

fn ctx_format(cli: &Cli) -> crate::cli::OutputFormat {
    cli.output
}

/// A URL for display: a PostgreSQL URL may hold a password.
pub fn shown(url: &str) -> String {
    if url.starts_with("postgres") { "PostgreSQL".to_owned() } else { url.to_owned() }
}

/// `perspectief migrate`.
pub async fn migrate(cli: &Cli, config: &Config) -> Result<()> {
    let (url, _) = context::database_url(cli, config)?;
    if database_missing(&url) {
        return Err(Failure::new(CONFIG, t!("error-no-database", url = url)));
    }
    let applied = perspectief_store::migrate(&url).await.map_err(Failure::from)?;
    let text = if applied.is_empty() {
        t!("migrate-none")
    } else {
        t!("migrate-done", count = applied.len(), names = applied.join(", "))
    };
    output::done(cli.output, &text, json!({ "applied": applied }))
}

fn admin_caller(ctx: &Ctx) -> perspectief_core::service::Caller {
    ctx.with_purpose(Purpose::Administration)
}

pub async fn user_cmd(store: &Store, ctx: &Ctx, cmd: UserCmd) -> Result<()> {
    let caller = admin_caller(ctx);
    match cmd {
        UserCmd::Add { name, role, organisation, default } => {
            let staff = perspectief_core::accounts::is_staff_role(role);
            let organisation = match (organisation, staff) {
                (Some(o), _) => ctx.org(store, "--organisation", &o).await?,
                (None, true) => store.policy().foundation,
                (None, false) => return Err(Failure::field("--organisation", t!("violation-required"))),
            };
            let account = UserAccount {
                id: UserId::from_uuid(Uuid::now_v7()),
                organisation,
                role,
                name: label("--name", &name)?,
                disabled: false,
                awaiting_confirmation: false,
            };
            let account = store.create_user(&caller, account).await?;
            let mut sentence = t!(
                "done-user-added",
                name = account.name,
                id = account.id,
                role = crate::i18n::term("role", role.as_str())
            );
            if account.awaiting_confirmation {
                sentence = format!("{sentence}\n{}", t!("note-user-awaiting-confirmation", id = account.id));
            }
            if default {
                let path = ctx.config_path.clone().ok_or_else(|| Failure::new(CONFIG, t!("error-no-home")))?;
                let mut config = config::load(Some(&path))?;
                config.user = Some(account.id.to_string());
                config::save(&path, &config)?;
                sentence = format!("{sentence}\n{}", t!("done-user-default", path = path.display()));
            }
            output::done(
                ctx.format,
                &sentence,
                json!({
                    "user": account.id.to_string(),
                    "role": role.as_str(),
                    "awaiting_confirmation": account.awaiting_confirmation,
                    "organisation": ctx.directory(store).await?.name(account.organisation),
                    "organisation_code": ctx.directory(store).await?.code(account.organisation),
                }),
            )
        }
        UserCmd::List => {
            let users = store.list_users(&caller).await?;
            let directory = ctx.directory(store).await?;
            let rows: Vec<_> = users
                .iter()
                .map(|u| {
                    obj(json!({
                        "id": u.id.to_string(),
                        "name": u.name.as_str(),
                        "role": u.role.as_str(),
                        "organisation": directory.name(u.organisation),
                        "organisation_code": directory.code(u.organisation),
                        "disabled": u.disabled,
                        "awaiting_confirmation": u.awaiting_confirmation,
                    }))
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                col("name", "col-name"),
                term_col("role", "col-role", "role"),
                col("organisation", "col-organisation"),
                col("disabled", "col-disabled"),
                col("awaiting_confirmation", "col-awaiting-confirmation"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
        UserCmd::Confirm { user } => {
            let id = ctx.user("USER", &user)?;
            let account = store.confirm_account(&ctx.with_purpose(Purpose::Audit), id).await?;
            output::done(
                ctx.format,
                &t!("done-user-confirmed", name = account.name, id = account.id),
                json!({"user": id.to_string(), "awaiting_confirmation": false}),
            )
        }
        UserCmd::Disable { user, enable } => {
            let id = ctx.user("USER", &user)?;
            let account = store.set_user_disabled(&caller, id, !enable).await?;
            let sentence = if enable {
                t!("done-user-enabled", name = account.name)
            } else {
                t!("done-user-disabled", name = account.name)
            };
            output::done(ctx.format, &sentence, json!({"user": id.to_string(), "disabled": account.disabled}))
        }
    }
}

pub async fn grant_cmd(store: &Store, ctx: &Ctx, cmd: GrantCmd) -> Result<()> {
    let caller = admin_caller(ctx);
    let categories_text = |grant: &Grant| {
        grant.categories.iter().map(|c| crate::i18n::term("category", c.as_str())).collect::<Vec<_>>().join(", ")
    };
    match cmd {
        GrantCmd::Set { organisation, categories, max_level } => {
            let org = ctx.org(store, "ORGANISATIE", &organisation).await?;
            let grant = Grant { categories: categories.into_iter().collect(), max_level };
            store.set_grant(&caller, org, Some(grant)).await?;
            let directory = ctx.directory(store).await?;
            let sentence = t!(
                "done-grant-set",
                organisation = directory.name(org),
                categories = categories_text(&grant),
                level = crate::i18n::term("level", max_level.as_str())
            );
            let cats: Vec<&str> = grant.categories.iter().map(|c| c.as_str()).collect();
            output::done(
                ctx.format,
                &sentence,
                json!({
                    "organisation": directory.name(org),
                    "organisation_code": directory.code(org),
                    "categories": cats,
                    "max_level": max_level.as_str(),
                }),
            )
        }
        GrantCmd::Remove { organisation } => {
            let org = ctx.org(store, "ORGANISATIE", &organisation).await?;
            store.set_grant(&caller, org, None).await?;
            let directory = ctx.directory(store).await?;
            output::done(
                ctx.format,
                &t!("done-grant-removed", organisation = directory.name(org)),
                json!({"organisation": directory.name(org), "organisation_code": directory.code(org), "removed": true}),
            )
        }
        GrantCmd::List => {
            let grants = store.list_grants(&caller).await?;
            let directory = ctx.directory(store).await?;
            let rows: Vec<_> = grants
                .iter()
                .map(|g| {
                    obj(json!({
                        "organisation": directory.name(g.organisation),
                        "organisation_code": directory.code(g.organisation),
                        "categories": categories_text(&g.grant),
                        "max_level": g.grant.max_level.as_str(),
                        "updated_at": g.updated_at.to_rfc3339(),
                    }))
                })
                .collect();
            let cols = [
                col("organisation", "col-organisation"),
                col("categories", "col-categories"),
                term_col("max_level", "col-max-level", "level"),
                col("updated_at", "col-updated-at"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}

pub async fn token_cmd(store: &Store, ctx: &Ctx, cmd: TokenCmd) -> Result<()> {
    let caller = admin_caller(ctx);
    match cmd {
        TokenCmd::Create { user, label: token_label, days } => {
            let user = ctx.user("--user", &user)?;
            if !(1..=perspectief_store::MAX_TOKEN_DAYS).contains(&days) {
                return Err(Failure::field(
                    "--days",
                    t!("violation-token-days", max = perspectief_store::MAX_TOKEN_DAYS),
                ));
            }
            let (info, token) = store.create_token(&caller, user, &token_label, Duration::days(days)).await?;
            let value = json!({
                "id": info.id.to_string(),
                "user": user.to_string(),
                "token": token,
                "expires_at": info.expires_at.to_rfc3339(),
                "awaiting_confirmation": info.awaiting_confirmation,
            });
            let mut sentence =
                format!("{}\n{token}", t!("done-token-created", id = info.id, expires = info.expires_at.date_naive()));
            if info.awaiting_confirmation {
                sentence = format!("{sentence}\n{}", t!("note-token-awaiting-confirmation", id = info.id));
            }
            output::done(ctx.format, &sentence, value)
        }
        TokenCmd::Confirm { token } => {
            let id = TokenId::parse(&token).map_err(|e| vfail("TOKEN", &e))?;
            let info = store.confirm_token(&ctx.with_purpose(Purpose::Audit), id).await?;
            output::done(
                ctx.format,
                &t!("done-token-confirmed", id = info.id),
                json!({"id": info.id.to_string(), "user": info.user.to_string(), "awaiting_confirmation": false}),
            )
        }
        TokenCmd::Revoke { token } => {
            let id = TokenId::parse(&token).map_err(|e| vfail("TOKEN", &e))?;
            let info = store.revoke_token(&caller, id).await?;
            output::done(
                ctx.format,
                &t!("done-token-revoked", id = info.id),
                json!({"id": info.id.to_string(), "revoked_at": info.revoked_at.map(|t| t.to_rfc3339())}),
            )
        }
        TokenCmd::List { user } => {
            let user = user.map(|u| ctx.user("--user", &u)).transpose()?;
            let tokens = store.list_tokens(&caller, user).await?;
            let now = crate::args::now();
            let rows: Vec<_> = tokens
                .iter()
                .map(|t| {
                    obj(json!({
                        "id": t.id.to_string(),
                        "user": t.user.to_string(),
                        "label": t.label.as_str(),
                        "created_at": t.created_at.to_rfc3339(),
                        "expires_at": t.expires_at.to_rfc3339(),
                        "revoked_at": t.revoked_at.map(|r| r.to_rfc3339()),
                        "awaiting_confirmation": t.awaiting_confirmation,
                        "valid": t.is_valid_at(now),
                    }))
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                col("user", "col-user"),
                col("label", "col-label"),
                col("expires_at", "col-expires"),
                col("awaiting_confirmation", "col-awaiting-confirmation"),
                col("valid", "col-valid"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}

pub async fn backup(store: &Store, ctx: &Ctx, url: &str, args: BackupArgs) -> Result<()> {
    // The whole database: the core's decision (the administrator's alone), on record.
    match store.authorise(&ctx.caller, Action::Export, Resource::Database, "backup").await {
        Err(DomainError::AccessDenied(_)) => {
            return Err(Failure::new(crate::exit::PERMISSION, t!("error-backup-role")));
        }
        other => other?,
    }
    if sqlite_path(url).is_none() {
        return Err(Failure::new(UNAVAILABLE, t!("error-backup-postgres")));
    }
    if let Some(file) = &args.file {
        if file.exists() {
            return Err(Failure::new(VALIDATION, t!("error-backup-exists", path = file.display())));
        }
        context::make_parent(file)?;
    }
    let spinner = super::import::spinner(&t!("progress-backup"));
    // Without a file: a managed backup, which the retention run processes too.
    let result = match &args.file {
        Some(file) => store.backup_to(file).await.map(|()| file.clone()),
        None => store.managed_backup().await,
    };
    spinner.finish_and_clear();
    let path = result.map_err(Failure::from)?;
    let sentence = if args.file.is_some() {
        t!("done-backup", path = path.display())
    } else {
        t!("done-backup-managed", path = path.display())
    };
    output::done(ctx.format, &sentence, json!({"file": path.display().to_string(), "managed": args.file.is_none()}))
}

/// The first day of a synthetic data set of `months` that ends the day before today in
/// Amsterdam (every date in it lies in the past).
fn seed_start(now: chrono::DateTime<chrono::Utc>, months: u32) -> chrono::NaiveDate {
    let today = perspectief_core::time::amsterdam_date(now);
    let days = u64::from(months) * 30 + 1;
    today.checked_sub_days(chrono::Days::new(days)).unwrap_or(today)
}

/// `dev seed`: fill an empty database with synthetic data ([`perspectief_synth`]), through the
/// same audited write path as real work. Only an administrator, only locally, and only into a
/// database without participants, so synthetic people never mix with real ones.
pub async fn dev_seed(store: &Store, ctx: &Ctx, args: crate::cli::DevSeedArgs) -> Result<()> {
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
    // Accounts for the synthetic project workers, so lists show a name.
    for (n, worker) in config.workers.iter().enumerate() {
        let account = perspectief_core::accounts::UserAccount {
            id: *worker,
            organisation: store.policy().foundation,
            role: Role::ProjectWorker,
            name: perspectief_core::Label::parse(&format!("Projectmedewerker {} (synthetisch)", n + 1))
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
    let caller_for = move |user| {
        perspectief_core::service::Caller::local(perspectief_core::access::Actor {
            user,
            organisation: foundation,
            role: Role::ProjectWorker,
            grant: perspectief_core::access::Grant::NONE,
        })
    };
    let mut loaded = perspectief_synth::Loaded::default();
    let mut registered = Vec::new();
    for index in 0..args.participants {
        let script = perspectief_synth::participant(&config, index);
        loaded.add(perspectief_synth::load_participant(store, &script, &caller_for).await?);
        registered.push((script.register.id, script.register.registered_on));
        progress.inc(1);
    }
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
            "commands": loaded.commands,
            "skipped": loaded.skipped,
            "seed": args.seed,
        }),
    )
}

const ORGANISATION_COLS: &[output::Col] = &[
    col("code", "col-code"),
    col("name", "col-name"),
    term_col("kind", "col-kind", "organisation_kind"),
    term_col("domains", "col-domains", "domain"),
    col("active", "col-active"),
];

const ORGANISATION_SHOW_COLS: &[output::Col] = &[
    col("code", "col-code"),
    col("name", "col-name"),
    col("id", "col-id"),
    term_col("kind", "col-kind", "organisation_kind"),
    term_col("domains", "col-domains", "domain"),
    col("phone", "col-phone"),
    col("email", "col-email"),
    col("address", "col-address"),
    col("active", "col-active"),
];

/// An organisation as a row: its own id is part of its record (partners configure it), and
/// the record says whose it is.
fn organisation_row(o: &Organisation) -> serde_json::Map<String, serde_json::Value> {
    obj(json!({
        "id": o.id.to_string(),
        "code": o.code.as_str(),
        "name": o.name.as_str(),
        "kind": o.kind.as_str(),
        "domains": o.domains.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
        "phone": o.contact.phone.as_ref().map(|p| p.as_str()),
        "email": o.contact.email.as_ref().map(|e| e.as_str()),
        "address": o.contact.address.as_ref().map(|a| a.as_str()),
        "active": o.active,
    }))
}

/// `perspectief organisation ...`: listing and reading the register works locally and through
/// a server; keeping it (add, update, import-config) is the administrator's, on the database.
pub async fn organisation_cmd<S: DirectoryService>(
    svc: &S,
    store: Option<&Store>,
    ctx: &Ctx,
    cmd: OrganisationCmd,
) -> Result<()> {
    let keeper = || store.ok_or_else(|| Failure::new(UNAVAILABLE, t!("error-remote-admin")));
    match cmd {
        OrganisationCmd::List { all, kind, domain } => {
            let filter = OrganisationFilter { kind, domain, include_inactive: all };
            let mut rows = Vec::new();
            let mut page = PageRequest { page_size: 500, page_token: None };
            loop {
                let result = svc.list_organisations(&ctx.caller, filter.clone(), page.clone()).await?;
                rows.extend(result.items.iter().map(organisation_row));
                match result.next_page_token {
                    Some(t) => page.page_token = Some(t),
                    None => break,
                }
            }
            output::list(ctx.format, ORGANISATION_COLS, &rows)
        }
        OrganisationCmd::Show { organisation } => {
            let key = OrganisationRef::parse(&organisation).map_err(|e| vfail("ORGANISATIE", &e))?;
            let found = svc.get_organisation(&ctx.caller, key).await?;
            output::record(ctx.format, ORGANISATION_SHOW_COLS, &organisation_row(&found))
        }
        OrganisationCmd::Add { code, name, kind, domains, phone, email, address, id } => {
            let store = keeper()?;
            let id = match id {
                Some(v) => OrganisationId::parse(&v).map_err(|e| vfail("--id", &e))?,
                None => OrganisationId::from_uuid(Uuid::now_v7()),
            };
            let input = OrganisationInput {
                code,
                name,
                kind: kind.as_str().to_owned(),
                domains: domains.iter().map(|d| d.as_str().to_owned()).collect(),
                phone,
                email,
                address,
            };
            let organisation = input.into_organisation(id, store.policy().foundation)?;
            let added = store.add_organisation(&admin_caller(ctx), organisation).await?;
            output::done(
                ctx.format,
                &t!("done-organisation-added", name = added.display()),
                serde_json::Value::Object(organisation_row(&added)),
            )
        }
        OrganisationCmd::Update {
            organisation,
            code,
            name,
            kind,
            domains,
            phone,
            email,
            address,
            clear,
            deactivate,
            activate,
        } => {
            let store = keeper()?;
            let key = OrganisationRef::parse(&organisation).map_err(|e| vfail("ORGANISATIE", &e))?;
            let cleared = |what: &str| clear.iter().any(|c| c == what);
            let opt = |flag: &str, value: Option<String>, what: &str| -> Result<Option<Option<String>>> {
                match (value, cleared(what)) {
                    (Some(_), true) => Err(Failure::field(flag, t!("violation-set-and-clear"))),
                    (Some(v), false) => Ok(Some(Some(v))),
                    (None, true) => Ok(Some(None)),
                    (None, false) => Ok(None),
                }
            };
            use perspectief_core::organisation::{EmailAddress, PhoneNumber};
            let changes = OrganisationChanges {
                code: code.map(|c| OrganisationCode::parse(&c).map_err(|e| vfail("--code", &e))).transpose()?,
                name: name.map(|n| label("--name", &n)).transpose()?,
                kind,
                domains: match (domains.is_empty(), cleared("domains")) {
                    (false, true) => return Err(Failure::field("--domain", t!("violation-set-and-clear"))),
                    (false, false) => Some(domains.into_iter().collect()),
                    (true, true) => Some(std::collections::BTreeSet::new()),
                    (true, false) => None,
                },
                phone: opt("--phone", phone, "phone")?
                    .map(|p| p.map(|p| PhoneNumber::parse(&p).map_err(|e| vfail("--phone", &e))).transpose())
                    .transpose()?,
                email: opt("--email", email, "email")?
                    .map(|e| e.map(|e| EmailAddress::parse(&e).map_err(|x| vfail("--email", &x))).transpose())
                    .transpose()?,
                address: opt("--address", address, "address")?
                    .map(|a| a.map(|a| label("--address", &a)).transpose())
                    .transpose()?,
                active: if deactivate {
                    Some(false)
                } else if activate {
                    Some(true)
                } else {
                    None
                },
            };
            let changed = store.update_organisation(&admin_caller(ctx), key, changes).await?;
            output::done(
                ctx.format,
                &t!("done-organisation-updated", name = changed.display()),
                serde_json::Value::Object(organisation_row(&changed)),
            )
        }
        OrganisationCmd::ImportConfig => import_config(keeper()?, ctx).await,
    }
}

/// `perspectief organisation import-config`: the names staff gave organisations in their own
/// config file (`[organisations]`, retired) become entries of the register: an id the register
/// does not hold is registered with the name as its code and name; an id registered by the
/// migration and still named by its id takes the name; an id registered under a real name
/// keeps it. When every entry is taken over, the section is removed from the file.
async fn import_config(store: &Store, ctx: &Ctx) -> Result<()> {
    let path = ctx.config_path.clone().ok_or_else(|| Failure::new(CONFIG, t!("error-no-home")))?;
    let mut config = config::load(Some(&path))?;
    if config.organisations.is_empty() {
        return output::done(ctx.format, &t!("import-config-nothing", path = path.display()), json!({"imported": []}));
    }
    let caller = admin_caller(ctx);
    let directory = Directory::load(store, &caller).await?;
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (alias, id_text) in &config.organisations {
        let id = match OrganisationId::parse(id_text) {
            Ok(id) => id,
            Err(_) => {
                problems.push(t!("import-config-bad-id", alias = alias.as_str(), path = path.display()));
                continue;
            }
        };
        let code = match OrganisationCode::parse(alias) {
            Ok(code) => code,
            Err(e) => {
                problems.push(format!("[organisations] {alias}: {}", e.message));
                continue;
            }
        };
        let name = label(alias, alias)?;
        let outcome = match directory.get(id) {
            Some(o) if o.name.as_str() != id.to_string() => {
                lines.push(t!("import-config-kept", alias = alias.as_str(), name = o.display()));
                "kept"
            }
            Some(_) => {
                let changes = OrganisationChanges { code: Some(code), name: Some(name), ..Default::default() };
                match store.update_organisation(&caller, OrganisationRef::Id(id), changes).await {
                    Ok(o) => {
                        lines.push(t!("import-config-named", alias = alias.as_str(), name = o.display()));
                        "named"
                    }
                    Err(e @ perspectief_core::DomainError::AccessDenied(_)) => return Err(e.into()),
                    Err(e) => {
                        problems.push(format!("[organisations] {alias}: {}", crate::exit::from_domain(e).message));
                        continue;
                    }
                }
            }
            None => {
                let organisation = Organisation {
                    id,
                    code,
                    name,
                    kind: perspectief_core::OrganisationKind::Ngo,
                    domains: std::collections::BTreeSet::new(),
                    contact: Default::default(),
                    active: true,
                };
                match store.add_organisation(&caller, organisation).await {
                    Ok(o) => {
                        lines.push(t!("import-config-added", alias = alias.as_str(), name = o.display()));
                        "added"
                    }
                    // Not the administrator: stop at the first refusal (it is logged).
                    Err(e @ perspectief_core::DomainError::AccessDenied(_)) => return Err(e.into()),
                    Err(e) => {
                        problems.push(format!("[organisations] {alias}: {}", crate::exit::from_domain(e).message));
                        continue;
                    }
                }
            }
        };
        rows.push(json!({"alias": alias, "outcome": outcome}));
    }
    if !problems.is_empty() {
        let mut message = t!("import-config-problems", path = path.display());
        for p in problems {
            message.push_str("\n  ");
            message.push_str(&p);
        }
        if !lines.is_empty() {
            message.push_str(&format!("\n{}\n  {}", t!("import-config-done-so-far"), lines.join("\n  ")));
        }
        return Err(Failure::new(VALIDATION, message));
    }
    config.organisations.clear();
    config::save(&path, &config)?;
    let text = format!(
        "{}\n  {}\n{}",
        t!("import-config-done"),
        lines.join("\n  "),
        t!("import-config-removed", path = path.display())
    );
    output::done(ctx.format, &text, json!({"imported": rows}))
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
