//! Reaching a server: the address policy, the client's TLS material, and failures that name
//! their cause.
//!
//! A connection is made in two steps, so that a caller can act between them:
//!
//! 1. [`ConnectOptions::target`] checks everything that needs no network: the address
//!    (`https://host:port`, or `http://` only to this machine unless plain text is allowed
//!    explicitly), the TLS files (read, parsed, the client key matched against its
//!    certificate) and the system's roots. Nothing is sent anywhere before this succeeds.
//! 2. [`Target::connect`] connects and asks the server's health service once (open without a
//!    token, so no secret is sent), so that a server that refuses this client (mutual TLS
//!    without an accepted certificate) says so now, not in the middle of the first command.
//!
//! Every failure is a [`ConnectError`] that says what went wrong (the certificate is not
//! trusted, it is for another name, the server wants a client certificate, nothing listens)
//! rather than tonic's "transport error": the causes are read from the error's `source()`
//! chain, where rustls' own error says what the handshake found.
//!
//! Trust: with a CA certificate ([`ClientTls::with_ca_file`]) the server's certificate must
//! chain to that CA alone; without one, to a root in the operating system's store
//! (`SSL_CERT_FILE` and `SSL_CERT_DIR` replace that store, as for OpenSSL). Plain text
//! ([`ConnectOptions::allow_insecure`]) never turns certificate checks off: it only allows
//! `http://` to a host that is not this machine.

use std::error::Error as StdError;
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};

/// How long the TCP connection, the TLS handshake and the first health check may each take.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Which of the client's TLS files a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsFile {
    /// The CA certificate(s) the server's certificate must chain to.
    CaCertificate,
    /// The client's certificate chain (mutual TLS).
    ClientCertificate,
    /// The client's private key (mutual TLS).
    ClientKey,
}

impl fmt::Display for TlsFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CaCertificate => "CA certificate",
            Self::ClientCertificate => "client certificate",
            Self::ClientKey => "client key",
        })
    }
}

