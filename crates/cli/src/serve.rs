//! `perspectief serve`: run the gRPC server on the database (the embedded SQLite file by
//! default) until SIGTERM or Ctrl-C, then stop gracefully.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use perspectief_grpc::api::StreamSettings;
use perspectief_grpc::server::{ServerConfig, TlsConfig, serve, shutdown_signal};
use perspectief_store::{Keyring, Store, StoreOptions, default_database_path, resolve_database_url};

use crate::exit::{CONFIG as EXIT_CONFIG, Failure, UNAVAILABLE as EXIT_UNAVAILABLE, USAGE as EXIT_USAGE};
use crate::t;
use clap::ValueEnum;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Luisteradres
    #[arg(long, default_value = "127.0.0.1:50051", value_name = "ADRES")]
    pub listen: SocketAddr,
    /// TLS-certificaat (PEM)
    #[arg(long, value_name = "PAD", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS-sleutel (PEM)
    #[arg(long, value_name = "PAD", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// CA voor clientcertificaten (wederzijdse TLS)
    #[arg(long, value_name = "PAD", requires = "tls_cert")]
    pub tls_client_ca: Option<PathBuf>,
    /// Geen reflectie aanbieden
    #[arg(long)]
    pub no_reflection: bool,
    /// Maak een genoemde database aan als die nog niet bestaat
    #[arg(long)]
    pub create: bool,
    /// Hoeveel verzoeken tegelijk (over alle verbindingen); meer krijgen RESOURCE_EXHAUSTED
    #[arg(long, default_value_t = 256, value_name = "AANTAL", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_in_flight: u32,
    /// De langste duur van een verzoek in seconden; een kortere deadline van de client telt
    #[arg(long, default_value_t = 30, value_name = "SECONDEN", value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout: u64,
    /// Vorm van het log op stderr: text (leesbare regels) of json (één object per regel)
    #[arg(long, value_enum, default_value = "text", value_name = "VORM")]
    pub log_format: LogFormat,
    /// Logniveau (error, warn, info, debug, trace, of filters als RUST_LOG); anders RUST_LOG, anders info
    #[arg(long, value_name = "NIVEAU")]
    pub log_level: Option<String>,
    /// Metrics (Prometheus-tekstformaat) op http://ADRES/metrics; standaard uit
    #[arg(long, value_name = "ADRES")]
    pub metrics_listen: Option<SocketAddr>,
    /// Sta metrics toe op een adres buiten deze machine (een monitoringnetwerk)
    #[arg(long, requires = "metrics_listen")]
    pub metrics_public: bool,
    /// Hoeveel gebeurtenisstromen (WatchEvents) één account tegelijk open mag hebben
    #[arg(long, default_value_t = 8, value_name = "AANTAL", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_streams_per_caller: u32,
    /// Hoeveel gebeurtenisstromen er in totaal tegelijk open mogen zijn
    #[arg(long, default_value_t = 512, value_name = "AANTAL", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_streams: u32,
    /// Seconden dat de server na het stopsignaal NOT_SERVING meldt en nog verbindingen aanneemt
    #[arg(long, default_value_t = 5, value_name = "SECONDEN")]
    pub drain_seconds: u64,
    /// Onderteken een controlepunt van het toegangslog na zoveel nieuwe regels
    #[arg(long, default_value_t = 1000, value_name = "AANTAL", value_parser = clap::value_parser!(u64).range(1..))]
    pub checkpoint_every_records: u64,
    /// Onderteken een controlepunt van het toegangslog na zoveel minuten (als er regels bij kwamen)
    #[arg(long, default_value_t = 60, value_name = "MINUTEN", value_parser = clap::value_parser!(u64).range(1..))]
    pub checkpoint_every_minutes: u64,
    /// Schrijf elk controlepunt ook als regel in dit bestand, buiten de database (maak het alleen-toevoegen)
    #[arg(long, value_name = "PAD")]
    pub checkpoint_file: Option<PathBuf>,
    /// Kleinste cel van de subsidierapportage die buiten de stichting getoond wordt (kleinere worden weggelaten)
    #[arg(long, default_value_t = 5, value_name = "AANTAL", value_parser = clap::value_parser!(u32).range(1..))]
    pub min_cell: u32,
    /// Hoeveel geweigerde aanmeldingen één adres per minuut mag hebben; daarna wacht het adres
    #[arg(long, default_value_t = 20, value_name = "AANTAL", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_refused_auth: u32,
}

