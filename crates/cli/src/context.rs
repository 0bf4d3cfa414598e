//! What a command runs with: the config, the output format, the backend (the database directly,
//! or a server through the gRPC client) and the acting staff user.

use std::path::{Path, PathBuf};

use perspectief_core::DomainError;
use perspectief_core::access::{Actor, Role};
use perspectief_core::error::EntityKind;
use perspectief_core::ids::{OrganisationId, ParticipantId, UserId};
use perspectief_core::organisation::DirectoryService;
use perspectief_core::service::{
    Caller, Page, PageRequest, ParticipantFilter, ParticipantSummary, PerspectiefService, Purpose,
};
use perspectief_store::{Keyring, Store, StoreOptions, resolve_database_url};

use crate::cli::{Cli, OutputFormat};
use crate::config::Config;
use crate::directory::{Directory, Staff};
use crate::exit::{CONFIG, Failure, NOT_FOUND, PERMISSION, Result, UNAVAILABLE, VALIDATION};
use crate::t;

/// Everything a command needs besides its backend.
#[derive(Debug)]
pub struct Ctx {
    pub format: OutputFormat,
    pub config_path: Option<PathBuf>,
    /// Who calls (the acting user), why and from where.
    pub caller: Caller,
    /// Whether the commands go through a server.
    pub remote: bool,
    /// The organisations register, once read.
    pub directory: tokio::sync::OnceCell<Directory>,
    /// The staff directory, once read.
    pub staff: tokio::sync::OnceCell<Staff>,
    /// `--lang`: for participant documents, the language of the document.
    pub document_language: Option<perspectief_core::document::DocumentLanguage>,
}

impl Ctx {
    /// A context for `caller`.
    pub fn new(format: OutputFormat, config_path: Option<PathBuf>, caller: Caller, remote: bool) -> Self {
        Self {
            format,
            config_path,
            caller,
            remote,
            directory: tokio::sync::OnceCell::new(),
            staff: tokio::sync::OnceCell::new(),
            document_language: None,
        }
    }

    /// The same context with the language asked for participant documents (`--lang`).
    pub fn with_document_language(mut self, language: Option<perspectief_core::document::DocumentLanguage>) -> Self {
        self.document_language = language;
        self
    }
}

impl Ctx {
    /// The acting user's id.
    pub fn me(&self) -> UserId {
        self.caller.actor.user
    }

    /// A user: `ik`/`me` for the acting user, else an id.
    pub fn user(&self, flag: &str, value: &str) -> Result<UserId> {
        match value.trim().to_lowercase().as_str() {
            "ik" | "me" | "mij" => Ok(self.me()),
            v => UserId::parse(v).map_err(|_| Failure::field(flag, t!("violation-not_an_id"))),
        }
    }

    /// An organisation: its code in the register (any case), or its id. An unknown one is
    /// refused with the codes that are known.
    pub async fn org<S: DirectoryService>(&self, svc: &S, flag: &str, value: &str) -> Result<OrganisationId> {
        self.directory(svc).await?.resolve(flag, value)
    }

    /// The organisations register, read once per command (and only by commands that need it).
    pub async fn directory<S: DirectoryService>(&self, svc: &S) -> Result<&Directory> {
        self.directory.get_or_try_init(|| Directory::load(svc, &self.caller)).await
    }

    /// The register when `needed`, else an empty one (so a listing that names no
    /// organisation reads nothing and logs nothing).
    pub async fn directory_if<S: DirectoryService>(&self, svc: &S, needed: bool) -> Result<&Directory> {
        if needed { self.directory(svc).await } else { Ok(&crate::directory::NO_ORGANISATIONS) }
    }

    /// The staff directory when `needed`, else an empty one.
    pub async fn staff_if<S: DirectoryService>(&self, svc: &S, needed: bool) -> Result<&Staff> {
        if needed { self.staff(svc).await } else { Ok(&crate::directory::NO_STAFF) }
    }

    /// The staff directory (names of the foundation's staff), read once per command.
    pub async fn staff<S: DirectoryService>(&self, svc: &S) -> Result<&Staff> {
        self.staff.get_or_try_init(|| Staff::load(svc, &self.caller)).await
    }

    /// A failure's message with every organisation id the register knows replaced by its name
    /// and code (a domain error names organisations by id).
    pub fn named(&self, mut failure: Failure) -> Failure {
        if let Some(directory) = self.directory.get() {
            failure.message = directory.name_ids_in_text(&failure.message);
        }
        failure
    }