/// What is wrong with a TLS file.
#[derive(Debug, thiserror::Error)]
pub enum FileProblem {
    /// The file cannot be read (missing, no permission, ...).
    #[error("cannot be read: {0}")]
    Unreadable(#[source] std::io::Error),
    /// No `-----BEGIN CERTIFICATE-----` block in it.
    #[error("holds no PEM certificate")]
    NoCertificate,
    /// No PEM private key (PKCS#8, PKCS#1 or SEC1) in it.
    #[error("holds no PEM private key")]
    NoPrivateKey,
    /// There is PEM, but it is not a usable certificate or key.
    #[error("is not valid: {0}")]
    Invalid(String),
}

/// Why a connection was not made.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// Not an address like `https://host:port`.
    #[error("not a server address like https://host:port: {url} ({reason})")]
    InvalidUrl {
        /// The address as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `http://` to a host that is not this machine, without [`ConnectOptions::allow_insecure`]:
    /// the token and the case data would cross the network unencrypted.
    #[error(
        "refusing plain http:// to {host}, which is not this machine: the token and case data would cross the network unencrypted; use https://"
    )]
    PlainTextRemote {
        /// The host of the address.
        host: String,
    },
    /// TLS files were given for a plain `http://` address, where they would go unused.
    #[error("a CA or client certificate is set, but the address {url} is plain http://; use https://")]
    TlsFilesWithoutTls {
        /// The address as given.
        url: String,
    },
    /// A TLS file cannot be read or used.
    #[error("the {file}{} {problem}", path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    File {
        /// Which file.
        file: TlsFile,
        /// Where it is (none for material given in memory).
        path: Option<PathBuf>,
        /// What is wrong.
        problem: FileProblem,
    },
    /// The client key is not the key of the client certificate.
    #[error("the client key does not belong to the client certificate")]
    KeyMismatch,
    /// No CA certificate was given and the system's store holds no root certificates.
    #[error("no trusted root certificates found on this system ({detail}); give a CA certificate")]
    NoSystemRoots {
        /// What was found instead.
        detail: String,
    },
    /// Nothing listens at the address.
    #[error("connection refused by {authority}: is the server running, and is the port right?")]
    Refused {
        /// `host:port`.
        authority: String,
    },
    /// No answer in time.
    #[error("no answer from {authority} within {seconds} s")]
    TimedOut {
        /// `host:port`.
        authority: String,
        /// The time waited.
        seconds: u64,
    },
    /// No route to the host or its network.
    #[error("{authority} cannot be reached: {detail}")]
    Unreachable {
        /// `host:port`.
        authority: String,
        /// The system's words.
        detail: String,
    },
    /// The server's certificate does not chain to a trusted root.
    #[error(
        "the server's certificate is not trusted: it is not signed by {}",
        if *by_ca_file { "the given CA certificate" } else { "a CA this system trusts" }
    )]
    UntrustedCertificate {
        /// Whether trust came from a CA file (else the system's roots).
        by_ca_file: bool,
    },
    /// The server's certificate is for another name.
    #[error(
        "the server's certificate is not for {host}{}",
        if presented.is_empty() { String::new() } else { format!(" but for {}", presented.join(", ")) }
    )]
    NameMismatch {
        /// The host of the address.
        host: String,
        /// The names the certificate holds, when known.
        presented: Vec<String>,
    },
    /// The server's certificate has expired, or is not valid yet.
    #[error("the server's certificate is {}", if *expired { "expired" } else { "not valid yet" })]
    CertificateOutOfDate {
        /// Expired (else not valid yet).
        expired: bool,
    },
    /// The server's certificate is refused for another reason.
    #[error("the server's certificate is refused: {detail}")]
    CertificateRejected {
        /// What rustls found.
        detail: String,
    },
    /// The server wants a client certificate and none was given (mutual TLS).
    #[error("the server requires a client certificate (mutual TLS) and none was given")]
    ClientCertificateRequired,
    /// The server refused the client certificate that was given.
    #[error("the server refused the client certificate ({alert})")]
    ClientCertificateRejected {
        /// The TLS alert the server sent.
        alert: String,
    },
    /// The server ended the TLS handshake with an alert.
    #[error("the server refused the TLS connection ({alert})")]
    HandshakeRefused {
        /// The TLS alert the server sent.
        alert: String,
    },
    /// The other side does not speak TLS (a plain-text server at an `https://` address).
    #[error("{authority} does not speak TLS: is the server started without a certificate (then it is http://)?")]
    NotTls {
        /// `host:port`.
        authority: String,
    },
    /// A TLS server at an `http://` address.
    #[error("{authority} speaks TLS: use https://")]
    ServerSpeaksTls {
        /// `host:port`.
        authority: String,
    },
    /// Another failure; the chain of causes as text.
    #[error("cannot connect to {authority}: {detail}")]
    Other {
        /// `host:port`.
        authority: String,
        /// The causes.
        detail: String,
    },
}

impl From<ConnectError> for perspectief_core::DomainError {
    fn from(e: ConnectError) -> Self {
        match e {
            ConnectError::InvalidUrl { .. } => {
                Self::field("server", perspectief_core::ViolationCode::NotAUrl, e.to_string())
            }
            other => Self::Unavailable { reason: other.to_string() },
        }
    }
}

fn file_error(file: TlsFile, path: Option<&Path>, problem: FileProblem) -> ConnectError {
    ConnectError::File { file, path: path.map(Path::to_path_buf), problem }
}

fn read(file: TlsFile, path: &Path) -> Result<Vec<u8>, ConnectError> {
    std::fs::read(path).map_err(|e| file_error(file, Some(path), FileProblem::Unreadable(e)))
}

/// The certificates in a PEM text, at least one.
fn certificates(file: TlsFile, path: Option<&Path>, pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, ConnectError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, pem::Error>>()
        .map_err(|e| file_error(file, path, FileProblem::Invalid(e.to_string())))?;
    if certs.is_empty() {
        return Err(file_error(file, path, FileProblem::NoCertificate));
    }
    Ok(certs)
}

fn crypto() -> std::sync::Arc<rustls::crypto::CryptoProvider> {
    rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| std::sync::Arc::new(rustls::crypto::ring::default_provider()))
}

