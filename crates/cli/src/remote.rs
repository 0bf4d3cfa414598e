//! The remote mode's connection: the server's address, the TLS files (flag, environment or
//! config file), the plain-text policy with its warning, the token, and every connection
//! failure as a message in the person's language with its exit code.
//!
//! The rule for exit codes: what is decided on this machine before anything is sent (an
//! address that is not allowed, a TLS file that cannot be read or used) is a configuration
//! problem (78); what the connection or the server answered is "unavailable" (69).

use std::io::Write;
use std::path::{Path, PathBuf};

use perspectief_grpc::client::{RemoteService, StaticToken};
use perspectief_grpc::connect::{ClientTls, ConnectError, ConnectOptions, FileProblem, TlsFile, Transport};

use crate::cli::Cli;
use crate::config::Config;
use crate::exit::{CONFIG, Failure, PERMISSION, Result, UNAVAILABLE};
use crate::t;

/// The environment variable with the token for `--server`.
pub const TOKEN_VAR: &str = "PERSPECTIEF_TOKEN";

/// Where a TLS file's path was set, to name it in a message.
#[derive(Debug, Clone)]
enum Origin {
    /// The flag or its environment variable.
    Flag { flag: &'static str, env: &'static str },
    /// A key of the config file.
    Config { key: &'static str, file: String },
}

impl Origin {
    fn describe(&self) -> String {
        match self {
            Self::Flag { flag, env } => t!("tls-origin-flag", flag = flag, env = env),
            Self::Config { key, file } => t!("tls-origin-config", key = key, path = file),
        }
    }
}

/// One TLS file: its path and where that was set.
#[derive(Debug, Clone)]
struct Setting {
    path: PathBuf,
    origin: Origin,
}

/// The TLS files in use: flag (or environment) first, else the config file, whose relative
/// paths are relative to its own directory.
#[derive(Debug, Default)]
struct TlsSettings {
    ca: Option<Setting>,
    cert: Option<Setting>,
    key: Option<Setting>,
}

impl TlsSettings {
    fn new(cli: &Cli, config: &Config, config_path: Option<&Path>) -> Self {
        let file = config_path.map_or_else(|| "config.toml".to_owned(), |p| p.display().to_string());
        let base = config_path.and_then(Path::parent).filter(|d| !d.as_os_str().is_empty());
        let pick = |flag_value: &Option<PathBuf>,
                    flag: &'static str,
                    env: &'static str,
                    configured: &Option<PathBuf>,
                    key: &'static str| {
            if let Some(p) = flag_value.as_ref().filter(|p| !p.as_os_str().is_empty()) {
                return Some(Setting { path: p.clone(), origin: Origin::Flag { flag, env } });
            }
            configured.as_ref().filter(|p| !p.as_os_str().is_empty()).map(|p| Setting {
                path: match base {
                    Some(dir) if p.is_relative() => dir.join(p),
                    _ => p.clone(),
                },
                origin: Origin::Config { key, file: file.clone() },
            })
        };
        Self {
            ca: pick(&cli.ca_cert, "--ca-cert", "PERSPECTIEF_CA_CERT", &config.ca_cert, "ca_cert"),
            cert: pick(
                &cli.client_cert,
                "--client-cert",
                "PERSPECTIEF_CLIENT_CERT",
                &config.client_cert,
                "client_cert",
            ),
            key: pick(&cli.client_key, "--client-key", "PERSPECTIEF_CLIENT_KEY", &config.client_key, "client_key"),
        }
    }

    fn setting(&self, file: TlsFile) -> Option<&Setting> {
        match file {
            TlsFile::CaCertificate => self.ca.as_ref(),
            TlsFile::ClientCertificate => self.cert.as_ref(),
            TlsFile::ClientKey => self.key.as_ref(),
        }
    }

    /// The checked TLS material.
    fn load(&self) -> Result<ClientTls> {
        let mut tls = ClientTls::new();
        if let Some(ca) = &self.ca {
            tls = tls.with_ca_file(&ca.path).map_err(|e| self.failure(&e, ""))?;
        }
        match (&self.cert, &self.key) {
            (Some(cert), Some(key)) => {
                tls = tls.with_identity_files(&cert.path, &key.path).map_err(|e| self.failure(&e, ""))?;
            }
            (None, None) => {}
            (Some(given), None) | (None, Some(given)) => {
                let (missing, env) = if self.cert.is_none() {
                    ("--client-cert", "PERSPECTIEF_CLIENT_CERT")
                } else {
                    ("--client-key", "PERSPECTIEF_CLIENT_KEY")
                };
                return Err(Failure::new(
                    CONFIG,
                    t!(
                        "error-tls-incomplete-identity",
                        given = format!("{} ({})", given.path.display(), given.origin.describe()),
                        missing = missing,
                        env = env
                    ),
                ));
            }
        }
        Ok(tls)
    }

