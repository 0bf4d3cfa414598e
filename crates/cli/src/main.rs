//! `perspectief`: the staff command line. Project workers and the project lead use it every day
//! between conversations; it works on the database directly or, with `--server`, through the
//! gRPC API, with the same commands, output and errors.

mod args;
mod cli;
mod commands;
mod config;
mod context;
mod directory;
mod exit;
mod i18n;
mod logging;
mod output;
mod remote;
mod serve;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use perspectief_core::document::DocumentLanguage;
use perspectief_core::organisation::DirectoryService;
use perspectief_core::report::ReportingService;
use perspectief_core::service::PerspectiefService;

use crate::cli::{Cli, Command};
use crate::commands::import::ImportCmd;
use crate::commands::{
    agreement, audit, backup, consent, contact, dev, export, goal, grant, import, init, key, meeting, misc,
    organisation, outflow, participant, period, plan, privacy, referral, report, returns, session, token, user,
    worklist, zrm,
};
use crate::context::Ctx;
use crate::exit::{Failure, Result};
use crate::i18n::Lang;

fn main() -> ExitCode {
    let argv: Vec<OsString> = std::env::args_os().collect();
    let lang = choose_language(&argv);
    i18n::init(lang);
    let command = localise_help_subcommands(localise(Cli::command(), lang, ""));
    let matches = match command.clone().try_get_matches_from(&argv) {
        Ok(m) => m,
        Err(e) => return clap_error(&command, e),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => return clap_error(&command, e),
    };
    match run(cli, command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            let _ = writeln!(std::io::stderr(), "perspectief: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// `--lang`, else the config's language, else LC_ALL / LC_MESSAGES / LANG, else Dutch.
fn choose_language(argv: &[OsString]) -> Lang {
    let args: Vec<String> = argv.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let value_of = |flag: &str| {
        args.iter().enumerate().find_map(|(i, a)| {
            if a == flag { args.get(i + 1).cloned() } else { a.strip_prefix(&format!("{flag}=")).map(str::to_owned) }
        })
    };
    if let Some(l) = value_of("--lang").and_then(|v| Lang::from_locale(&v)) {
        return l;
    }
    let config_path = config::path(value_of("--config").map(PathBuf::from).as_deref());
    if let Ok(c) = config::load(config_path.as_deref())
        && let Some(l) = c.language.as_deref().and_then(Lang::from_locale)
    {
        return l;
    }
    for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Ok(v) = std::env::var(var)
            && !v.is_empty()
        {
            return Lang::from_locale(&v).unwrap_or(Lang::Nl);
        }
    }
    Lang::Nl
}

/// Headings in the language, and in English the help texts from `en.ftl`
/// (`cmd-<path>` for a command, `arg-<path>-<id>` or `arg-<id>` for an option).
fn localise(mut cmd: clap::Command, lang: Lang, path: &str) -> clap::Command {
    if path.is_empty() {
        cmd = cmd
            .about(t!("app-about"))
            .after_long_help(format!(
                "{}\n\n{}",
                t!("exit-codes-help"),
                t!("default-database", path = serve::default_database())
            ))
            .subcommand_help_heading(t!("heading-commands"))
            .subcommand_value_name(t!("value-command"));
    }
    cmd = cmd.help_template(format!(
        "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
        t!("heading-usage")
    ));
    let options = t!("heading-options");
    let arguments = t!("heading-arguments");
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    let ids: Vec<(String, bool, bool)> =
        cmd.get_arguments().map(|a| (a.get_id().to_string(), a.is_positional(), a.get_help().is_none())).collect();
    for (id, positional, undocumented) in ids {
        let heading = if positional { arguments.clone() } else { options.clone() };
        // Dutch help is the doc comment; an option without one (mostly the common ones:
        // participant, dates) takes its text from the messages, as in English.
        let help = if lang == Lang::En || undocumented {
            [format!("arg-{path}-{id}"), format!("arg-{id}")].into_iter().find(|k| i18n::has(k)).map(|k| t!(&k))
        } else {
            None
        };
        cmd = cmd.mut_arg(&id, |a| {
            let a = a.help_heading(heading);
            let a = match help {
                // The long help, if the doc comment had one, is Dutch too: the one text serves both.
                Some(h) => a.help(h).long_help(clap::builder::Resettable::Reset),
                None => a,
            };
            if lang == Lang::En {
                let names: Vec<String> = a.get_value_names().unwrap_or_default().iter().map(value_name).collect();
                if names.is_empty() { a } else { a.value_names(names) }
            } else {
                a
            }
        });
    }
    for name in names {
        let sub_path = if path.is_empty() { name.clone() } else { format!("{path}-{name}") };
        cmd = cmd.mut_subcommand(&name, |s| {
            let key = format!("cmd-{sub_path}");
            let s = if lang == Lang::En && i18n::has(&key) {
                s.about(t!(&key)).long_about(clap::builder::Resettable::Reset)
            } else {
                s
            };
            localise(s, lang, &sub_path)
        });
    }
    cmd
}

/// clap's own `help` subcommands in the language: they exist only once the tree is built.
fn localise_help_subcommands(mut cmd: clap::Command) -> clap::Command {
    cmd.build();
    help_about(cmd)
}

fn help_about(mut cmd: clap::Command) -> clap::Command {
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    for name in names {
        cmd = cmd.mut_subcommand(&name, |s| if name == "help" { s.about(t!("cmd-help")) } else { help_about(s) });
    }
    cmd
}

/// A value name (`<DATUM>`) in the language: `value-name-<name>` in the messages (lower case,
/// other characters as `-`: `AFSPRAAK@DATUM` is `value-name-afspraak-datum`), else as written
/// (the derive's default, the field's English name in capitals).
fn value_name(name: &clap::builder::Str) -> String {
    let key = value_name_id(name.as_str());
    if i18n::has(&key) { t!(&key) } else { name.to_string() }
}

/// The message id of a value name.
fn value_name_id(name: &str) -> String {
    let slug: String = name.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    format!("value-name-{slug}")
}

fn clap_error(cmd: &clap::Command, e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(exit::USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
        _ => {}
    }
    let mut err = std::io::stderr();
    if e.kind() == ErrorKind::InvalidSubcommand {
        let unknown = e.get(clap::error::ContextKind::InvalidSubcommand).map(ToString::to_string).unwrap_or_default();
        let usage = cmd.clone().render_usage().to_string();
        let usage = usage.strip_prefix("Usage:").unwrap_or(&usage).trim();
        let _ = writeln!(
            err,
            "perspectief: {}\n\n{} {usage}\n\n{}",
            t!("error-unknown-command", command = unknown),
            t!("heading-usage"),
            t!("hint-help")
        );
    } else {
        let text = e.render().to_string();
        let text = if i18n::lang() == Lang::Nl {
            text.replacen("error:", "fout:", 1)
                .replace("Usage:", &t!("heading-usage"))
                .replace("For more information, try '--help'.", &t!("hint-help"))
        } else {
            text
        };
        let _ = write!(err, "{text}");
    }
    ExitCode::from(exit::USAGE)
}

fn run(cli: Cli, command: clap::Command) -> Result<()> {
    // The server logs by its own flags; a local command only with -v, to stderr.
    if !matches!(cli.command, Command::Serve(_)) && cli.verbose > 0 {
        let level = if cli.verbose > 1 { "debug" } else { "info" };
        logging::init(logging::Format::Text, Some(level)).map_err(|e| Failure::new(exit::USAGE, e))?;
    }
    let config_path = config::path(cli.config.as_deref());
    let config = config::load(config_path.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(exit::UNAVAILABLE, e.to_string()))?;
    let format = cli.output;
    match cli.command {
        Command::Completions(ref a) => return misc::completions(command, a.shell),
        Command::Man => return misc::man(command),
        Command::Activiteiten(ref a) => return misc::activities(if a.json { cli::OutputFormat::Json } else { format }),
        Command::Fasen(ref a) => return misc::phases(if a.json { cli::OutputFormat::Json } else { format }),
        _ => {}
    }
    // A language other than nl or en is a participant document's language, nothing else's.
    let document = matches!(cli.command, Command::Participant(participant::ParticipantCmd::Document { .. }));
    if let Some(l) = cli.lang
        && !document
        && !matches!(l, DocumentLanguage::Nl | DocumentLanguage::En)
    {
        return Err(Failure::new(exit::USAGE, t!("error-lang-document-only", language = l.code().to_owned())));
    }
    let (cli, cmd) = split(cli);
    match cmd {
        Command::Init(a) => runtime.block_on(init::init(&cli, config_path.as_deref(), &config, a)),
        Command::Migrate => runtime.block_on(init::migrate(&cli, &config)),
        Command::Key(key::KeyCmd::New) => key::new_key(&cli, &config),
        Command::Serve(a) => {
            drop(runtime);
            let env = std::env::var(perspectief_store::DATABASE_URL_VAR).ok().filter(|v| !v.trim().is_empty());
            let explicit = cli.database.is_some() || env.is_some() || config.database.is_some();
            let database = cli.database.clone().or(env).or_else(|| config.database.clone());
            let key_file = cli.key_file.clone().or_else(|| config.key_file.clone());
            serve::run(serve::Args::new(a, database, explicit, key_file, cli.insecure))
        }
        other => runtime.block_on(with_backend(&cli, config, config_path, other)),
    }
}

/// The global options without the command (so both can be passed on).
fn split(mut cli: Cli) -> (Cli, Command) {
    let command = std::mem::replace(&mut cli.command, Command::Man);
    (cli, command)
}

async fn with_backend(cli: &Cli, config: config::Config, config_path: Option<PathBuf>, cmd: Command) -> Result<()> {
    // The organisations register replaced the config file's [organisations] section: say so,
    // and how to carry the names over, until the section is gone.
    let importing = matches!(&cmd, Command::Organisation(organisation::OrganisationCmd::ImportConfig));
    if !config.organisations.is_empty() && !importing {
        output::note(&t!(
            "warning-config-organisations",
            path = config_path.as_ref().map_or_else(|| "config.toml".to_owned(), |p| p.display().to_string())
        ));
    }
    if let Some(server) = context::server(cli, &config) {
        if matches!(cmd, Command::Key(_)) {
            return Err(Failure::new(exit::UNAVAILABLE, t!("error-remote-key")));
        }
        if matches!(
            cmd,
            Command::User(_)
                | Command::Token(_)
                | Command::Grant(_)
                | Command::Backup(_)
                | Command::Dev(_)
                | Command::Privacy(_)
                | Command::Import(ImportCmd::History(_))
                | Command::Export(export::ExportArgs { what: Some(_), .. })
        ) {
            return Err(Failure::new(exit::UNAVAILABLE, t!("error-remote-admin")));
        }
        if matches!(cmd, Command::Import(ImportCmd::Participants(_) | ImportCmd::Contacts(_))) {
            // All or nothing needs the database's transaction: there is no batch over the wire.
            return Err(Failure::new(exit::UNAVAILABLE, t!("error-remote-import")));
        }
        if let Command::Organisation(c) = &cmd
            && c.is_administration()
        {
            return Err(Failure::new(exit::UNAVAILABLE, t!("error-remote-admin")));
        }
        let acting = context::require_acting(cli, &config)?;
        let svc = remote::connect(cli, &server, &config, config_path.as_deref()).await?;
        let ctx = Ctx::new(cli.output, config_path, context::remote_caller(Some(acting)), true)
            .with_document_language(cli.lang);
        return workflow(&svc, &ctx, cmd).await.map_err(|f| ctx.named(f));
    }
    let (store, url) = context::open_store(cli, &config).await?;
    let acting = context::require_acting(cli, &config)?;
    let actor = context::local_actor(&store, acting).await?;
    let ctx = Ctx::new(cli.output, config_path, context::local_caller(actor), false).with_document_language(cli.lang);
    let result = match cmd {
        Command::User(c) => user::user_cmd(&store, &ctx, c).await,
        Command::Token(c) => token::token_cmd(&store, &ctx, c).await,
        Command::Grant(c) => grant::grant_cmd(&store, &ctx, c).await,
        Command::Backup(a) => backup::backup(&store, &ctx, &url, a).await,
        Command::Key(c) => key::key_cmd(&store, &ctx, c).await,
        Command::Dev(dev::DevCmd::Seed(a)) => dev::dev_seed(&store, &ctx, a).await,
        Command::Privacy(privacy::PrivacyTop::Other(c)) => privacy::privacy_cmd(&store, &ctx, c).await,
        Command::Privacy(privacy::PrivacyTop::Retention(a)) => commands::retention::retention(&store, &ctx, a).await,
        Command::Privacy(privacy::PrivacyTop::Erase(c)) => commands::erasure::erase_cmd(&store, &ctx, c).await,
        Command::Privacy(privacy::PrivacyTop::Hold(c)) => commands::erasure::hold_cmd(&store, &ctx, c).await,
        Command::Organisation(c) => organisation::organisation_cmd(&store, Some(&store), &ctx, c).await,
        Command::Report(c) => report::report_cmd(&store, Some(&store), &ctx, c).await,
        Command::Import(ImportCmd::History(a)) => commands::history::history(&store, &ctx, a).await,
        Command::Import(ImportCmd::Participants(a)) => import::participants(&store, &ctx, a).await,
        Command::Import(ImportCmd::Contacts(a)) => import::contacts(&store, &ctx, a).await,
        Command::Export(export::ExportArgs { what: Some(export::ExportCmd::History(a)), .. }) => {
            commands::history_export::export_history(&store, &ctx, a).await
        }
        other => workflow(&store, &ctx, other).await,
    };
    result.map_err(|f| ctx.named(f))
}

async fn workflow<S: PerspectiefService + ReportingService + DirectoryService>(
    svc: &S,
    ctx: &Ctx,
    cmd: Command,
) -> Result<()> {
    match cmd {
        Command::Participant(c) => participant::participant_cmd(svc, ctx, c).await,
        Command::Plan(c) => plan::plan_cmd(svc, ctx, c).await,
        Command::Goal(c) => goal::goal_cmd(svc, ctx, c).await,
        Command::Agreement(c) => agreement::agreement_cmd(svc, ctx, c).await,
        Command::Contact(c) => contact::contact_cmd(svc, ctx, c).await,
        Command::Referral(c) => referral::referral_cmd(svc, ctx, c).await,
        Command::Consent(c) => consent::consent_cmd(svc, ctx, c).await,
        Command::Return(c) => returns::return_cmd(svc, ctx, c).await,
        Command::Zrm(c) => zrm::zrm_cmd(svc, ctx, c).await,
        Command::Report(c) => report::report_cmd(svc, None, ctx, c).await,
        Command::Outflow(c) => outflow::outflow_cmd(svc, ctx, c).await,
        Command::Session(c) => session::session_cmd(svc, ctx, c).await,
        Command::Meeting(c) => meeting::meeting_cmd(svc, ctx, c).await,
        Command::Period(c) => period::period_cmd(svc, ctx, c).await,
        Command::Worklist(a) => worklist::worklist(svc, ctx, a).await,
        Command::Audit(c) => audit::audit_cmd(svc, ctx, c).await,
        // Local only: refused above for a server, dispatched with the store.
        Command::Import(ImportCmd::Participants(_) | ImportCmd::Contacts(_)) => {
            Err(Failure::new(exit::UNAVAILABLE, t!("error-remote-import")))
        }
        Command::Import(ImportCmd::History(_)) => Err(Failure::new(exit::UNAVAILABLE, t!("error-remote-admin"))),
        Command::Export(a) => export::export(svc, ctx, a).await,
        Command::Organisation(c) => organisation::organisation_cmd(svc, None, ctx, c).await,
        _ => Err(Failure::new(exit::INTERNAL, "unroutable command")),
    }
}

#[cfg(test)]
mod tests {
    //! The English command line is complete: every command, option and value name of the clap
    //! tree has its English text in `en.ftl`, so `--lang en` never shows a Dutch help text.

    use clap::CommandFactory;

    use crate::cli::Cli;

    const EN: &str = include_str!("../locales/en.ftl");
    const NL: &str = include_str!("../locales/nl.ftl");

    fn has_in(file: &str, id: &str) -> bool {
        let prefix = format!("{id} =");
        file.lines().any(|l| l.starts_with(&prefix))
    }

    fn has(id: &str) -> bool {
        has_in(EN, id)
    }

    /// Walks the Dutch (source) tree and names every text that has no English counterpart.
    fn missing(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
        let key = if path.is_empty() { "app-about".to_owned() } else { format!("cmd-{path}") };
        if cmd.get_about().is_none() {
            out.push(format!("{key}: the command has no Dutch description (doc comment)"));
        } else if !has(&key) {
            out.push(format!("{key} ({})", cmd.get_about().map(ToString::to_string).unwrap_or_default()));
        }
        for a in cmd.get_arguments() {
            let id = a.get_id().as_str();
            let ids = [format!("arg-{path}-{id}"), format!("arg-{id}")];
            if a.get_help().is_none() && !ids.iter().any(|k| has_in(NL, k)) {
                out.push(format!("{} (no Dutch help: neither a doc comment nor the message)", ids[0]));
            }
            if !ids.iter().any(|k| has(k)) {
                out.push(format!("arg-{path}-{id} ({})", a.get_help().map(ToString::to_string).unwrap_or_default()));
            }
            for name in a.get_value_names().unwrap_or_default() {
                // The derive's default value name is the (English) field name in capitals.
                let key = super::value_name_id(name.as_str());
                if name.as_str() != id.to_uppercase() && !has(&key) {
                    out.push(format!("{key} = {name} (of {path} --{id})"));
                }
            }
            for v in a.get_possible_values() {
                if v.get_help().is_some() {
                    out.push(format!(
                        "a possible value with its own (untranslatable) help: {path} --{id} {}",
                        v.get_name()
                    ));
                }
            }
        }
        for s in cmd.get_subcommands() {
            let sub = if path.is_empty() { s.get_name().to_owned() } else { format!("{path}-{}", s.get_name()) };
            missing(s, &sub, out);
        }
    }

    /// Every kind of record a not-found error can name has its word in both languages, and the
    /// listing command the error names exists (taking the participant where it says so).
    #[test]
    fn not_found_names_a_listing_command_that_exists() {
        use perspectief_core::error::EntityKind as K;
        let all = [
            K::Participant,
            K::PlanRevision,
            K::Goal,
            K::Agreement,
            K::ContactMoment,
            K::Referral,
            K::ReturnObstacle,
            K::ReturnJudgment,
            K::Consent,
            K::InformationSession,
            K::ChainMeeting,
            K::MeetingItem,
            K::SubsidyPeriod,
            K::User,
            K::Token,
            K::BreakGlassAccess,
            K::BreakGlassReview,
            K::ConsentOverride,
            K::ConsentOverrideReview,
            K::Organisation,
            K::ErasureRequest,
            K::LegalHold,
        ];
        let tree = Cli::command();
        for kind in all {
            let id = format!("entity-{}", kind.as_str());
            assert!(has(&id) && has_in(NL, &id), "{id} lacks a language");
            let Some((listing, takes_participant)) = crate::exit::listing_command(kind) else { continue };
            let mut cmd = &tree;
            for word in listing.split(' ') {
                cmd = cmd.find_subcommand(word).unwrap_or_else(|| panic!("{kind:?}: no command `{listing}`"));
            }
            let positional = cmd.get_positionals().any(|a| a.get_id() == "participant");
            assert_eq!(positional, takes_participant, "{kind:?}: `{listing}` and its participant");
        }
    }

    #[test]
    fn every_help_text_of_the_command_tree_has_an_english_text() {
        let mut out = Vec::new();
        missing(&Cli::command(), "", &mut out);
        assert!(out.is_empty(), "{} texts lack English:\n{}", out.len(), out.join("\n"));
    }
}