/// The client's TLS material, checked when it is given: PEM that parses, CA certificates that
/// are valid trust anchors, a private key this client can sign with and that belongs to the
/// client certificate. The key's bytes are never printed.
#[derive(Clone, Default)]
pub struct ClientTls {
    ca_pem: Option<Vec<u8>>,
    identity: Option<(Vec<u8>, Vec<u8>)>,
}

impl fmt::Debug for ClientTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientTls")
            .field("ca", &self.ca_pem.is_some())
            .field("client_certificate", &self.identity.is_some())
            .finish()
    }
}

impl ClientTls {
    /// Trust the system's roots; no client certificate.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trust only the CA certificate(s) in this PEM file (not the system's roots).
    pub fn with_ca_file(self, path: &Path) -> Result<Self, ConnectError> {
        let pem = read(TlsFile::CaCertificate, path)?;
        self.ca(Some(path), pem)
    }

    /// Trust only the CA certificate(s) in this PEM text (not the system's roots).
    pub fn with_ca_pem(self, pem: impl Into<Vec<u8>>) -> Result<Self, ConnectError> {
        self.ca(None, pem.into())
    }

    fn ca(mut self, path: Option<&Path>, pem: Vec<u8>) -> Result<Self, ConnectError> {
        let mut roots = rustls::RootCertStore::empty();
        for cert in certificates(TlsFile::CaCertificate, path, &pem)? {
            roots
                .add(cert)
                .map_err(|e| file_error(TlsFile::CaCertificate, path, FileProblem::Invalid(e.to_string())))?;
        }
        self.ca_pem = Some(pem);
        Ok(self)
    }

    /// Present this certificate chain and key (PEM files) to the server: mutual TLS.
    pub fn with_identity_files(self, cert: &Path, key: &Path) -> Result<Self, ConnectError> {
        let cert_pem = read(TlsFile::ClientCertificate, cert)?;
        let key_pem = read(TlsFile::ClientKey, key)?;
        self.identity((Some(cert), cert_pem), (Some(key), key_pem))
    }

    /// Present this certificate chain and key (PEM text) to the server: mutual TLS.
    pub fn with_identity_pem(self, cert: impl Into<Vec<u8>>, key: impl Into<Vec<u8>>) -> Result<Self, ConnectError> {
        self.identity((None, cert.into()), (None, key.into()))
    }

    fn identity(
        mut self,
        (cert_path, cert_pem): (Option<&Path>, Vec<u8>),
        (key_path, key_pem): (Option<&Path>, Vec<u8>),
    ) -> Result<Self, ConnectError> {
        let chain = certificates(TlsFile::ClientCertificate, cert_path, &cert_pem)?;
        let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
            let problem = match e {
                pem::Error::NoItemsFound => FileProblem::NoPrivateKey,
                other => FileProblem::Invalid(other.to_string()),
            };
            file_error(TlsFile::ClientKey, key_path, problem)
        })?;
        let signer = crypto()
            .key_provider
            .load_private_key(key)
            .map_err(|e| file_error(TlsFile::ClientKey, key_path, FileProblem::Invalid(e.to_string())))?;
        match rustls::sign::CertifiedKey::new(chain, signer).keys_match() {
            // A key that cannot tell its public half cannot be compared; rustls accepts it too.
            Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => {}
            Err(rustls::Error::InconsistentKeys(_)) => return Err(ConnectError::KeyMismatch),
            Err(e) => {
                return Err(file_error(TlsFile::ClientCertificate, cert_path, FileProblem::Invalid(e.to_string())));
            }
        }
        self.identity = Some((cert_pem, key_pem));
        Ok(self)
    }

    /// Whether the server's certificate must chain to the system's roots (no CA given).
    pub fn uses_system_roots(&self) -> bool {
        self.ca_pem.is_none()
    }

    /// Whether a client certificate is presented (mutual TLS).
    pub fn has_client_certificate(&self) -> bool {
        self.identity.is_some()
    }

    /// The same trust and identity as [`ClientTls::config`] gives tonic, as a rustls
    /// configuration of our own (for [`Target::diagnose`]).
    fn rustls_config(&self) -> Result<rustls::ClientConfig, rustls::Error> {
        let mut roots = rustls::RootCertStore::empty();
        match &self.ca_pem {
            Some(pem) => {
                for cert in CertificateDer::pem_slice_iter(pem).flatten() {
                    roots.add(cert)?;
                }
            }
            None => {
                roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
            }
        }
        let builder = rustls::ClientConfig::builder_with_provider(crypto())
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots);
        let mut config = match &self.identity {
            Some((cert, key)) => {
                let chain = CertificateDer::pem_slice_iter(cert).flatten().collect();
                let key = PrivateKeyDer::from_pem_slice(key).map_err(|e| rustls::Error::General(e.to_string()))?;
                builder.with_client_auth_cert(chain, key)?
            }
            None => builder.with_no_client_auth(),
        };
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(config)
    }

    fn config(&self, timeout: Duration) -> ClientTlsConfig {
        let mut config = ClientTlsConfig::new().timeout(timeout);
        config = match &self.ca_pem {
            Some(pem) => config.ca_certificate(Certificate::from_pem(pem)),
            None => config.with_native_roots(),
        };
        if let Some((cert, key)) = &self.identity {
            config = config.identity(Identity::from_pem(cert, key));
        }
        config
    }
}