/// The log's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    // The values are explained in `--log-format`'s help (which `--lang en` translates).
    Text,
    Json,
}

fn fail(code: u8, message: impl Into<String>) -> Failure {
    Failure::new(code, message)
}

/// What `serve` runs with: its own flags plus the global database and key options.
#[derive(Debug)]
pub struct Args {
    pub listen: SocketAddr,
    pub database: Option<String>,
    pub explicit_database: bool,
    pub key_file: Option<PathBuf>,
    pub reflection: bool,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub tls_client_ca: Option<PathBuf>,
    pub insecure: bool,
    pub create: bool,
    pub max_in_flight: usize,
    pub request_timeout: std::time::Duration,
    pub log_format: LogFormat,
    pub log_level: Option<String>,
    pub metrics_listen: Option<SocketAddr>,
    pub metrics_public: bool,
    pub max_streams_per_caller: usize,
    pub max_streams: usize,
    pub drain: std::time::Duration,
    pub checkpoints: perspectief_store::CheckpointPolicy,
    pub min_cell: u32,
    pub max_refused_auth: u32,
}

impl Args {
    /// `insecure` is the global `--insecure` (the same flag allows plain `--server http://`
    /// to another machine in the remote mode).
    pub fn new(
        a: ServeArgs,
        database: Option<String>,
        explicit_database: bool,
        key_file: Option<PathBuf>,
        insecure: bool,
    ) -> Self {
        Self {
            listen: a.listen,
            database,
            explicit_database,
            key_file,
            reflection: !a.no_reflection,
            tls_cert: a.tls_cert,
            tls_key: a.tls_key,
            tls_client_ca: a.tls_client_ca,
            insecure,
            create: a.create,
            max_in_flight: a.max_in_flight as usize,
            request_timeout: std::time::Duration::from_secs(a.request_timeout),
            log_format: a.log_format,
            log_level: a.log_level,
            metrics_listen: a.metrics_listen,
            metrics_public: a.metrics_public,
            max_streams_per_caller: a.max_streams_per_caller as usize,
            max_streams: a.max_streams as usize,
            drain: std::time::Duration::from_secs(a.drain_seconds),
            checkpoints: perspectief_store::CheckpointPolicy {
                every_records: a.checkpoint_every_records,
                every: std::time::Duration::from_secs(a.checkpoint_every_minutes.saturating_mul(60)),
                file: a.checkpoint_file,
            },
            min_cell: a.min_cell,
            max_refused_auth: a.max_refused_auth,
        }
    }
}

fn check(a: &Args) -> Result<(), Failure> {
    // Tokens must not cross a network in clear text.
    if a.tls_cert.is_none() && !a.listen.ip().is_loopback() && !a.insecure {
        return Err(fail(EXIT_USAGE, t!("serve-insecure-refused", address = a.listen)));
    }
    Ok(())
}

/// The database as the log and the terminal may show it: a SQLite path, or PostgreSQL's host
/// and database without user or password.
fn shown_database(url: &str) -> String {
    match url.strip_prefix("postgres://").or_else(|| url.strip_prefix("postgresql://")) {
        Some(rest) => {
            let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
            let host = host.split('?').next().unwrap_or(host);
            format!("PostgreSQL {host}")
        }
        None => url.to_owned(),
    }
}

