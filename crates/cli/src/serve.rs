//! `perspectief serve`: run the gRPC server on the database (the embedded SQLite file by
//! default) until SIGTERM or Ctrl-C, then stop gracefully.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use perspectief_grpc::server::{ServerConfig, TlsConfig, serve, shutdown_signal};
use perspectief_store::{Keyring, Store, StoreOptions, default_database_path, resolve_database_url};
use tonic::transport::server::TcpIncoming;

/// Exit codes (BSD sysexits): a usage error, a configuration problem, a service unavailable.
pub const EXIT_USAGE: u8 = 64;
pub const EXIT_CONFIG: u8 = 78;
pub const EXIT_UNAVAILABLE: u8 = 69;

/// A failure with the exit code it maps to and a message for a person.
pub struct Failure {
    pub code: u8,
    pub message: String,
}

fn fail(code: u8, message: impl Into<String>) -> Failure {
    Failure { code, message: message.into() }
}

#[derive(Debug)]
struct Args {
    listen: SocketAddr,
    database: Option<String>,
    key_file: Option<PathBuf>,
    reflection: bool,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    tls_client_ca: Option<PathBuf>,
    insecure: bool,
    create: bool,
}

fn parse(args: &[&str]) -> Result<Args, Failure> {
    let mut a = Args {
        listen: SocketAddr::from(([127, 0, 0, 1], 50051)),
        database: None,
        key_file: None,
        reflection: true,
        tls_cert: None,
        tls_key: None,
        tls_client_ca: None,
        insecure: false,
        create: false,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().copied().ok_or_else(|| fail(EXIT_USAGE, format!("{flag} verwacht een waarde")));
        match *flag {
            "--listen" => {
                let v = value()?;
                a.listen = v.parse().map_err(|_| {
                    fail(EXIT_USAGE, format!("--listen: '{v}' is geen adres (bijvoorbeeld 127.0.0.1:50051)"))
                })?;
            }
            "--database" => a.database = Some(value()?.to_owned()),
            "--key-file" => a.key_file = Some(PathBuf::from(value()?)),
            "--tls-cert" => a.tls_cert = Some(PathBuf::from(value()?)),
            "--tls-key" => a.tls_key = Some(PathBuf::from(value()?)),
            "--tls-client-ca" => a.tls_client_ca = Some(PathBuf::from(value()?)),
            "--no-reflection" => a.reflection = false,
            "--insecure" => a.insecure = true,
            "--create" => a.create = true,
            other => return Err(fail(EXIT_USAGE, format!("serve: onbekende optie '{other}'"))),
        }
    }
    if a.tls_cert.is_some() != a.tls_key.is_some() {
        return Err(fail(EXIT_USAGE, "--tls-cert en --tls-key horen bij elkaar: geef ze allebei"));
    }
    if a.tls_client_ca.is_some() && a.tls_cert.is_none() {
        return Err(fail(EXIT_USAGE, "--tls-client-ca (wederzijdse TLS) vraagt ook --tls-cert en --tls-key"));
    }
    // Tokens must not cross a network in clear text.
    if a.tls_cert.is_none() && !a.listen.ip().is_loopback() && !a.insecure {
        return Err(fail(
            EXIT_USAGE,
            format!(
                "{} is bereikbaar vanaf andere machines: geef --tls-cert en --tls-key (of bewust --insecure)",
                a.listen
            ),
        ));
    }
    Ok(a)
}

fn default_key_file() -> Result<PathBuf, Failure> {
    directories::ProjectDirs::from("nl", "Perspectief", "perspectief")
        .map(|d| d.config_dir().join("perspectief.key"))
        .ok_or_else(|| fail(EXIT_CONFIG, "geen thuismap gevonden voor het sleutelbestand; geef --key-file"))
}