/// How the client connects.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    tls: ClientTls,
    insecure: bool,
    timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self { tls: ClientTls::new(), insecure: false, timeout: DEFAULT_CONNECT_TIMEOUT }
    }
}

/// How a target is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// TLS (`https://`).
    Tls,
    /// Plain text to this machine (`http://` to a loopback address or `localhost`).
    PlainLoopback,
    /// Plain text over the network, allowed by [`ConnectOptions::allow_insecure`]: the token
    /// and the data can be read and changed on the way. Warn the person who allowed it.
    PlainInsecure,
}

impl ConnectOptions {
    /// The defaults: the system's roots, no client certificate, plain text to this machine
    /// only, [`DEFAULT_CONNECT_TIMEOUT`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The TLS material for `https://`.
    pub fn tls(mut self, tls: ClientTls) -> Self {
        self.tls = tls;
        self
    }

    /// Allow `http://` to a host that is not this machine (never for real data: the token and
    /// the case files cross the network in clear text). Certificate checks stay on for
    /// `https://` either way.
    pub fn allow_insecure(mut self, allow: bool) -> Self {
        self.insecure = allow;
        self
    }

    /// How long connecting may take (each of TCP, TLS and the health check).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Check `url` against these options without any network traffic: the scheme, the host,
    /// the plain-text policy, and (for `https://`) the TLS configuration with its roots.
    pub fn target(&self, url: &str) -> Result<Target, ConnectError> {
        let invalid = |reason: &str| ConnectError::InvalidUrl { url: url.to_owned(), reason: reason.to_owned() };
        let uri: http::Uri = url.trim().parse().map_err(|_| invalid("it cannot be read as an address"))?;
        let secure = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            Some(_) => return Err(invalid("the scheme must be https:// (or http:// on this machine)")),
            None => return Err(invalid("it must begin with https://")),
        };
        let host = uri.host().filter(|h| !h.is_empty()).ok_or_else(|| invalid("it names no host"))?.to_owned();
        let authority = uri.authority().map_or_else(|| host.clone(), ToString::to_string);
        let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
        let transport = if secure {
            Transport::Tls
        } else if is_loopback(&host) {
            Transport::PlainLoopback
        } else if self.insecure {
            Transport::PlainInsecure
        } else {
            return Err(ConnectError::PlainTextRemote { host });
        };
        if !secure && (self.tls.ca_pem.is_some() || self.tls.identity.is_some()) {
            return Err(ConnectError::TlsFilesWithoutTls { url: url.to_owned() });
        }
        let mut endpoint = Endpoint::from(uri).connect_timeout(self.timeout);
        if secure {
            let name = host.trim_start_matches('[').trim_end_matches(']');
            ServerName::try_from(name).map_err(|_| invalid("the host is not a valid name for TLS"))?;
            endpoint = endpoint.tls_config(self.tls.config(self.timeout)).map_err(|e| {
                // Our own checks above leave one failure to tonic's builder when no CA is
                // given: an empty system store (tonic's error type for it is private).
                match tls_cause(&e) {
                    Some(tls) => from_rustls(tls, &host, &authority, &self.tls),
                    None if self.tls.uses_system_roots() => ConnectError::NoSystemRoots { detail: describe(&e) },
                    None => ConnectError::Other { authority: authority.clone(), detail: describe(&e) },
                }
            })?;
        }
        Ok(Target { endpoint, host, port, authority, transport, tls: self.tls.clone(), timeout: self.timeout })
    }
}

