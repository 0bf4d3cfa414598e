//! The top of the command line (clap derive): the global options and the commands. Each
//! command's arguments are defined beside its handler, in `commands/<noun>.rs`. Help texts are
//! Dutch; `--lang en` replaces them with the English texts from `locales/en.ftl` (see
//! `localise` in `main.rs`).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use perspectief_core::document::DocumentLanguage;

use crate::commands::agreement::AgreementCmd;
use crate::commands::audit::AuditCmd;
use crate::commands::backup::BackupArgs;
use crate::commands::consent::ConsentCmd;
use crate::commands::contact::ContactCmd;
use crate::commands::dev::DevCmd;
use crate::commands::export::ExportArgs;
use crate::commands::goal::GoalCmd;
use crate::commands::grant::GrantCmd;
use crate::commands::import::ImportCmd;
use crate::commands::init::InitArgs;
use crate::commands::key::KeyCmd;
use crate::commands::meeting::MeetingCmd;
use crate::commands::misc::{CompletionsArgs, RefArgs};
use crate::commands::organisation::OrganisationCmd;
use crate::commands::outflow::OutflowCmd;
use crate::commands::participant::ParticipantCmd;
use crate::commands::period::PeriodCmd;
use crate::commands::plan::PlanCmd;
use crate::commands::privacy::PrivacyTop;
use crate::commands::referral::ReferralCmd;
use crate::commands::report::ReportCmd;
use crate::commands::returns::ReturnCmd;
use crate::commands::session::SessionCmd;
use crate::commands::token::TokenCmd;
use crate::commands::user::UserCmd;
use crate::commands::worklist::WorklistArgs;
use crate::commands::zrm::ZrmCmd;
use crate::serve::ServeArgs;

/// How results are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    // The values are explained in the option's help (which `--lang en` translates), not here.
    Table,
    Json,
    Csv,
}

