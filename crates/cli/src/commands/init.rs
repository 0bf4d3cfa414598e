//! `perspectief init` and `perspectief migrate`: a new installation and its database migrations.

use clap::Args;
use perspectief_core::ids::UserId;
use perspectief_store::{Keyring, Store, StoreOptions};
use serde_json::json;
use uuid::Uuid;

use crate::cli::Cli;
use crate::config::Config;
use crate::context::{database_missing, sqlite_path};
use crate::exit::{CONFIG, Failure, Result};
use crate::output;
use crate::t;
use crate::{config, context};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Naam van de eerste beheerder (anders wordt ernaar gevraagd)
    #[arg(long)]
    pub name: Option<String>,
    /// Overschrijf een bestaand configuratiebestand
    #[arg(long)]
    pub force: bool,
}

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