    /// A connection failure in the person's language, with its exit code.
    fn failure(&self, e: &ConnectError, authority: &str) -> Failure {
        use ConnectError as E;
        let shown = |s: Option<&Setting>| s.map_or_else(|| "?".to_owned(), |s| s.path.display().to_string());
        let origin = |s: Option<&Setting>| s.map_or_else(String::new, |s| s.origin.describe());
        match e {
            E::InvalidUrl { url, .. } => Failure::new(CONFIG, t!("error-server-url", url = url)),
            E::PlainTextRemote { host } => Failure::new(CONFIG, t!("error-server-plain-text", host = host)),
            E::TlsFilesWithoutTls { url } => Failure::new(CONFIG, t!("error-server-tls-files-for-http", url = url)),
            E::File { file, path, problem } => {
                let setting = self.setting(*file);
                let path = path.as_ref().map_or_else(|| shown(setting), |p| p.display().to_string());
                let what = t!(match file {
                    TlsFile::CaCertificate => "tls-file-ca",
                    TlsFile::ClientCertificate => "tls-file-client-cert",
                    TlsFile::ClientKey => "tls-file-client-key",
                });
                let setting = origin(setting);
                let message = match problem {
                    FileProblem::Unreadable(reason) => {
                        t!("error-tls-file-unreadable", file = what, path = path, setting = setting, reason = reason)
                    }
                    FileProblem::NoCertificate => {
                        t!("error-tls-file-no-certificate", file = what, path = path, setting = setting)
                    }
                    FileProblem::NoPrivateKey => {
                        t!("error-tls-file-no-key", file = what, path = path, setting = setting)
                    }
                    FileProblem::Invalid(reason) => {
                        t!("error-tls-file-invalid", file = what, path = path, setting = setting, reason = reason)
                    }
                };
                Failure::new(CONFIG, message)
            }
            E::KeyMismatch => Failure::new(
                CONFIG,
                t!("error-tls-key-mismatch", key = shown(self.key.as_ref()), cert = shown(self.cert.as_ref())),
            ),
            E::NoSystemRoots { detail } => Failure::new(CONFIG, t!("error-tls-no-system-roots", reason = detail)),
            E::Refused { authority } => Failure::new(UNAVAILABLE, t!("error-server-refused", address = authority)),
            E::TimedOut { authority, seconds } => {
                Failure::new(UNAVAILABLE, t!("error-server-timeout", address = authority, seconds = seconds))
            }
            E::Unreachable { authority, detail } => {
                Failure::new(UNAVAILABLE, t!("error-server-unreachable", address = authority, reason = detail))
            }
            E::UntrustedCertificate { by_ca_file: true } => Failure::new(
                UNAVAILABLE,
                t!(
                    "error-tls-untrusted-ca",
                    address = authority,
                    ca = shown(self.ca.as_ref()),
                    setting = origin(self.ca.as_ref())
                ),
            ),
            E::UntrustedCertificate { by_ca_file: false } => {
                Failure::new(UNAVAILABLE, t!("error-tls-untrusted-system", address = authority))
            }
            E::NameMismatch { host, presented } if presented.is_empty() => {
                Failure::new(UNAVAILABLE, t!("error-tls-name-mismatch-unknown", host = host))
            }
            E::NameMismatch { host, presented } => {
                Failure::new(UNAVAILABLE, t!("error-tls-name-mismatch", host = host, names = presented.join(", ")))
            }
            E::CertificateOutOfDate { expired: true } => {
                Failure::new(UNAVAILABLE, t!("error-tls-expired", address = authority))
            }
            E::CertificateOutOfDate { expired: false } => {
                Failure::new(UNAVAILABLE, t!("error-tls-not-yet-valid", address = authority))
            }
            E::CertificateRejected { detail } => {
                Failure::new(UNAVAILABLE, t!("error-tls-certificate-rejected", address = authority, reason = detail))
            }
            E::ClientCertificateRequired => {
                Failure::new(UNAVAILABLE, t!("error-tls-client-certificate-required", address = authority))
            }
            E::ClientCertificateRejected { alert } => Failure::new(
                UNAVAILABLE,
                t!(
                    "error-tls-client-certificate-rejected",
                    address = authority,
                    cert = shown(self.cert.as_ref()),
                    alert = alert
                ),
            ),
            E::HandshakeRefused { alert } => {
                Failure::new(UNAVAILABLE, t!("error-tls-handshake-refused", address = authority, alert = alert))
            }
            E::NotTls { authority } => Failure::new(UNAVAILABLE, t!("error-server-not-tls", address = authority)),
            E::ServerSpeaksTls { authority } => {
                Failure::new(UNAVAILABLE, t!("error-server-speaks-tls", address = authority))
            }
            E::Other { authority, detail } => {
                Failure::new(UNAVAILABLE, t!("error-server-other", address = authority, reason = detail))
            }
        }
    }
}

/// The connection options from the global flags, their environment variables and the config
/// file; the TLS files are read and checked here.
fn options(cli: &Cli, config: &Config, config_path: Option<&Path>) -> Result<(ConnectOptions, TlsSettings)> {
    let settings = TlsSettings::new(cli, config, config_path);
    let tls = settings.load()?;
    Ok((ConnectOptions::new().tls(tls).allow_insecure(cli.insecure), settings))
}

/// Connect to `server`: the address and the TLS files are checked first (nothing is sent to
/// an address that is not allowed), plain text over a network is announced on stderr, then the
/// connection is made and proven (see `perspectief_grpc::connect`).
pub async fn connect(
    cli: &Cli,
    server: &str,
    config: &Config,
    config_path: Option<&Path>,
) -> Result<RemoteService<StaticToken>> {
    let (options, settings) = options(cli, config, config_path)?;
    let target = options.target(server).map_err(|e| settings.failure(&e, server))?;
    let token = std::env::var(TOKEN_VAR)
        .ok()
        .filter(|t| !t.trim().is_empty())
        .or_else(|| config.token.clone())
        .ok_or_else(|| Failure::new(PERMISSION, t!("error-no-token")))?;
    if target.transport() == Transport::PlainInsecure {
        let _ = writeln!(std::io::stderr(), "perspectief: {}", t!("warning-insecure", host = target.host()));
    }
    RemoteService::connect_to(&target, StaticToken::new(token.trim()))
        .await
        .map_err(|e| settings.failure(&e, target.authority()))
}