fn default_key_file() -> Result<PathBuf, Failure> {
    directories::ProjectDirs::from("nl", "Perspectief", "perspectief")
        .map(|d| d.config_dir().join("perspectief.key"))
        .ok_or_else(|| fail(EXIT_CONFIG, t!("error-no-home-key")))
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
        crate::context::private_dirs(dir).map_err(|e| fail(EXIT_CONFIG, format!("{}: {e}", dir.display())))?;
    }
    let keys = Keyring::create_file(&path).map_err(|e| fail(EXIT_CONFIG, e.to_string()))?;
    let _ = writeln!(out, "perspectief: {}", t!("serve-key-created", path = path.display()));
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
pub fn run(args: Args) -> Result<(), Failure> {
    check(&args)?;
    let format = match args.log_format {
        LogFormat::Text => crate::logging::Format::Text,
        LogFormat::Json => crate::logging::Format::Json,
    };
    crate::logging::init(format, args.log_level.as_deref()).map_err(|e| fail(EXIT_USAGE, e))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(EXIT_UNAVAILABLE, e.to_string()))?;
    runtime.block_on(async move {
        let mut out = std::io::stdout();
        let explicit = args.explicit_database;
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
        let mut options = StoreOptions::new(url.clone(), keys);
        options.checkpoints = Some(args.checkpoints.clone());
        options.min_cell = args.min_cell;
        let store = Store::open(options).await.map_err(|e| fail(EXIT_UNAVAILABLE, e.to_string()))?;
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
        let mutual = tls.as_ref().is_some_and(|t| t.client_ca_pem.is_some());
        let metrics = Arc::new(perspectief_grpc::metrics::ServerMetrics::default());
        let config = ServerConfig {
            reflection: args.reflection,
            tls,
            max_in_flight: args.max_in_flight,
            request_timeout: args.request_timeout,
            drain: args.drain,
            streams: StreamSettings {
                per_caller: args.max_streams_per_caller,
                total: args.max_streams,
                signal: Some(store.feed_signal()),
            },
            metrics: metrics.clone(),
            refusal_limit: perspectief_grpc::auth::RefusalLimit {
                max_refusals: args.max_refused_auth,
                window: std::time::Duration::from_secs(60),
            },
            ..ServerConfig::default()
        };
        let incoming = perspectief_grpc::server::bind(args.listen)
            .map_err(|e| fail(EXIT_UNAVAILABLE, format!("{}: {e}", args.listen)))?;
        let addr = incoming.local_addr().map_err(|e| fail(EXIT_UNAVAILABLE, e.to_string()))?;
        let shown = shown_database(&url);
        // The configuration, without secrets (no key, no token, no password).
        tracing::info!(
            listen = %addr,
            tls = secure,
            mutual_tls = mutual,
            reflection = args.reflection,
            database = %shown,
            max_in_flight = args.max_in_flight,
            request_timeout_seconds = args.request_timeout.as_secs(),
            max_streams_per_caller = args.max_streams_per_caller,
            max_streams = args.max_streams,
            drain_seconds = args.drain.as_secs(),
            metrics = %args.metrics_listen.map_or_else(|| "off".to_owned(), |a| a.to_string()),
            version = env!("CARGO_PKG_VERSION"),
            "server starting"
        );
        let stop = tokio::sync::watch::channel(false);
        if let Some(address) = args.metrics_listen {
            let listener = perspectief_grpc::metrics::bind_metrics(address, args.metrics_public)
                .await
                .map_err(|e| fail(EXIT_USAGE, t!("serve-metrics-refused", reason = e)))?;
            let shown_at = listener.local_addr().map_or_else(|_| address.to_string(), |a| a.to_string());
            let mut registry = prometheus_client::registry::Registry::default();
            metrics.register(&mut registry);
            store.register_metrics(&mut registry);
            let refreshed = store.clone();
            let refresh: perspectief_grpc::metrics::Refresh = Arc::new(move || {
                let store = refreshed.clone();
                Box::pin(async move { store.refresh_metrics().await })
            });
            let mut stopped = stop.1.clone();
            tokio::spawn(async move {
                let done = async move {
                    let _ = stopped.wait_for(|s| *s).await;
                };
                if let Err(e) =
                    perspectief_grpc::metrics::serve_metrics(listener, Arc::new(registry), Some(refresh), done).await
                {
                    tracing::error!(error = %e, "the metrics listener stopped");
                }
            });
            let _ = writeln!(out, "perspectief: {}", t!("serve-metrics", address = shown_at));
        }
        let _ = writeln!(out, "perspectief: {}", t!("serve-database", database = shown));
        let how = if secure {
            t!("serve-tls")
        } else if addr.ip().is_loopback() {
            t!("serve-plain-loopback")
        } else {
            t!("serve-plain-insecure")
        };
        let _ = writeln!(out, "perspectief: {}", t!("serve-listening", address = addr, how = how));
        let _ = out.flush();
        let served = serve(Arc::new(store), config, incoming, shutdown_signal()).await;
        let _ = stop.0.send(true);
        served.map_err(|e| {
            tracing::error!(error = %e, "the server stopped with an error");
            match e {
                perspectief_grpc::server::ServeError::Config(m) => fail(EXIT_CONFIG, m),
                other => fail(EXIT_UNAVAILABLE, other.to_string()),
            }
        })?;
        tracing::info!("server stopped");
        let _ = writeln!(out, "perspectief: {}", t!("serve-stopped"));
        Ok(())
    })
}

/// Where the embedded database lives by default (for the help text).
pub fn default_database() -> String {
    default_database_path().map_or_else(|_| "?".to_owned(), |p| p.display().to_string())
}
