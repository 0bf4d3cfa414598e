//! Local-only commands: `init`, `migrate`, users, tokens and backups work on the database
//! directly (there is no administration API over gRPC).

use chrono::Duration;
use perspectief_core::access::{Grant, Role};
use perspectief_core::accounts::UserAccount;
use perspectief_core::ids::{TokenId, UserId};
use perspectief_core::service::Purpose;
use perspectief_store::{Keyring, Store, StoreOptions};
use serde_json::json;
use uuid::Uuid;

use super::{label, vfail};
use crate::cli::{BackupArgs, Cli, GrantCmd, InitArgs, TokenCmd, UserCmd};
use crate::config::{self, Config};
use crate::context::{self, Ctx, database_missing, sqlite_path};
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
            let staff = matches!(role, Role::ProjectWorker | Role::ProjectLead | Role::Auditor | Role::Administrator);
            let organisation = match (organisation, staff) {
                (Some(o), _) => ctx.org("--organisation", &o)?,
                (None, true) => store.policy().foundation,
                (None, false) => return Err(Failure::field("--organisation", t!("violation-required"))),
            };
            let account = UserAccount {
                id: UserId::from_uuid(Uuid::now_v7()),
                organisation,
                role,
                name: label("--name", &name)?,
                disabled: false,
            };
            let account = store.create_user(&caller, account).await?;
            let mut sentence = t!(
                "done-user-added",
                name = account.name,
                id = account.id,
                role = crate::i18n::term("role", role.as_str())
            );
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
                json!({"user": account.id.to_string(), "role": role.as_str(), "organisation": account.organisation.to_string()}),
            )
        }
        UserCmd::List => {
            let users = store.list_users(&caller).await?;
            let rows: Vec<_> = users
                .iter()
                .map(|u| obj(json!({"id": u.id.to_string(), "name": u.name.as_str(), "role": u.role.as_str(), "organisation": ctx.org_name(u.organisation), "disabled": u.disabled})))
                .collect();
            let cols = [
                col("id", "col-id"),
                col("name", "col-name"),
                term_col("role", "col-role", "role"),
                col("organisation", "col-organisation"),
                col("disabled", "col-disabled"),
            ];
            output::list(ctx.format, &cols, &rows)
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
            let org = ctx.org("ORGANISATIE", &organisation)?;
            let grant = Grant { categories: categories.into_iter().collect(), max_level };
            store.set_grant(&caller, org, Some(grant)).await?;
            let sentence = t!(
                "done-grant-set",
                organisation = ctx.org_name(org),
                categories = categories_text(&grant),
                level = crate::i18n::term("level", max_level.as_str())
            );
            let cats: Vec<&str> = grant.categories.iter().map(|c| c.as_str()).collect();
            output::done(
                ctx.format,
                &sentence,
                json!({"organisation": org.to_string(), "categories": cats, "max_level": max_level.as_str()}),
            )
        }
        GrantCmd::Remove { organisation } => {
            let org = ctx.org("ORGANISATIE", &organisation)?;
            store.set_grant(&caller, org, None).await?;
            output::done(
                ctx.format,
                &t!("done-grant-removed", organisation = ctx.org_name(org)),
                json!({"organisation": org.to_string(), "removed": true}),
            )
        }
        GrantCmd::List => {
            let grants = store.list_grants(&caller).await?;
            let rows: Vec<_> = grants
                .iter()
                .map(|g| {
                    obj(json!({
                        "organisation": ctx.org_name(g.organisation),
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
            let value = json!({"id": info.id.to_string(), "user": user.to_string(), "token": token, "expires_at": info.expires_at.to_rfc3339()});
            output::done(
                ctx.format,
                &format!("{}\n{token}", t!("done-token-created", id = info.id, expires = info.expires_at.date_naive())),
                value,
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
                        "valid": t.is_valid_at(now),
                    }))
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                col("user", "col-user"),
                col("label", "col-label"),
                col("expires_at", "col-expires"),
                col("valid", "col-valid"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}

pub async fn backup(store: &Store, ctx: &Ctx, url: &str, args: BackupArgs) -> Result<()> {
    // The store copies without asking who: only an administrator may take the whole database.
    if ctx.caller.actor.role != Role::Administrator {
        return Err(Failure::new(crate::exit::PERMISSION, t!("error-backup-role")));
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

/// `dev seed`: fill an empty database with synthetic data ([`perspectief_synth`]), through the
/// same audited write path as real work. Only an administrator, only locally, and only into a
/// database without participants, so synthetic people never mix with real ones.
pub async fn dev_seed(store: &Store, ctx: &Ctx, args: crate::cli::DevSeedArgs) -> Result<()> {
    if ctx.caller.actor.role != Role::Administrator {
        return Err(Failure::new(crate::exit::PERMISSION, t!("error-seed-role")));
    }
    if store.holds_participants().await? {
        return Err(Failure::new(VALIDATION, t!("error-seed-not-empty")));
    }
    let today = chrono::Utc::now().date_naive();
    // The data set ends the day before today: every date in it lies in the past.
    let days = u64::from(args.months) * 30 + 1;
    let start = today.checked_sub_days(chrono::Days::new(days)).unwrap_or(today);
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
        };
        match store.create_user(&ctx.caller, account).await {
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