    /// The same caller with another purpose, when the role may state it.
    pub fn with_purpose(&self, purpose: Purpose) -> Caller {
        let mut c = self.caller.clone();
        if self.remote || Purpose::permitted_for(c.actor.role).contains(&purpose) {
            c.purpose = purpose;
        }
        c
    }
}

/// The database URL and whether it was named (flag, environment or config) rather than the
/// embedded default.
pub fn database_url(cli: &Cli, config: &Config) -> Result<(String, bool)> {
    let env = std::env::var(perspectief_store::DATABASE_URL_VAR).ok().filter(|v| !v.trim().is_empty());
    let named = cli.database.clone().or(env).or_else(|| config.database.clone());
    let explicit = named.is_some();
    let url = resolve_database_url(named.as_deref()).map_err(|e| Failure::new(CONFIG, e.to_string()))?;
    Ok((url, explicit))
}

/// The key file path in use when the key does not come from `PERSPECTIEF_KEY`.
pub fn key_file(cli: &Cli, config: &Config) -> Result<PathBuf> {
    if let Some(p) = cli.key_file.clone().or_else(|| config.key_file.clone()) {
        return Ok(p);
    }
    default_key_file()
}

pub fn default_key_file() -> Result<PathBuf> {
    directories::ProjectDirs::from("nl", "Perspectief", "perspectief")
        .map(|d| d.config_dir().join("perspectief.key"))
        .ok_or_else(|| Failure::new(CONFIG, t!("error-no-home")))
}

/// The keys of an existing database: an explicit `--key-file`, else `PERSPECTIEF_KEY`, else the
/// configured or default key file.
pub fn load_keys(cli: &Cli, config: &Config) -> Result<Keyring> {
    if cli.key_file.is_none()
        && let Some(keys) = Keyring::from_env().map_err(|e| Failure::new(CONFIG, e.to_string()))?
    {
        return Ok(keys);
    }
    let path = key_file(cli, config)?;
    if !path.exists() {
        return Err(Failure::new(CONFIG, t!("error-no-key", path = path.display())));
    }
    Keyring::load_file(&path).map_err(|e| Failure::new(CONFIG, e.to_string()))
}

/// Whether the URL names a SQLite file that does not exist yet.
pub fn database_missing(url: &str) -> bool {
    sqlite_path(url).is_some_and(|p| p.as_os_str() != ":memory:" && !p.exists())
}

/// The file of a SQLite URL.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|p| PathBuf::from(p.split('?').next().unwrap_or(p)))
}

/// Open the local database (it must exist: `perspectief init` creates it).
pub async fn open_store(cli: &Cli, config: &Config) -> Result<(Store, String)> {
    let (url, _) = database_url(cli, config)?;
    if database_missing(&url) {
        return Err(Failure::new(CONFIG, t!("error-no-database", url = url)));
    }
    let keys = load_keys(cli, config)?;
    let store = Store::open(StoreOptions::new(url.clone(), keys)).await.map_err(Failure::from)?;
    Ok((store, url))
}

/// The acting user's account on this database: who they are, their organisation and role;
/// unknown and disabled accounts are refused.
pub async fn local_actor(store: &Store, user: UserId) -> Result<Actor> {
    let account = store.local_account(user).await.map_err(|e| Failure::new(UNAVAILABLE, e.to_string()))?;
    match account {
        None => Err(Failure::new(PERMISSION, t!("error-unknown-user", user = user))),
        Some(a) if a.disabled => Err(Failure::new(PERMISSION, t!("error-user-disabled", user = user))),
        Some(a) => {
            let grant = store.grant_of(a.organisation).await.map_err(|e| Failure::new(UNAVAILABLE, e.to_string()))?;
            Ok(a.actor(grant))
        }
    }
}

/// The acting user's id as given (flag, environment, config).
pub fn acting_id(cli: &Cli, config: &Config) -> Result<Option<UserId>> {
    let Some(v) = cli.acting.clone().or_else(|| config.user.clone()) else { return Ok(None) };
    UserId::parse(&v).map(Some).map_err(|_| Failure::field("--as", t!("violation-not_an_id")))
}

/// No anonymous work: the acting user must be known.
pub fn require_acting(cli: &Cli, config: &Config) -> Result<UserId> {
    acting_id(cli, config)?.ok_or_else(|| Failure::new(PERMISSION, t!("error-no-acting-user")))
}