/// perspectief: casemanagement voor ongedocumenteerden in de LVV (Amsterdam).
#[derive(Debug, Parser)]
#[command(name = "perspectief", version, max_term_width = 100, disable_help_flag = true, disable_version_flag = true)]
pub struct Cli {
    /// Toon hulp (--help toont meer dan -h)
    #[arg(short, long, global = true, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
    /// Toon de versie
    #[arg(short = 'V', long, action = clap::ArgAction::Version)]
    pub version: Option<bool>,
    /// Het configuratiebestand (TOML); standaard config.toml in de configuratiemap
    #[arg(long, global = true, env = "PERSPECTIEF_CONFIG", value_name = "PAD")]
    pub config: Option<PathBuf>,
    /// De database: sqlite:///PAD of postgres://…; anders PERSPECTIEF_DATABASE_URL, de configuratie of de ingebouwde database
    #[arg(long, global = true, value_name = "URL")]
    pub database: Option<String>,
    /// Het sleutelbestand; anders PERSPECTIEF_KEY, de configuratie of perspectief.key in de configuratiemap
    #[arg(long, global = true, value_name = "PAD")]
    pub key_file: Option<PathBuf>,
    /// Werk via een Perspectief-server (https://host:poort) met het token uit PERSPECTIEF_TOKEN; http:// alleen op deze machine (of met --insecure)
    #[arg(long, global = true, env = "PERSPECTIEF_SERVER", value_name = "URL")]
    pub server: Option<String>,
    /// Controleer het certificaat van de server met dit CA-certificaat (PEM) in plaats van met de CA's die het systeem vertrouwt; anders de configuratie (ca_cert)
    #[arg(long, global = true, env = "PERSPECTIEF_CA_CERT", value_name = "PAD")]
    pub ca_cert: Option<PathBuf>,
    /// Wederzijdse TLS: het clientcertificaat (PEM) voor de server, met --client-key; anders de configuratie (client_cert)
    #[arg(long, global = true, env = "PERSPECTIEF_CLIENT_CERT", value_name = "PAD")]
    pub client_cert: Option<PathBuf>,
    /// Wederzijdse TLS: de privésleutel (PEM) bij --client-cert; anders de configuratie (client_key)
    #[arg(long, global = true, env = "PERSPECTIEF_CLIENT_KEY", value_name = "PAD")]
    pub client_key: Option<PathBuf>,
    /// Sta onversleuteld verkeer over het netwerk toe (alleen om te testen, nooit met echte gegevens): --server http:// naar een andere machine (met een waarschuwing), of serve zonder TLS op een adres buiten deze machine. Zet de controle van certificaten nooit uit.
    #[arg(long, global = true)]
    pub insecure: bool,
    /// De handelende medewerker (gebruikers-id); anders PERSPECTIEF_USER of de configuratie
    #[arg(long = "as", global = true, env = "PERSPECTIEF_USER", value_name = "GEBRUIKER")]
    pub acting: Option<String>,
    /// Taal van de uitvoer: nl (standaard) of en; anders de configuratie, dan LC_ALL/LANG. Bij participant document ook de taal van het document: nl, en, fr, ar, ti, fa (Dari/Farsi) of so
    #[arg(long, global = true, value_parser = parse_lang, value_name = "TAAL")]
    pub lang: Option<DocumentLanguage>,
    /// Uitvoer: table (een leesbare tabel, standaard), json (stabiel, voor scripts) of csv (vaste Engelse kolomnamen)
    #[arg(long, short = 'o', global = true, value_enum, value_name = "VORM", default_value = "table")]
    pub output: OutputFormat,
    /// Meer meldingen op stderr (-v: informatie, -vv: details); zonder -v logt een lokale opdracht niets
    #[arg(short = 'v', long = "verbose", global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Richt een nieuwe installatie in: database, sleutel, eerste beheerder, configuratie
    Init(InitArgs),
    /// Voer openstaande databasemigraties uit
    Migrate,
    /// Start de gRPC-server voor ketenpartners (stop met Ctrl-C)
    Serve(ServeArgs),
    /// Deelnemers: inschrijven, zoeken, inzien, bijwerken, toewijzen
    #[command(subcommand, visible_alias = "deelnemer")]
    Participant(ParticipantCmd),
    /// Het perspectiefplan: inzien, herzien, akkoord, richting
    #[command(subcommand)]
    Plan(PlanCmd),
    /// Doelen in het plan
    #[command(subcommand, visible_alias = "doel")]
    Goal(GoalCmd),
    /// Afspraken
    #[command(subcommand, visible_alias = "afspraak")]
    Agreement(AgreementCmd),
    /// Contactmomenten
    #[command(subcommand)]
    Contact(ContactCmd),
    /// Doorverwijzingen naar ketenpartners
    #[command(subcommand, visible_alias = "verwijzing")]
    Referral(ReferralCmd),
    /// Toestemmingen om gegevens te delen
    #[command(subcommand, visible_alias = "toestemming")]
    Consent(ConsentCmd),
    /// Terugkeer: houding, verkenning, belemmeringen, herintegratie, vertrek, oordeel
    #[command(subcommand, name = "return", visible_alias = "terugkeer")]
    Return(ReturnCmd),
    /// Zelfredzaamheid (ZRM-scores)
    #[command(subcommand)]
    Zrm(ZrmCmd),
    /// Rapportages aan de gemeente
    #[command(subcommand, visible_alias = "rapportage")]
    Report(ReportCmd),
    /// Uitstroom: het einde van het traject
    #[command(subcommand, visible_alias = "uitstroom")]
    Outflow(OutflowCmd),
    /// Informatiebijeenkomsten
    #[command(subcommand, visible_alias = "bijeenkomst")]
    Session(SessionCmd),
    /// Ketenoverleg
    #[command(subcommand, visible_alias = "ketenoverleg")]
    Meeting(MeetingCmd),
    /// Subsidieperioden en doelstellingen
    #[command(subcommand, visible_alias = "periode")]
    Period(PeriodCmd),
    /// Werklijst: verlopen termijnen, afspraken, geen contact, einde traject, onbeantwoorde verwijzingen
    #[command(visible_alias = "werklijst")]
    Worklist(WorklistArgs),
    /// Het toegangslogboek
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Tokens voor de server (alleen lokaal)
    #[command(subcommand)]
    Token(TokenCmd),
    /// Autorisaties van organisaties buiten de stichting: welke gegevenscategorieën, tot welke vertrouwelijkheid (beheerder)
    #[command(subcommand)]
    Grant(GrantCmd),
    /// Gebruikers (alleen lokaal)
    #[command(subcommand, visible_alias = "gebruiker")]
    User(UserCmd),
    /// Het organisatieregister: de stichting, de gemeente en de ketenpartners, met hun korte code (bijhouden: beheerder, alleen lokaal)
    #[command(subcommand, visible_alias = "organisatie")]
    Organisation(OrganisationCmd),
    /// Maak een reservekopie van de SQLite-database (alleen lokaal)
    Backup(BackupArgs),
    /// Versleutelingssleutels: een nieuwe sleutel, alles opnieuw versleutelen, welke sleutels nog nodig zijn (beheerder; alleen lokaal, op de database en het sleutelbestand, nooit via --server)
    #[command(subcommand, visible_alias = "sleutel")]
    Key(KeyCmd),
    /// Voor ontwikkelaars: een lege database vullen met synthetische gegevens (alleen lokaal)
    #[command(subcommand)]
    Dev(DevCmd),
    /// Privacy: inzage-export (AVG art. 15), controlepunten van het logboek, noodtoegang (alleen lokaal)
    #[command(subcommand)]
    Privacy(PrivacyTop),
    /// Importeer een CSV-export van deelnemers of contactmomenten
    #[command(subcommand)]
    Import(ImportCmd),
    /// Exporteer alle dossiers als JSON-regels
    Export(ExportArgs),
    /// Shell-aanvulling voor bash, zsh, fish, ...
    Completions(CompletionsArgs),
    /// De man-pagina (roff)
    Man,
    /// De activiteitennummers van het activiteitenplan
    Activiteiten(RefArgs),
    /// De fasen van een traject
    Fasen(RefArgs),
}

/// `--lang`: an output language (nl, en) or, for participant documents, any document language.
fn parse_lang(value: &str) -> Result<DocumentLanguage, String> {
    DocumentLanguage::parse(value).map_err(|e| e.message)
}
