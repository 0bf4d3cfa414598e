//! A temporary installation: its own database, key and config file, so a test never touches the
//! real configuration directory. All data is synthetic.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

pub struct Install {
    pub dir: tempfile::TempDir,
    pub admin: String,
    pub worker: String,
}

impl Install {
    pub fn config(&self) -> PathBuf {
        self.dir.path().join("config.toml")
    }

    pub fn database(&self) -> String {
        format!("sqlite://{}", self.dir.path().join("perspectief.db").display())
    }

    pub fn key(&self) -> PathBuf {
        self.dir.path().join("perspectief.key")
    }

    /// The command with this installation's environment (Dutch, no colour, no stray settings).
    pub fn cmd(&self) -> Command {
        let mut c = bare();
        c.env("PERSPECTIEF_CONFIG", self.config()).env("PERSPECTIEF_DATABASE_URL", self.database());
        c
    }

    /// Run with `-o json` and return the parsed output; panics with stderr on failure.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.cmd().args(args).args(["-o", "json"]).output().unwrap();
        assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
    }

    /// `perspectief init`, then a project worker who becomes the default acting user.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut me = Self { dir, admin: String::new(), worker: String::new() };
        let out = me
            .cmd()
            .args(["init", "--name", "Beheerder Test", "--key-file"])
            .arg(me.key())
            .args(["-o", "json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "init: {}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        me.admin = v["administrator"].as_str().unwrap().to_owned();
        let v = me.json(&["user", "add", "--name", "Werker Test", "--role", "project_worker", "--default"]);
        me.worker = v["user"].as_str().unwrap().to_owned();
        me
    }
}

impl Install {
    /// Add an account as the administrator (`user add`); returns its user id.
    pub fn add_user(&self, name: &str, role: &str) -> String {
        let v = self.json(&["--as", &self.admin, "user", "add", "--name", name, "--role", role]);
        v["user"].as_str().unwrap().to_owned()
    }

    /// `import participants <file> --skip-invalid --rejected <rejected>`: the valid rows
    /// imported, the rejected ones written to `rejected`; the JSON answer.
    pub fn import_participants_skipping_invalid(&self, file: &std::path::Path, rejected: &std::path::Path) -> Value {
        let (file, rejected) = (file.to_str().unwrap(), rejected.to_str().unwrap());
        self.json(&["import", "participants", file, "--skip-invalid", "--rejected", rejected])
    }

    /// Register an organisation as the administrator (`organisation add`); returns its id.
    pub fn organisation(&self, code: &str, name: &str, kind: &str, domains: &[&str]) -> String {
        let mut args = vec!["--as", &self.admin, "organisation", "add", "--code", code, "--name", name, "--kind", kind];
        for d in domains {
            args.extend(["--domain", d]);
        }
        let v = self.json(&args);
        v["id"].as_str().unwrap().to_owned()
    }

    /// The organisations a trajectory names: IOM (return, medical) and the municipality.
    pub fn chain(&self) {
        self.organisation("IOM", "IOM Nederland", "international_organisation", &["return", "medical"]);
        self.organisation("GEMEENTE", "Gemeente Amsterdam", "municipality", &["shelter"]);
    }
}

impl Install {
    /// A token for `user` that works over the server: created by the administrator, then the
    /// account (if it still waits) and the token confirmed by a project lead, the second person
    /// (the installation's first project lead, made and self-activated on first use).
    pub fn working_token(&self, user: &str, label: &str) -> String {
        let lead = self.confirming_lead();
        let users = self.json(&["--as", &self.admin, "user", "list"]);
        let waiting = users.as_array().unwrap().iter().any(|u| u["id"] == user && u["awaiting_confirmation"] == true);
        if waiting {
            self.json(&["--as", &lead, "user", "confirm", user]);
        }
        let v = self.json(&["token", "create", "--user", user, "--label", label, "--days", "1", "--as", &self.admin]);
        if v["awaiting_confirmation"] == true {
            self.json(&["--as", &lead, "token", "confirm", v["id"].as_str().unwrap()]);
        }
        v["token"].as_str().unwrap().to_owned()
    }

    fn confirming_lead(&self) -> String {
        const NAME: &str = "Projectleider Bevestiging";
        let users = self.json(&["--as", &self.admin, "user", "list"]);
        if let Some(lead) = users.as_array().unwrap().iter().find(|u| u["name"] == NAME) {
            return lead["id"].as_str().unwrap().to_owned();
        }
        let lead = self.add_user(NAME, "project_lead");
        self.json(&["--as", &lead, "user", "confirm", &lead]);
        lead
    }
}

/// The arguments of `contact log` for an individual talk with `participant` under activity
/// 5.2.a(2), followed by `more`.
pub fn talk<'a>(participant: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["contact", "log", participant, "--kind", "individual_talk", "--activity", "5.2.a(2)"];
    args.extend_from_slice(more);
    args
}

/// The arguments of `session create` for a theme session today (return, at the WereldHuis, in
/// Tigrinya), followed by `more`.
pub fn theme_session<'a>(more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "session",
        "create",
        "--date",
        "vandaag",
        "--theme",
        "Terugkeer",
        "--venue",
        "WereldHuis",
        "--language",
        "ti",
    ];
    args.extend_from_slice(more);
    args
}

/// The binary with a clean environment.
pub fn bare() -> Command {
    Command::from_std(bare_std())
}

/// [`bare`] as a `std::process::Command` (to spawn it and go on while it runs).
pub fn bare_std() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_perspectief"));
    c.env("NO_COLOR", "1")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("PERSPECTIEF_KEY")
        .env_remove("PERSPECTIEF_USER")
        .env_remove("PERSPECTIEF_SERVER")
        .env_remove("PERSPECTIEF_TOKEN")
        .env_remove("PERSPECTIEF_DATABASE_URL")
        .env_remove("PERSPECTIEF_CA_CERT")
        .env_remove("PERSPECTIEF_CLIENT_CERT")
        .env_remove("PERSPECTIEF_CLIENT_KEY")
        // The system's roots stay the system's: a test that wants other roots says so.
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR");
    c
}

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}
