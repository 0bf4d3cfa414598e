//! `perspectief`: the staff command line.
//!
//! What exists: `serve` (the gRPC server on the database) and the reference data that
//! everything is recorded against (activity codes, phases). The daily workflow commands and
//! `init` arrive with the CLI issue.

mod serve;

use std::io::{self, Write};
use std::process::ExitCode;

use perspectief_core::ActivityCode;
use perspectief_core::trajectory::Phase;

const USAGE: &str = "\
perspectief — casemanagement voor ongedocumenteerden (LVV Amsterdam)

Gebruik:
  perspectief serve [opties]          start de gRPC-server voor ketenpartners (stop met Ctrl-C)
      --listen ADRES                  standaard 127.0.0.1:50051
      --database URL                  sqlite://PAD of postgres://…; anders PERSPECTIEF_DATABASE_URL,
                                      anders de ingebouwde database in de datamap
      --key-file PAD                  de sleutel; anders PERSPECTIEF_KEY, anders perspectief.key
                                      in de configuratiemap (bij de eerste start aangemaakt)
      --tls-cert PAD --tls-key PAD    TLS; met --tls-client-ca PAD ook wederzijdse TLS
            --no-reflection                 geen reflectie aanbieden
      --create                        maak een genoemde database aan als die nog niet bestaat
      --insecure                      sta zonder TLS toe op een adres buiten deze machine
  perspectief activiteiten [--json]   toon de activiteitennummers van het activiteitenplan
  perspectief fasen [--json]          toon de fasen van een traject
  perspectief --version               toon de versie
  perspectief --help                  toon deze hulp
";

use serve::EXIT_USAGE;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut out = io::stdout().lock();
    let result = match args.as_slice() {
        [] | ["--help" | "-h" | "help"] => out
            .write_all(USAGE.as_bytes())
            .and_then(|()| writeln!(out, "\nIngebouwde database: {}", serve::default_database())),
        ["--version" | "-V"] => writeln!(out, "perspectief {}", env!("CARGO_PKG_VERSION")),
        ["serve", rest @ ..] => {
            drop(out);
            return match serve::run(rest) {
                Ok(()) => ExitCode::SUCCESS,
                Err(f) => {
                    let _ = writeln!(io::stderr(), "perspectief serve: {}", f.message);
                    ExitCode::from(f.code)
                }
            };
        }
        ["activiteiten", rest @ ..] if valid_flags(rest) => activities(&mut out, rest.contains(&"--json")),
        ["fasen", rest @ ..] if valid_flags(rest) => phases(&mut out, rest.contains(&"--json")),
        _ => {
            let _ = writeln!(io::stderr(), "onbekend commando: '{}'\n\n{USAGE}", args.join(" "));
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`perspectief activiteiten | head`) is not an error worth a message.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "schrijven mislukt: {e}");
            ExitCode::FAILURE
        }
    }
}

fn valid_flags(rest: &[&str]) -> bool {
    rest.iter().all(|a| *a == "--json")
}

fn activities(out: &mut impl Write, json: bool) -> io::Result<()> {
    if json {
        let rows: Vec<serde_json::Value> = ActivityCode::ALL
            .iter()
            .map(|c| {
                serde_json::json!({
                    "code": c.code(),
                    "name_nl": c.dutch_name(),
                    "name_en": c.english_name(),
                    "theme": c.theme().letter().to_string(),
                })
            })
            .collect();
        return writeln!(out, "{}", serde_json::Value::Array(rows));
    }
    writeln!(out, "{:<10} {:<6} NAAM", "CODE", "THEMA")?;
    for c in ActivityCode::ALL {
        let theme = c.theme();
        writeln!(out, "{:<10} {:<6} {}", c.code(), theme.letter(), c.dutch_name())?;
    }
    Ok(())
}

fn phases(out: &mut impl Write, json: bool) -> io::Result<()> {
    if json {
        let rows: Vec<serde_json::Value> =
            Phase::ALL.iter().map(|p| serde_json::json!({ "phase": p.as_str(), "name_nl": p.dutch_name() })).collect();
        return writeln!(out, "{}", serde_json::Value::Array(rows));
    }
    writeln!(out, "{:<16} NAAM", "FASE")?;
    for p in Phase::ALL {
        writeln!(out, "{:<16} {}", p.as_str(), p.dutch_name())?;
    }
    Ok(())
}
