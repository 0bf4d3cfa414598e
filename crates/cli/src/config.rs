//! The config file (TOML): defaults for the database, the key file, the server and its TLS
//! files, the acting user, the language and the organisations staff refer to by name. It lives in the platform's config
//! directory (on Linux `~/.config/perspectief/config.toml`), or where `--config` /
//! `PERSPECTIEF_CONFIG` says.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::exit::{CONFIG, Failure, Result};
use crate::t;

/// The environment variable that names the config file.
pub const CONFIG_VAR: &str = "PERSPECTIEF_CONFIG";

/// The config file's contents. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Database URL (`sqlite:///pad/perspectief.db` or `postgres://…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// The encryption key file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_file: Option<PathBuf>,
    /// A server to work through (remote mode), e.g. `https://perspectief.example:50051`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// The CA certificate (PEM) the server's certificate must chain to, instead of the system's
    /// roots. A relative path is relative to this file's directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<PathBuf>,
    /// The client certificate (PEM) for mutual TLS, with `client_key`. Relative to this file's
    /// directory when relative.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<PathBuf>,
    /// The private key (PEM) of `client_cert`. Relative to this file's directory when relative.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_key: Option<PathBuf>,
    /// The token for the server (prefer `PERSPECTIEF_TOKEN`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The acting staff user's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `nl` or `en`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Organisations by short name (`IOM = "0192…"`), usable wherever an organisation is asked.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub organisations: BTreeMap<String, String>,
}

/// The default config path.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("nl", "Perspectief", "perspectief").map(|d| d.config_dir().join("config.toml"))
}

/// The path in use: explicit, else `PERSPECTIEF_CONFIG`, else the default.
pub fn path(explicit: Option<&Path>) -> Option<PathBuf> {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os(CONFIG_VAR).filter(|v| !v.is_empty()).map(PathBuf::from))
        .or_else(default_path)
}

/// Read the config; a missing file is an empty config.
pub fn load(path: Option<&Path>) -> Result<Config> {
    let Some(path) = path else { return Ok(Config::default()) };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => return Err(Failure::new(CONFIG, t!("error-config-read", path = path.display(), reason = e))),
    };
    toml::from_str(&text)
        .map_err(|e| Failure::new(CONFIG, t!("error-config-read", path = path.display(), reason = e.message())))
}

/// Write the config, readable only by its owner (it may hold a token).
pub fn save(path: &Path, config: &Config) -> Result<()> {
    let text = toml::to_string(config).map_err(|e| Failure::new(CONFIG, e.to_string()))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Failure::io(dir, &e))?;
    }
    write_private(path, text.as_bytes()).map_err(|e| Failure::io(path, &e))
}

/// Write a file that only its owner may read.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)?;
    file.sync_all()
}