/// Whether `host` (as in a URL; IPv6 in brackets) is this machine: `localhost`, 127.0.0.0/8,
/// `::1` (also as `::ffff:127.x.y.z`). Anything else, including `0.0.0.0` and names that
/// might resolve to this machine, is treated as the network.
pub fn is_loopback(host: &str) -> bool {
    let h = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if h.eq_ignore_ascii_case("localhost") || h.eq_ignore_ascii_case("localhost.") {
        return true;
    }
    match h.parse::<IpAddr>() {
        Ok(IpAddr::V4(a)) => a.is_loopback(),
        Ok(IpAddr::V6(a)) => a.is_loopback() || a.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
        Err(_) => false,
    }
}

/// A checked address with its transport, ready to connect.
#[derive(Debug, Clone)]
pub struct Target {
    endpoint: Endpoint,
    host: String,
    port: u16,
    authority: String,
    transport: Transport,
    tls: ClientTls,
    timeout: Duration,
}

impl Target {
    /// How the server is reached.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The server's host, as in the address.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// `host:port` as in the address.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// Connect, and make one health check so that the TLS handshake and the server's verdict on
    /// a client certificate are known before the caller's first request.
    pub async fn connect(&self) -> Result<Channel, ConnectError> {
        let channel = match tokio::time::timeout(self.timeout * 2, self.endpoint.connect()).await {
            Err(_) => return Err(self.timed_out()),
            Ok(result) => result.map_err(|e| self.classify(&e, Stage::Handshake))?,
        };
        let mut health = tonic_health::pb::health_client::HealthClient::new(channel.clone());
        let check = health.check(tonic_health::pb::HealthCheckRequest { service: String::new() });
        match tokio::time::timeout(self.timeout, check).await {
            Err(_) => Err(self.timed_out()),
            Ok(Ok(_)) => Ok(channel),
            // A status the server sent (even "unimplemented") means the transport works; a
            // status made from a local error (it has a source) means it does not.
            Ok(Err(status)) if status.source().is_none() => Ok(channel),
            Ok(Err(status)) => match self.classify(&status, Stage::Established) {
                found @ ConnectError::Other { .. } => {
                    let diagnosis = match self.transport {
                        Transport::Tls => self.diagnose().await,
                        Transport::PlainLoopback | Transport::PlainInsecure => self.diagnose_plain().await,
                    };
                    Err(diagnosis.unwrap_or(found))
                }
                known => Err(known),
            },
        }
    }

    /// Whether a server that failed a plain-text connection speaks TLS: a handshake that trusts
    /// nothing (so it sends no client certificate, no token and no data) fails on the server's
    /// certificate exactly when the server answered as a TLS server.
    async fn diagnose_plain(&self) -> Option<ConnectError> {
        let config = rustls::ClientConfig::builder_with_provider(crypto())
            .with_safe_default_protocol_versions()
            .ok()?
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
        let name = match ServerName::try_from(self.bare_host()) {
            Ok(name) => name.to_owned(),
            Err(_) => ServerName::try_from("localhost").ok()?.to_owned(),
        };
        let wait = self.timeout.min(Duration::from_secs(3));
        let tcp = tokio::time::timeout(wait, tokio::net::TcpStream::connect((self.bare_host(), self.port)))
            .await
            .ok()?
            .ok()?;
        let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
        match tokio::time::timeout(wait, connector.connect(name, tcp)).await.ok()? {
            Err(e) if tls_cause(&e).is_some_and(|t| matches!(t, rustls::Error::InvalidCertificate(_))) => {
                Some(ConnectError::ServerSpeaksTls { authority: self.authority.clone() })
            }
            _ => None,
        }
    }