/// A local caller for an actor.
pub fn local_caller(actor: Actor) -> Caller {
    let purpose = Purpose::permitted_for(actor.role).first().copied().unwrap_or(Purpose::CaseWork);
    Caller { actor, on_behalf_of: None, purpose, client: "cli".to_owned() }
}

/// The server to use, if any: a named `--database` means local work.
pub fn server(cli: &Cli, config: &Config) -> Option<String> {
    if cli.database.is_some() && cli.server.is_none() {
        return None;
    }
    cli.server.clone().or_else(|| config.server.clone()).filter(|s| !s.trim().is_empty())
}

/// A remote caller: the server decides who it is from the token; the id given with `--as` is
/// used for defaults (such as the project worker of a new participant).
pub fn remote_caller(acting: Option<UserId>) -> Caller {
    Caller {
        actor: Actor {
            user: acting.unwrap_or(UserId::from_u128(0)),
            organisation: OrganisationId::from_u128(0),
            role: Role::ProjectWorker,
            grant: perspectief_core::access::Grant::NONE,
        },
        on_behalf_of: None,
        purpose: Purpose::CaseWork,
        client: "cli".to_owned(),
    }
}

/// Every item of a paged list, asking 500 at a time until the last page.
pub async fn all_pages<T, F, Fut>(mut fetch: F) -> Result<Vec<T>>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = std::result::Result<Page<T>, DomainError>>,
{
    let mut items = Vec::new();
    let mut page = PageRequest { page_size: 500, page_token: None };
    loop {
        let result = fetch(page.clone()).await?;
        items.extend(result.items);
        match result.next_page_token {
            Some(t) => page.page_token = Some(t),
            None => return Ok(items),
        }
    }
}

/// Every participant the filter lets through (all pages).
pub async fn all_participants<S: PerspectiefService>(
    svc: &S,
    ctx: &Ctx,
    filter: ParticipantFilter,
) -> Result<Vec<ParticipantSummary>> {
    all_pages(|page| svc.list_participants(&ctx.caller, filter.clone(), page)).await
}

/// A participant by id or by the start of its id (as tables show it).
pub async fn participant<S: PerspectiefService>(svc: &S, ctx: &Ctx, value: &str) -> Result<ParticipantId> {
    let v = value.trim().to_lowercase();
    if let Ok(id) = ParticipantId::parse(&v) {
        return Ok(id);
    }
    if v.len() < 4 || !v.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(Failure::field(&t!("listing-participant"), t!("violation-not-a-participant-ref", value = value)));
    }
    let found: Vec<ParticipantId> =
        all_participants(svc, ctx, ParticipantFilter { include_closed: true, ..Default::default() })
            .await?
            .iter()
            .filter(|p| matches_id(&p.id.to_string(), &v))
            .map(|p| p.id)
            .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(crate::exit::not_found(EntityKind::Participant, value)),
        _ => Err(Failure::new(VALIDATION, t!("error-ambiguous", value = value))),
    }
}

/// A child record (goal, agreement, ...) by id or the start of its id, among `ids`.
pub fn pick<T: Copy + std::fmt::Display>(entity: &str, value: &str, ids: impl IntoIterator<Item = T>) -> Result<T> {
    let v = value.trim().to_lowercase();
    let found: Vec<T> = ids.into_iter().filter(|id| matches_id(&id.to_string(), &v)).collect();
    match found.as_slice() {
        [one] if !v.is_empty() => Ok(*one),
        [_, _, ..] if !v.is_empty() => Err(Failure::new(VALIDATION, t!("error-ambiguous", value = value))),
        _ => Err(match crate::args::de::<EntityKind>(entity) {
            Ok(kind) => crate::exit::not_found(kind, value),
            Err(_) => {
                Failure::new(NOT_FOUND, t!("error-not-found", entity = crate::i18n::term("entity", entity), id = value))
            }
        }),
    }
}

/// Make the directory of a file (a database, a key, a configuration): the directories made
/// here are for their owner only, whatever the umask.
pub fn make_parent(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        private_dirs(dir).map_err(|e| Failure::io(dir, &e))?;
    }
    Ok(())
}

/// Create a directory and its missing parents, readable by the owner only.
pub fn private_dirs(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Whether `value` (lower case) is an id's start or end (as tables show it).
pub fn matches_id(id: &str, value: &str) -> bool {
    !value.is_empty() && (id.starts_with(value) || id.ends_with(value))
}