/// The keys: `PERSPECTIEF_KEY`, else the key file. On the very first run (no database and no
/// key file yet) the key file is created, readable only by its owner.
fn keys(args: &Args, url: &str, out: &mut impl Write) -> Result<Keyring, Failure> {
    if let Some(keys) = Keyring::from_env().map_err(|e| fail(EXIT_CONFIG, e.to_string()))? {
        return Ok(keys);
    }
    let path = match &args.key_file {
        Some(p) => p.clone(),
        None => default_key_file()?,
    };
    if path.exists() {
        return Keyring::load_file(&path).map_err(|e| fail(EXIT_CONFIG, e.to_string()));
    }
    if !database_missing(url) {
        return Err(fail(
            EXIT_CONFIG,
            format!("geen sleutel: het sleutelbestand {} ontbreekt en PERSPECTIEF_KEY is niet gezet", path.display()),
        ));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| fail(EXIT_CONFIG, format!("{}: {e}", dir.display())))?;
    }
    let keys = Keyring::create_file(&path).map_err(|e| fail(EXIT_CONFIG, e.to_string()))?;
    let _ = writeln!(
        out,
        "perspectief: nieuwe sleutel aangemaakt in {} (bewaar een kopie apart van de database)",
        path.display()
    );
    Ok(keys)
}

fn read(path: &Option<PathBuf>) -> Result<Option<Vec<u8>>, Failure> {
    path.as_ref().map(|p| std::fs::read(p).map_err(|e| fail(EXIT_CONFIG, format!("{}: {e}", p.display())))).transpose()
}

/// Whether the URL names a SQLite file that does not exist yet.
fn database_missing(url: &str) -> bool {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|p| p.split('?').next().unwrap_or(p))
        .is_some_and(|p| p != ":memory:" && !PathBuf::from(p).exists())
}

/// Run `perspectief serve`.
pub fn run(args: &[&str]) -> Result<(), Failure> {
    let args = parse(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(EXIT_UNAVAILABLE, e.to_string()))?;
    runtime.block_on(async move {
        let mut out = std::io::stdout();
        let explicit = args.database.is_some()
            || std::env::var(perspectief_store::DATABASE_URL_VAR).is_ok_and(|v| !v.trim().is_empty());
        let url = resolve_database_url(args.database.as_deref()).map_err(|e| fail(EXIT_CONFIG, e.to_string()))?;
        // Only the embedded default is created silently on a first start; a named database that
        // does not exist is more likely a typo than a wish for an empty one.
        if explicit && database_missing(&url) && !args.create {
            return Err(fail(
                EXIT_CONFIG,
                format!("de database {url} bestaat niet; controleer het pad, of geef --create om een nieuwe te maken"),
            ));
        }
        let keys = keys(&args, &url, &mut out)?;
        let store = Store::open(StoreOptions::new(url.clone(), keys))
            .await
            .map_err(|e| fail(EXIT_UNAVAILABLE, e.to_string()))?;
        let tls = match (read(&args.tls_cert)?, read(&args.tls_key)?) {
            (Some(cert_pem), Some(key_pem)) => {
                Some(TlsConfig { cert_pem, key_pem, client_ca_pem: read(&args.tls_client_ca)? })
            }
            _ => None,
        };
        if let Some(tls) = &tls {
            perspectief_grpc::server::check_tls(tls).map_err(|e| fail(EXIT_CONFIG, e.to_string()))?;
        }
        let secure = tls.is_some();
        let config = ServerConfig { reflection: args.reflection, tls, ..ServerConfig::default() };
        let incoming =
            TcpIncoming::bind(args.listen).map_err(|e| fail(EXIT_UNAVAILABLE, format!("{}: {e}", args.listen)))?;
        let addr = incoming.local_addr().map_err(|e| fail(EXIT_UNAVAILABLE, e.to_string()))?;
        let shown = if url.starts_with("postgres") { "PostgreSQL".to_owned() } else { url.clone() };
        let _ = writeln!(out, "perspectief: database {shown}");
        let _ = writeln!(
            out,
            "perspectief: luistert op {addr} ({})",
            if secure { "TLS" } else { "zonder TLS: alleen voor deze machine" }
        );
        let _ = out.flush();
        serve(Arc::new(store), config, incoming, shutdown_signal()).await.map_err(|e| match e {
            perspectief_grpc::server::ServeError::Config(m) => fail(EXIT_CONFIG, m),
            other => fail(EXIT_UNAVAILABLE, other.to_string()),
        })?;
        let _ = writeln!(out, "perspectief: gestopt");
        Ok(())
    })
}

/// Where the embedded database lives by default (for the help text).
pub fn default_database() -> String {
    default_database_path().map_or_else(|_| "(onbekend)".to_owned(), |p| p.display().to_string())
}