    fn bare_host(&self) -> &str {
        self.host.trim_start_matches('[').trim_end_matches(']')
    }

    /// Why a server closed a connection whose TLS handshake had succeeded on our side.
    ///
    /// In TLS 1.3 the client's handshake is done before the server has judged the client's
    /// certificate (or its absence); the server's alert then reaches the connection task of
    /// hyper, which tonic does not report: the request only sees "connection closed". So one
    /// more handshake of our own, with the same roots, name and client certificate, reads the
    /// server's verdict: rustls turns its alert into a typed error. `None` when that handshake
    /// does not say more (then the caller keeps what it had).
    async fn diagnose(&self) -> Option<ConnectError> {
        use tokio::io::AsyncReadExt;
        let config = self.tls.rustls_config().ok()?;
        let name = ServerName::try_from(self.bare_host()).ok()?.to_owned();
        let wait = self.timeout.min(Duration::from_secs(3));
        let tcp = tokio::time::timeout(wait, tokio::net::TcpStream::connect((self.bare_host(), self.port)))
            .await
            .ok()?
            .ok()?;
        let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
        let mut stream = match tokio::time::timeout(wait, connector.connect(name, tcp)).await.ok()? {
            Ok(stream) => stream,
            Err(e) => {
                return Some(self.classify(&e, Stage::Handshake)).filter(|c| !matches!(c, ConnectError::Other { .. }));
            }
        };
        // The server speaks first only to refuse (or with session tickets, which rustls takes
        // in without returning them).
        let mut byte = [0u8; 1];
        match tokio::time::timeout(wait, stream.read(&mut byte)).await {
            Ok(Err(e)) => {
                Some(self.classify(&e, Stage::Established)).filter(|c| !matches!(c, ConnectError::Other { .. }))
            }
            _ => None,
        }
    }

    fn timed_out(&self) -> ConnectError {
        ConnectError::TimedOut { authority: self.authority.clone(), seconds: self.timeout.as_secs() }
    }

    fn classify(&self, error: &(dyn StdError + 'static), stage: Stage) -> ConnectError {
        if let Some(tls) = tls_cause(error) {
            return from_rustls(tls, &self.host, &self.authority, &self.tls);
        }
        let causes = causes(error);
        // rustls' alerts can reach us as text only: h2 keeps an I/O error's kind and message but
        // not the error itself. rustls writes them as "received fatal alert: <Alert>".
        if let Some(alert) = causes.iter().find_map(|c| {
            let text = c.to_string();
            let (_, rest) = text.split_once("received fatal alert: ")?;
            rest.split(|ch: char| !ch.is_ascii_alphanumeric()).next().map(ToOwned::to_owned)
        }) {
            return from_alert(&alert, &self.tls);
        }
        for cause in &causes {
            if let Some(io) = cause.downcast_ref::<std::io::Error>() {
                use std::io::ErrorKind as K;
                match io.kind() {
                    K::ConnectionRefused => return ConnectError::Refused { authority: self.authority.clone() },
                    K::TimedOut => return self.timed_out(),
                    K::NetworkUnreachable | K::HostUnreachable | K::AddrNotAvailable => {
                        return ConnectError::Unreachable { authority: self.authority.clone(), detail: io.to_string() };
                    }
                    // The other side closed during the TLS handshake: it did not take our
                    // ClientHello for TLS.
                    K::UnexpectedEof if self.transport == Transport::Tls && stage == Stage::Handshake => {
                        return ConnectError::NotTls { authority: self.authority.clone() };
                    }
                    _ => {}
                }
            }
        }
        ConnectError::Other { authority: self.authority.clone(), detail: describe(error) }
    }
}

/// Where in connecting an error happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// TCP and the TLS handshake (tonic's `connect`).
    Handshake,
    /// After the handshake: the first request.
    Established,
}

/// An error and its causes, each once; an `io::Error` also yields the error it wraps (its own
/// `source()` skips that one).
fn causes<'a>(error: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    fn walk<'a>(error: &'a (dyn StdError + 'static), out: &mut Vec<&'a (dyn StdError + 'static)>, depth: usize) {
        let mut next = Some(error);
        let mut depth = depth;
        while let Some(e) = next {
            if depth > 32 {
                return;
            }
            depth += 1;
            out.push(e);
            if let Some(inner) = e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
                walk(inner, out, depth);
            }
            next = e.source();
        }
    }
    let mut out = Vec::new();
    walk(error, &mut out, 0);
    out
}

fn tls_cause<'a>(error: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    causes(error).into_iter().find_map(|c| c.downcast_ref::<rustls::Error>())
}

fn from_rustls(e: &rustls::Error, host: &str, authority: &str, tls: &ClientTls) -> ConnectError {
    use rustls::{CertificateError as C, Error as E};
    match e {
        E::InvalidCertificate(C::UnknownIssuer) => {
            ConnectError::UntrustedCertificate { by_ca_file: !tls.uses_system_roots() }
        }
        E::InvalidCertificate(C::NotValidForName) => {
            ConnectError::NameMismatch { host: host.to_owned(), presented: Vec::new() }
        }
        E::InvalidCertificate(C::NotValidForNameContext { presented, .. }) => ConnectError::NameMismatch {
            host: host.to_owned(),
            presented: presented.iter().filter_map(|p| server_name(p)).collect(),
        },
        E::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            ConnectError::CertificateOutOfDate { expired: true }
        }
        E::InvalidCertificate(C::NotValidYet | C::NotValidYetContext { .. }) => {
            ConnectError::CertificateOutOfDate { expired: false }
        }
        E::InvalidCertificate(other) => ConnectError::CertificateRejected { detail: format!("{other:?}") },
        E::AlertReceived(alert) => from_alert(&format!("{alert:?}"), tls),
        E::InvalidMessage(_) | E::InappropriateMessage { .. } | E::InappropriateHandshakeMessage { .. } => {
            ConnectError::NotTls { authority: authority.to_owned() }
        }
        other => ConnectError::Other { authority: authority.to_owned(), detail: other.to_string() },
    }
}

/// A server name (DNS name or IP address) from webpki's description of a certificate's subject
/// alternative name (`DnsName("x")`, `IpAddress(192.0.2.1)`); other kinds of name say nothing
/// about which server it is.
fn server_name(presented: &str) -> Option<String> {
    let dns = presented.strip_prefix("DnsName(\"").and_then(|r| r.strip_suffix("\")"));
    let ip = presented.strip_prefix("IpAddress(").and_then(|r| r.strip_suffix(')'));
    dns.or(ip).map(str::to_owned)
}

/// A TLS alert from the server, by rustls' name for it.
fn from_alert(alert: &str, tls: &ClientTls) -> ConnectError {
    let alert = alert.trim().to_owned();
    match alert.as_str() {
        "CertificateRequired" => ConnectError::ClientCertificateRequired,
        // TLS 1.2 servers answer a missing client certificate with a handshake failure.
        "HandshakeFailure" if !tls.has_client_certificate() => ConnectError::ClientCertificateRequired,
        "BadCertificate"
        | "UnsupportedCertificate"
        | "CertificateRevoked"
        | "CertificateExpired"
        | "CertificateUnknown"
        | "UnknownCA"
        | "AccessDenied"
        | "DecryptError"
            if tls.has_client_certificate() =>
        {
            ConnectError::ClientCertificateRejected { alert }
        }
        _ => ConnectError::HandshakeRefused { alert },
    }
}

/// An error and its causes as one line, without repeating a cause already said.
fn describe(error: &(dyn StdError + 'static)) -> String {
    let mut text = String::new();
    for cause in causes(error) {
        // A status's own text repeats its source's debug form; its message is the words.
        let s = match cause.downcast_ref::<tonic::Status>() {
            Some(status) => status.message().to_owned(),
            None => cause.to_string(),
        };
        if s.is_empty() || text.contains(&s) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&s);
    }
    text
}
