//! The command-line definition (clap derive). Help texts here are Dutch; `--lang en` replaces
//! them with the English texts from `locales/en.ftl` (see `localise`).

use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use perspectief_core::access::{ConfidentialityLevel, DataCategory, Role};
use perspectief_core::contact::{ContactKind, PartnerDomain, ReferralStatus};
use perspectief_core::document::{DocumentKind, DocumentLanguage};
use perspectief_core::meeting::Advice;
use perspectief_core::organisation::OrganisationKind;
use perspectief_core::outflow::OutflowOutcome;
use perspectief_core::plan::{Direction, GoalStatus, ReturnStance};
use perspectief_core::returns::{DepartureStepKind, ObstacleKind, ObstacleStatus, Verdict};
use perspectief_core::trajectory::Phase;

use crate::args::{parse_date, parse_instant, parse_tristate};
use crate::choice;

/// How results are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Een leesbare tabel (standaard)
    Table,
    /// JSON (stabiel, voor scripts)
    Json,
    /// CSV met vaste Engelse kolomnamen
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
    /// Uitvoer: table, json of csv
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

#[derive(Debug, Args)]
pub struct RefArgs {
    /// Als JSON (hetzelfde als --output json)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Naam van de eerste beheerder (anders wordt ernaar gevraagd)
    #[arg(long)]
    pub name: Option<String>,
    /// Overschrijf een bestaand configuratiebestand
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
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
    /// Leesbare regels
    Text,
    /// JSON, één object per regel
    Json,
}

/// Writes: the version the change is based on.
#[derive(Debug, Args, Clone, Copy)]
pub struct Expect {
    /// Weiger als het dossier niet meer deze versie heeft (standaard: de versie die net gelezen is)
    #[arg(long = "expect-version", value_name = "VERSIE")]
    pub version: Option<u64>,
}

#[derive(Debug, Args, Default)]
pub struct ProfileArgs {
    /// Voornamen
    #[arg(long)]
    pub given_names: Option<String>,
    /// Achternaam
    #[arg(long)]
    pub family_name: Option<String>,
    /// Aliassen (herhaalbaar)
    #[arg(long = "alias", value_name = "NAAM")]
    pub aliases: Vec<String>,
    /// Geboortedatum: JJJJ-MM-DD, JJJJ-MM, JJJJ of ~JJJJ (geschat)
    #[arg(long, value_name = "DATUM")]
    pub date_of_birth: Option<String>,
    /// Land van herkomst (ISO 3166, bijv. ER)
    #[arg(long, value_name = "LAND")]
    pub country_of_origin: Option<String>,
    /// Nationaliteit (ISO 3166, staatloos of onbekend; herhaalbaar)
    #[arg(long = "nationality", value_name = "LAND")]
    pub nationalities: Vec<String>,
    /// Taal (ISO 639, herhaalbaar)
    #[arg(long = "language", value_name = "TAAL")]
    pub languages: Vec<String>,
    /// IND V-nummer (10 cijfers)
    #[arg(long, value_name = "NUMMER")]
    pub v_number: Option<String>,
    /// LVV-locatie
    #[arg(long, value_name = "LOCATIE")]
    pub lvv_location: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ParticipantCmd {
    /// Schrijf een deelnemer in (vraagt op een terminal om wat ontbreekt)
    #[command(visible_alias = "inschrijven")]
    Register {
        #[command(flatten)]
        profile: ProfileArgs,
        /// Datum van inschrijving (start van het traject); standaard vandaag
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        registered_on: Option<NaiveDate>,
        /// Projectmedewerker (standaard de handelende medewerker)
        #[arg(long, value_name = "GEBRUIKER")]
        worker: Option<String>,
    },
    /// Lijst van deelnemers
    #[command(visible_alias = "ls")]
    List {
        /// Alleen deze projectmedewerker ("ik" voor uzelf)
        #[arg(long, value_name = "GEBRUIKER")]
        worker: Option<String>,
        /// Alleen deze fase
        #[arg(long, value_parser = choice!(Phase, ["intake", "orientation", "plan_execution", "termination", "closed"]))]
        phase: Option<Phase>,
        /// Ook afgesloten trajecten
        #[arg(long)]
        all: bool,
    },
    /// Het dossier van een deelnemer
    Show {
        /// Deelnemer (id of begin ervan)
        participant: String,
    },
    /// Corrigeer of vul persoonsgegevens aan
    Update {
        participant: String,
        #[command(flatten)]
        profile: ProfileArgs,
        /// Verwijder de achternaam, geboortedatum, ... (veldnaam; herhaalbaar)
        #[arg(long, value_name = "VELD", value_parser = ["family_name", "date_of_birth", "country_of_origin", "v_number", "lvv_location", "aliases", "nationalities", "languages"])]
        clear: Vec<String>,
        #[command(flatten)]
        expect: Expect,
    },
    /// Verhoog de vertrouwelijkheid van een gegevenscategorie van dit dossier (of zet haar terug)
    #[command(visible_alias = "vertrouwelijkheid")]
    Confidentiality {
        participant: String,
        #[arg(long, value_parser = choice!(DataCategory, ["identity", "guidance", "legal", "medical_psychosocial", "criminal_history", "return", "reports"]))]
        category: DataCategory,
        #[arg(long, value_parser = choice!(ConfidentialityLevel, ["openbaar", "beperkt_openbaar", "intern", "zaakvertrouwelijk", "vertrouwelijk", "confidentieel", "geheim", "zeer_geheim"]))]
        level: ConfidentialityLevel,
        /// Waarom
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        expect: Expect,
    },
    /// Wijs een andere projectmedewerker toe
    Assign {
        participant: String,
        /// De nieuwe projectmedewerker
        #[arg(long, value_name = "GEBRUIKER")]
        worker: String,
        #[command(flatten)]
        expect: Expect,
    },
    /// Zet het traject in een andere fase
    Phase {
        participant: String,
        #[arg(long, value_parser = choice!(Phase, ["intake", "orientation", "plan_execution", "termination", "closed"]))]
        to: Phase,
        /// Reden
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        expect: Expect,
    },
    /// De gebeurtenissen in een dossier
    History {
        participant: String,
        /// Alleen de correcties van persoonsgegevens: veld, oude en nieuwe waarde (AVG art. 16)
        #[arg(long)]
        corrections: bool,
    },
    // ---- Documenten voor de deelnemer (#20) ----
    /// Document voor de deelnemer in diens eigen taal (--lang): "Mijn perspectiefplan" of het informatieblad, als afdrukbare HTML (A4)
    #[command(visible_alias = "document-deelnemer")]
    Document {
        participant: String,
        /// Welk document: plan (Mijn perspectiefplan) of sheet (informatieblad over rechten en mogelijkheden)
        #[arg(long, value_parser = parse_document_kind, default_value = "plan", value_name = "DOCUMENT")]
        kind: DocumentKind,
        /// Schrijf het document naar dit bestand (HTML)
        #[arg(long, value_name = "BESTAND")]
        html: PathBuf,
        /// Leg vast dat het document vandaag aan de deelnemer is overhandigd (contactmoment, 5.2.c)
        #[arg(long)]
        hand_over: bool,
        #[command(flatten)]
        expect: Expect,
    },
}

/// `--lang`: an output language (nl, en) or, for participant documents, any document language.
fn parse_lang(value: &str) -> Result<DocumentLanguage, String> {
    DocumentLanguage::parse(value).map_err(|e| e.message)
}

fn parse_document_kind(value: &str) -> Result<DocumentKind, String> {
    DocumentKind::parse(value).map_err(|e| e.message)
}

#[derive(Debug, Subcommand)]
pub enum PlanCmd {
    /// Het plan met zijn herzieningen
    Show { participant: String },
    /// Stel het plan op (eerste keer) of herzie het
    #[command(visible_alias = "opstellen")]
    Revise {
        participant: String,
        /// De persoonlijke situatie
        #[arg(long)]
        situation: String,
        /// Het perspectief en de stappen
        #[arg(long)]
        perspective: String,
        #[command(flatten)]
        expect: Expect,
    },
    /// De deelnemer gaat akkoord met de laatste herziening
    #[command(visible_alias = "akkoord")]
    Agree {
        participant: String,
        /// Herziening (standaard de laatste)
        #[arg(long)]
        revision: Option<u32>,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        on: Option<NaiveDate>,
        #[command(flatten)]
        expect: Expect,
    },
    /// Wijzig de richting van het plan
    #[command(visible_alias = "richting")]
    Direction {
        participant: String,
        #[arg(long, value_parser = choice!(Direction, ["undecided", "legal_procedure_nl", "return_to_origin", "third_country"]))]
        to: Direction,
        /// Onderbouwing
        #[arg(long)]
        reasoning: String,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        on: Option<NaiveDate>,
        #[command(flatten)]
        expect: Expect,
    },
}

#[derive(Debug, Subcommand)]
pub enum GoalCmd {
    /// Voeg een doel toe
    #[command(visible_alias = "toevoegen")]
    Add {
        participant: String,
        /// Wat
        #[arg(long)]
        description: String,
        /// Waarom
        #[arg(long)]
        rationale: Option<String>,
        /// Termijn (datum of +14, +2w, +1m)
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        deadline: NaiveDate,
        /// Wie: participant, staff[:GEBRUIKER] of partner:ORGANISATIE (standaard participant)
        #[arg(long, default_value = "participant")]
        responsible: String,
        /// Betrokken partner (organisatie; herhaalbaar)
        #[arg(long = "partner", value_name = "ORGANISATIE")]
        partners: Vec<String>,
        /// Volgende stappen
        #[arg(long)]
        next_steps: Option<String>,
        #[command(flatten)]
        expect: Expect,
    },
    /// Wijzig de status of de volgende stappen van een doel
    Update {
        participant: String,
        goal: String,
        #[arg(long, value_parser = choice!(GoalStatus, ["open", "in_progress", "achieved", "missed", "dropped"]))]
        status: Option<GoalStatus>,
        /// Nieuwe termijn (bij hervatten van een gemist doel)
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        deadline: Option<NaiveDate>,
        #[arg(long)]
        next_steps: Option<String>,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        on: Option<NaiveDate>,
        #[command(flatten)]
        expect: Expect,
    },
    /// Markeer een doel als behaald
    #[command(visible_alias = "behaald")]
    Done {
        participant: String,
        goal: String,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        on: Option<NaiveDate>,
        #[command(flatten)]
        expect: Expect,
    },
    /// De doelen van een deelnemer
    #[command(visible_alias = "ls")]
    List { participant: String },
}

#[derive(Debug, Subcommand)]
pub enum AgreementCmd {
    /// Leg een afspraak vast (buiten een contactmoment)
    Add {
        participant: String,
        #[arg(long)]
        description: String,
        /// Wanneer
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        due: NaiveDate,
        /// Wie moet iets doen: participant, staff[:GEBRUIKER] of partner:ORGANISATIE
        #[arg(long, default_value = "participant")]
        who: String,
        /// Gegevenscategorie van de inhoud
        #[arg(long, default_value = "guidance", value_parser = choice!(DataCategory, ["guidance", "legal", "medical_psychosocial", "criminal_history", "return"]))]
        category: DataCategory,
        #[command(flatten)]
        expect: Expect,
    },
    /// Een afspraak is nagekomen (of met --not-fulfilled: niet)
    Done {
        participant: String,
        agreement: String,
        #[arg(long)]
        not_fulfilled: bool,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        on: Option<NaiveDate>,
        #[command(flatten)]
        expect: Expect,
    },
    /// De afspraken van een deelnemer
    #[command(visible_alias = "ls")]
    List { participant: String },
}

#[derive(Debug, Args, Default)]
pub struct ContactArgs {
    /// Soort contact
    #[arg(long, value_parser = choice!(ContactKind, ["individual_talk", "phone", "group_session", "chain_meeting", "partner_contact", "shelter_visit", "accompaniment", "monitoring"]))]
    pub kind: Option<ContactKind>,
    /// Wanneer (JJJJ-MM-DD UU:MM, Amsterdamse tijd; standaard nu)
    #[arg(long, value_parser = parse_instant, value_name = "MOMENT")]
    pub at: Option<DateTime<Utc>>,
    /// Waar: office, remote, lvv:NAAM, partner:NAAM of external:NAAM
    #[arg(long, value_name = "PLAATS")]
    pub location: Option<String>,
    /// Activiteitnummer(s), bijv. 5.2.a(2) (herhaalbaar; zie `perspectief activiteiten`)
    #[arg(long = "activity", value_name = "CODE")]
    pub activities: Vec<String>,
    /// Samenvatting van het gesprek
    #[arg(long)]
    pub summary: Option<String>,
    /// Gegevenscategorie van de inhoud
    #[arg(long, value_parser = choice!(DataCategory, ["guidance", "legal", "medical_psychosocial", "criminal_history", "return"]))]
    pub category: Option<DataCategory>,
    /// Betrokken partner (organisatie)
    #[arg(long, value_name = "ORGANISATIE")]
    pub partner: Option<String>,
    /// Duur in minuten
    #[arg(long, value_name = "MINUTEN")]
    pub duration: Option<u32>,
    /// Andere aanwezige medewerkers (herhaalbaar)
    #[arg(long = "staff", value_name = "GEBRUIKER")]
    pub staff: Vec<String>,
    /// Gemaakte afspraak: "OMSCHRIJVING@DATUM" (herhaalbaar; de deelnemer moet iets doen)
    #[arg(long = "agreement", value_name = "AFSPRAAK@DATUM")]
    pub agreements: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum ContactCmd {
    /// Leg een contactmoment vast (vraagt op een terminal om wat ontbreekt)
    #[command(visible_alias = "vastleggen")]
    Log {
        participant: String,
        #[command(flatten)]
        contact: ContactArgs,
        #[command(flatten)]
        expect: Expect,
    },
    /// De contactmomenten van een deelnemer
    #[command(visible_alias = "ls")]
    List { participant: String },
}

#[derive(Debug, Subcommand)]
pub enum ReferralCmd {
    /// Stel een doorverwijzing voor
    Add {
        participant: String,
        /// De partner (organisatie)
        #[arg(long, value_name = "ORGANISATIE")]
        partner: String,
        /// Domein
        #[arg(long, value_parser = choice!(PartnerDomain, ["legal", "medical", "return", "shelter", "activities"]))]
        domain: PartnerDomain,
        /// Waarom
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        expect: Expect,
    },
    /// Zet een doorverwijzing een stap verder
    Update {
        participant: String,
        referral: String,
        #[arg(long, value_parser = choice!(ReferralStatus, ["sent", "accepted", "rejected", "completed", "revoked"]))]
        status: ReferralStatus,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        on: Option<NaiveDate>,
        #[arg(long)]
        note: Option<String>,
        /// Bij versturen zonder toestemming van de deelnemer voor deze partner: waarom toch
        /// (alleen de projectleider; wordt vastgelegd en beoordeeld)
        #[arg(long, value_name = "REDEN")]
        override_reason: Option<String>,
        #[command(flatten)]
        expect: Expect,
    },
    /// De doorverwijzingen van een deelnemer
    #[command(visible_alias = "ls")]
    List { participant: String },
}

#[derive(Debug, Subcommand)]
pub enum ConsentCmd {
    /// Leg een toestemming vast
    Give {
        participant: String,
        /// De ontvangende organisatie
        #[arg(long, value_name = "ORGANISATIE")]
        organisation: String,
        /// Gegevenscategorie (herhaalbaar)
        #[arg(long = "category", required = true, value_parser = choice!(DataCategory, ["identity", "guidance", "legal", "medical_psychosocial", "criminal_history", "return", "reports"]))]
        categories: Vec<DataCategory>,
        /// Doel van het delen
        #[arg(long)]
        purpose: String,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        on: Option<NaiveDate>,
        #[command(flatten)]
        expect: Expect,
    },
    /// Trek een toestemming in
    Withdraw {
        participant: String,
        consent: String,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        on: Option<NaiveDate>,
        #[command(flatten)]
        expect: Expect,
    },
    /// De toestemmingen van een deelnemer
    #[command(visible_alias = "ls")]
    List { participant: String },
}

#[derive(Debug, Args, Default)]
pub struct FindingsArgs {
    /// Motivatie
    #[arg(long)]
    pub motivation: Option<String>,
    /// Documenten
    #[arg(long)]
    pub documents: Option<String>,
    /// Contact met familie
    #[arg(long)]
    pub family_contact: Option<String>,
    /// Vooruitzichten
    #[arg(long)]
    pub prospects: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ReturnCmd {
    /// Wat de deelnemer over terugkeer zegt
    #[command(visible_alias = "houding")]
    Stance {
        participant: String,
        #[arg(long, value_parser = choice!(ReturnStance, ["not_discussed", "not_considering", "considering", "decided"]))]
        stance: ReturnStance,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        on: Option<NaiveDate>,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        expect: Expect,
    },
    /// Start de terugkeerverkenning, of werk de bevindingen bij
    #[command(visible_alias = "verken")]
    Explore {
        participant: String,
        #[command(flatten)]
        findings: FindingsArgs,
        /// Startdatum (alleen bij de start)
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        on: Option<NaiveDate>,
        #[command(flatten)]
        expect: Expect,
    },
    /// Leg een belemmering vast
    #[command(visible_alias = "belemmering")]
    Obstacle {
        participant: String,
        #[arg(long, value_parser = choice!(ObstacleKind, ["motivation", "missing_documents", "family_contact", "housing_work_plan", "finances", "medical_psychosocial", "other"]))]
        kind: ObstacleKind,
        #[arg(long)]
        description: String,
        #[arg(long, value_name = "ORGANISATIE")]
        partner: Option<String>,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        on: Option<NaiveDate>,
        #[command(flatten)]
        expect: Expect,
    },
    /// Werk aan een belemmering (status: being_addressed, removed, cannot_be_removed)
    ObstacleAction {
        participant: String,
        obstacle: String,
        /// Wat er gedaan is
        #[arg(long)]
        description: String,
        #[arg(long, value_parser = choice!(ObstacleStatus, ["being_addressed", "removed", "cannot_be_removed"]))]
        status: ObstacleStatus,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        on: Option<NaiveDate>,
        #[command(flatten)]
        expect: Expect,
    },
    /// Een belemmering is weggenomen
    RemoveObstacle {
        participant: String,
        obstacle: String,
        #[arg(long)]
        description: String,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        on: Option<NaiveDate>,
        #[command(flatten)]
        expect: Expect,
    },
    /// Werk het herintegratieplan bij
    Reintegration {
        participant: String,
        #[arg(long)]
        housing: Option<String>,
        #[arg(long)]
        income_work: Option<String>,
        #[arg(long)]
        business_plan: Option<String>,
        #[arg(long)]
        care: Option<String>,
        #[arg(long)]
        contacts_abroad: Option<String>,
        #[command(flatten)]
        expect: Expect,
    },
    /// Leg een stap in de vertrekvoorbereiding vast, of plan het vertrek
    Departure {
        participant: String,
        /// Soort stap
        #[arg(long, requires = "note", value_parser = choice!(DepartureStepKind, ["documents", "embassy_visit", "dtv_coordination", "iom_coordination", "other"]))]
        step: Option<DepartureStepKind>,
        /// Toelichting bij de stap
        #[arg(long)]
        note: Option<String>,
        /// Datum van de stap
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        on: Option<NaiveDate>,
        /// Plan de vertrekdatum
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        date: Option<NaiveDate>,
        /// Begeleiding naar Schiphol (bij het plannen)
        #[arg(long)]
        schiphol: bool,
        #[command(flatten)]
        expect: Expect,
    },
    /// Werk de REAN-checklist bij (ja/nee/onbekend)
    Rean {
        participant: String,
        #[arg(long, value_parser = parse_tristate, value_name = "JA/NEE")]
        no_assisted_return_in_five_years: Option<crate::args::Tri>,
        #[arg(long, value_parser = parse_tristate, value_name = "JA/NEE")]
        travel_document_obtainable: Option<crate::args::Tri>,
        #[arg(long, value_parser = parse_tristate, value_name = "JA/NEE")]
        agrees_procedures_end: Option<crate::args::Tri>,
        #[command(flatten)]
        expect: Expect,
    },
    /// Leg een oordeel over het terugkeerperspectief vast
    #[command(visible_alias = "oordeel")]
    Judgment {
        participant: String,
        #[arg(long, value_parser = choice!(Verdict, ["return_realistic", "return_not_realistic_now", "return_not_possible", "no_cooperation"]))]
        verdict: Verdict,
        /// Definitief (anders voorlopig)
        #[arg(long = "final")]
        is_final: bool,
        #[arg(long)]
        reasoning: String,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        on: Option<NaiveDate>,
        #[command(flatten)]
        expect: Expect,
    },
    /// Het oordeel is meegedeeld: aan participant, municipality of partner:ORGANISATIE
    Communicated {
        participant: String,
        judgment: String,
        #[arg(long)]
        to: String,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        on: Option<NaiveDate>,
        #[command(flatten)]
        expect: Expect,
    },
    /// De gevolgen van het oordeel zijn uitgelegd aan de deelnemer
    Consequences {
        participant: String,
        judgment: String,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        on: Option<NaiveDate>,
        #[command(flatten)]
        expect: Expect,
    },
    /// Het terugkeerspoor van een deelnemer
    Show { participant: String },
}

#[derive(Debug, Subcommand)]
pub enum ZrmCmd {
    /// Leg ZRM-scores vast: --score finances=3 --score housing=2 ...
    Record {
        participant: String,
        #[arg(long = "score", required = true, value_name = "DOMEIN=SCORE")]
        scores: Vec<String>,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        on: Option<NaiveDate>,
        #[command(flatten)]
        expect: Expect,
    },
    /// De ZRM-metingen van een deelnemer
    #[command(visible_alias = "ls")]
    List { participant: String },
}

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// Verantwoording per subsidieperiode: gerealiseerd tegen streefcijfer per activiteit en thema
    Subsidy {
        /// De subsidieperiode (id, of het begin of eind ervan)
        period: String,
        /// Peildatum (standaard vandaag)
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        as_of: Option<NaiveDate>,
        /// Schrijf de afdrukbare HTML-versie (met grafieken) naar dit bestand
        #[arg(long, value_name = "BESTAND")]
        html: Option<PathBuf>,
        /// Schrijf de Markdown-versie naar dit bestand
        #[arg(long, value_name = "BESTAND")]
        markdown: Option<PathBuf>,
    },
    /// De deelnemers (interne id's) achter een cijfer van de verantwoording
    Drilldown {
        /// De subsidieperiode
        period: String,
        /// Het cijfer: een activiteitnummer (5.2.a(2)), theme:inform|activate|guide|evaluate, reached, departed of outflow:UITKOMST
        figure: String,
        /// Peildatum (standaard vandaag)
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        as_of: Option<NaiveDate>,
        /// Alleen deze maand (JJJJ-MM)
        #[arg(long, value_name = "MAAND")]
        month: Option<String>,
        /// Alleen deze nationaliteit (landcode; - voor onbekend)
        #[arg(long, value_name = "LAND")]
        nationality: Option<String>,
        /// Alleen deze LVV-locatie (- voor onbekend)
        #[arg(long, value_name = "LOCATIE")]
        location: Option<String>,
        /// Alleen deze projectmedewerker
        #[arg(long, value_name = "GEBRUIKER")]
        worker: Option<String>,
    },
    /// Voortgangsrapportage voor de casemanager van de gemeente (5.2.e)
    Progress {
        participant: String,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        from: NaiveDate,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        to: NaiveDate,
        /// Schrijf de afdrukbare HTML-versie naar dit bestand
        #[arg(long, value_name = "BESTAND")]
        html: Option<PathBuf>,
        /// Schrijf de Markdown-versie naar dit bestand
        #[arg(long, value_name = "BESTAND")]
        markdown: Option<PathBuf>,
    },
    /// Zelfredzaamheid (ZRM, 5.2.d) van een subsidieperiode: gemiddelde verandering per domein tussen eerste en laatste meting, voor deelnemers met ten minste twee metingen
    Zrm {
        /// De subsidieperiode (id, of het begin of eind ervan)
        period: String,
        /// Schrijf de afdrukbare HTML-versie (met grafiek) naar dit bestand
        #[arg(long, value_name = "BESTAND")]
        html: Option<PathBuf>,
    },
    /// Agenda voor het ketenoverleg: wie besproken moet worden en waarom (3.2.f/g)
    Agenda {
        /// De datum van het overleg (standaard vandaag)
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        date: Option<NaiveDate>,
        /// Geen contact sinds meer dan zoveel dagen (standaard 21)
        #[arg(long, value_name = "DAGEN")]
        no_contact_days: Option<u32>,
        /// Einde traject binnen zoveel weken (standaard 12)
        #[arg(long, value_name = "WEKEN")]
        limit_weeks: Option<u32>,
        /// Schrijf de agenda als Markdown naar dit bestand
        #[arg(long, value_name = "BESTAND")]
        markdown: Option<PathBuf>,
    },
    /// Leg vast dat een voortgangsrapportage is verstuurd
    Sent {
        participant: String,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        from: NaiveDate,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        to: NaiveDate,
        /// De gemeente (organisatie)
        #[arg(long, value_name = "ORGANISATIE")]
        sent_to: String,
        #[command(flatten)]
        expect: Expect,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutflowCmd {
    /// Leg de uitstroom vast: dit beëindigt het traject
    Record {
        participant: String,
        #[arg(long, value_parser = choice!(OutflowOutcome, ["departed_independently_supervised", "departed_forced", "departed_without_supervision", "residence_permit_granted", "new_asylum_application", "other_new_procedure", "departure_postponed_medical", "onward_migration", "moved_to_other_shelter", "ended_by_chain_decision", "deceased", "other"]))]
        outcome: OutflowOutcome,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        on: Option<NaiveDate>,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        expect: Expect,
    },
}

#[derive(Debug, Subcommand)]
pub enum SessionCmd {
    /// Plan een informatiebijeenkomst
    Create {
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        date: NaiveDate,
        /// Thema
        #[arg(long, required_unless_present = "country", conflicts_with = "country")]
        theme: Option<String>,
        /// Land (ISO 3166)
        #[arg(long)]
        country: Option<String>,
        /// Locatie
        #[arg(long)]
        venue: String,
        /// Taal (herhaalbaar)
        #[arg(long = "language", value_name = "TAAL")]
        languages: Vec<String>,
        /// Begeleiders (standaard de handelende medewerker; herhaalbaar)
        #[arg(long = "facilitator", value_name = "GEBRUIKER")]
        facilitators: Vec<String>,
        #[arg(long, value_name = "ORGANISATIE")]
        partner: Option<String>,
    },
    /// Registreer aanwezigheid (of met --remove: haal weg)
    Attend {
        session: String,
        /// Deelnemers (herhaalbaar)
        #[arg(long = "participant", value_name = "DEELNEMER")]
        participants: Vec<String>,
        /// Aantal aanwezigen zonder inschrijving
        #[arg(long, value_name = "AANTAL")]
        head_count: Option<u32>,
        #[arg(long)]
        remove: bool,
    },
    /// Verplaats een bijeenkomst
    Reschedule {
        session: String,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        date: NaiveDate,
    },
    /// Zeg een bijeenkomst af
    Cancel {
        session: String,
        #[arg(long)]
        reason: String,
    },
    /// Bijeenkomsten in een periode
    #[command(visible_alias = "ls")]
    List {
        #[arg(long, value_parser = parse_date, value_name = "DATUM", default_value = "-3m")]
        from: NaiveDate,
        #[arg(long, value_parser = parse_date, value_name = "DATUM", default_value = "+3m")]
        to: NaiveDate,
    },
    /// Eén bijeenkomst
    Show { session: String },
}

#[derive(Debug, Subcommand)]
pub enum MeetingCmd {
    /// Plan een ketenoverleg
    Schedule {
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        date: NaiveDate,
    },
    /// Zet een deelnemer op de agenda; redenen: deadline_passed, no_contact:DAGEN, limit_approaching:DAGEN, judgment_pending_or_changed, obstacle_stalled, termination_advice_due, other:TEKST
    Agenda {
        meeting: String,
        #[arg(long)]
        participant: String,
        #[arg(long = "reason", required = true, value_name = "REDEN")]
        reasons: Vec<String>,
    },
    /// Leg de bespreking vast
    Record {
        meeting: String,
        #[arg(long)]
        participant: String,
        /// Aangeleverde informatie
        #[arg(long)]
        information: Option<String>,
        /// Besluit
        #[arg(long)]
        decision: Option<String>,
    },
    /// Advies over beëindiging
    Advise {
        meeting: String,
        #[arg(long)]
        participant: String,
        #[arg(long, value_parser = choice!(Advice, ["continue", "end_guidance", "end_guidance_and_shelter"]))]
        advice: Advice,
        #[arg(long)]
        reasoning: String,
    },
    /// Besluit van het ketenoverleg over het advies
    Decide {
        meeting: String,
        #[arg(long)]
        participant: String,
        /// Het advies is overgenomen (anders: niet overgenomen)
        #[arg(long)]
        adopted: bool,
        #[arg(long)]
        note: Option<String>,
    },
    /// Het beëindigingsgesprek is gevoerd
    Talk {
        meeting: String,
        #[arg(long)]
        participant: String,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        on: Option<NaiveDate>,
    },
    /// Eén ketenoverleg
    Show { meeting: String },
}

#[derive(Debug, Subcommand)]
pub enum PeriodCmd {
    /// Leg een subsidieperiode vast met doelen: --target 3.2.a=200 --target B=200
    Define {
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        from: NaiveDate,
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        to: NaiveDate,
        #[arg(long = "target", value_name = "CODE=AANTAL")]
        targets: Vec<String>,
    },
    /// Alle subsidieperioden
    #[command(visible_alias = "ls")]
    List,
}

#[derive(Debug, Args)]
pub struct WorklistArgs {
    /// Van deze projectmedewerker (standaard uzelf)
    #[arg(long, value_name = "GEBRUIKER", conflicts_with = "all")]
    pub worker: Option<String>,
    /// Van iedereen
    #[arg(long)]
    pub all: bool,
    /// Voor deze dag
    #[arg(long, value_parser = parse_date, value_name = "DATUM")]
    pub today: Option<NaiveDate>,
    /// Meld deelnemers zonder ZRM-meting sinds meer dan zoveel maanden (standaard 6)
    #[arg(long, value_name = "MAANDEN", value_parser = clap::value_parser!(u32).range(1..=120))]
    pub no_assessment_months: Option<u32>,
    /// Hoogstens zoveel regels per lijst (0: alles)
    #[arg(long, default_value_t = 0, value_name = "AANTAL")]
    pub page_size: u32,
    /// Ga verder na de vorige pagina (het token dat die noemde)
    #[arg(long, value_name = "TOKEN")]
    pub page_token: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Regels uit het toegangslogboek
    Log {
        /// Alleen over deze deelnemer
        #[arg(long)]
        participant: Option<String>,
        /// Na dit volgnummer
        #[arg(long, default_value_t = 0)]
        after: u64,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Controleer de hashketen van het logboek
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Maak een token voor een gebruiker (wordt één keer getoond)
    Create {
        #[arg(long, value_name = "GEBRUIKER")]
        user: String,
        #[arg(long, default_value = "cli")]
        label: String,
        /// Geldig voor dit aantal dagen (1 tot 366)
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
    /// Trek een token in
    Revoke { token: String },
    /// Bevestig, als tweede persoon, een token van een account dat dossiers kan lezen (projectleider, ook de houder zelf)
    Confirm {
        /// Het token (id)
        token: String,
    },
    /// Tokens (nooit hun geheim)
    #[command(visible_alias = "ls")]
    List {
        #[arg(long, value_name = "GEBRUIKER")]
        user: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum GrantCmd {
    /// Leg de autorisatie van een organisatie vast (vervangt de vorige)
    Set {
        /// De organisatie (code uit het register, zoals IOM, of id)
        organisation: String,
        /// Gegevenscategorie die zij mag ontvangen (herhaalbaar)
        #[arg(long = "category", required = true, value_parser = choice!(DataCategory, ["identity", "guidance", "legal", "medical_psychosocial", "criminal_history", "return", "reports"]))]
        categories: Vec<DataCategory>,
        /// Hoogste vertrouwelijkheid (ZGW-niveau)
        #[arg(long, value_parser = choice!(ConfidentialityLevel, ["openbaar", "beperkt_openbaar", "intern", "zaakvertrouwelijk", "vertrouwelijk", "confidentieel", "geheim", "zeer_geheim"]))]
        max_level: ConfidentialityLevel,
    },
    /// Trek de autorisatie van een organisatie in: zij ontvangt dan niets meer
    Remove { organisation: String },
    /// Alle autorisaties
    #[command(visible_alias = "ls")]
    List,
}

#[derive(Debug, Subcommand)]
pub enum OrganisationCmd {
    /// Registreer een organisatie (beheerder)
    Add {
        /// Korte code die medewerkers typen, zoals IOM, ASKV of GEMEENTE (2 tot 16 letters, cijfers en streepjes)
        #[arg(long)]
        code: String,
        /// Naam van de organisatie
        #[arg(long)]
        name: String,
        /// Soort organisatie
        #[arg(long, value_parser = choice!(OrganisationKind, ["municipality", "government_agency", "ngo", "medical", "international_organisation"]))]
        kind: OrganisationKind,
        /// Domein waarin zij werkt (herhaalbaar)
        #[arg(long = "domain", value_parser = choice!(PartnerDomain, ["legal", "medical", "return", "shelter", "activities"]))]
        domains: Vec<PartnerDomain>,
        /// Telefoonnummer van de organisatie
        #[arg(long)]
        phone: Option<String>,
        /// E-mailadres van de organisatie
        #[arg(long)]
        email: Option<String>,
        /// Adres van de organisatie (één regel)
        #[arg(long)]
        address: Option<String>,
        /// Registreer een id dat al in gebruik is (bijvoorbeeld uit oudere dossiers); anders een nieuw id
        #[arg(long, value_name = "ID")]
        id: Option<String>,
    },
    /// Wijzig een organisatie (beheerder)
    Update {
        /// De organisatie (code of id)
        organisation: String,
        /// Nieuwe code
        #[arg(long)]
        code: Option<String>,
        /// Nieuwe naam
        #[arg(long)]
        name: Option<String>,
        /// Nieuwe soort
        #[arg(long, value_parser = choice!(OrganisationKind, ["foundation", "municipality", "government_agency", "ngo", "medical", "international_organisation"]))]
        kind: Option<OrganisationKind>,
        /// De domeinen (herhaalbaar; vervangt de vorige)
        #[arg(long = "domain", value_parser = choice!(PartnerDomain, ["legal", "medical", "return", "shelter", "activities"]))]
        domains: Vec<PartnerDomain>,
        /// Nieuw telefoonnummer
        #[arg(long)]
        phone: Option<String>,
        /// Nieuw e-mailadres
        #[arg(long)]
        email: Option<String>,
        /// Nieuw adres
        #[arg(long)]
        address: Option<String>,
        /// Wis een gegeven (herhaalbaar): domains, phone, email, address
        #[arg(long, value_parser = ["domains", "phone", "email", "address"])]
        clear: Vec<String>,
        /// Niet meer actief: geen nieuwe verwijzingen, toestemmingen of accounts
        #[arg(long, conflicts_with = "activate")]
        deactivate: bool,
        /// Weer actief
        #[arg(long)]
        activate: bool,
    },
    /// Alle organisaties, op code
    #[command(visible_alias = "ls")]
    List {
        /// Ook de niet-actieve
        #[arg(long)]
        all: bool,
        /// Alleen van deze soort
        #[arg(long, value_parser = choice!(OrganisationKind, ["foundation", "municipality", "government_agency", "ngo", "medical", "international_organisation"]))]
        kind: Option<OrganisationKind>,
        /// Alleen die in dit domein werken
        #[arg(long, value_parser = choice!(PartnerDomain, ["legal", "medical", "return", "shelter", "activities"]))]
        domain: Option<PartnerDomain>,
    },
    /// Eén organisatie
    Show {
        /// De organisatie (code of id)
        organisation: String,
    },
    /// Neem het [organisations]-deel van het configuratiebestand over in het register en haal het daarna weg (beheerder)
    ImportConfig,
}

impl OrganisationCmd {
    /// Whether this keeps the register (the administrator's, on the database itself).
    pub fn is_administration(&self) -> bool {
        matches!(self, Self::Add { .. } | Self::Update { .. } | Self::ImportConfig)
    }
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Voeg een gebruiker toe
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = choice!(Role, ["project_worker", "project_lead", "municipal_case_manager", "chain_partner", "auditor", "administrator"]))]
        role: Role,
        /// Organisatie, code of id (voor partners en de gemeente; medewerkers horen bij de stichting)
        #[arg(long, value_name = "ORGANISATIE")]
        organisation: Option<String>,
        /// Maak deze gebruiker de standaard handelende gebruiker in de configuratie
        #[arg(long)]
        default: bool,
    },
    /// Alle gebruikers
    #[command(visible_alias = "ls")]
    List,
    /// Blokkeer een gebruiker (of met --enable: deblokkeer)
    Disable {
        user: String,
        #[arg(long)]
        enable: bool,
    },
    /// Bevestig, als tweede persoon, een account dat dossiers kan lezen (projectleider; daarna werken de bevestigde tokens ervan)
    Confirm {
        /// De gebruiker (id)
        user: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum PrivacyCmd {
    /// Alles wat over een deelnemer is vastgelegd, met wie wat ontving en het toegangslogboek (projectleider)
    Export {
        participant: String,
        /// Waarom (het verzoek van de deelnemer): wordt vastgelegd en beoordeeld, want de export bevat ook medische en strafrechtelijke inhoud
        #[arg(long)]
        reason: String,
        /// Als JSON naar dit (nieuwe) bestand
        #[arg(long, value_name = "BESTAND")]
        json: Option<PathBuf>,
        /// Als leesbare HTML-pagina naar dit (nieuwe) bestand
        #[arg(long, value_name = "BESTAND")]
        html: Option<PathBuf>,
    },
    /// Een ondertekend controlepunt van het toegangslogboek, om aan een derde te geven (auditor)
    Checkpoint {
        /// Het nieuwe bestand (JSON)
        #[arg(long, value_name = "BESTAND")]
        out: PathBuf,
    },
    /// Noodtoegang tot een dossier buiten de gewone rechten: met een reden, gelogd en ter beoordeling
    BreakGlass {
        participant: String,
        /// Waarom (verplicht; alleen zichtbaar voor wie beoordeelt)
        #[arg(long)]
        reason: String,
    },
    /// Noodtoegangen ter beoordeling (projectleider, auditor)
    Reviews {
        /// Vanaf deze dag
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        from: Option<NaiveDate>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Accounts en tokens die dossiers kunnen lezen: wie ze aanmaakte en welke projectleider ze als tweede persoon bevestigde, ter beoordeling naast de noodtoegangen (projectleider, auditor)
    Confirmations {
        /// Aangemaakt vanaf deze dag
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        from: Option<NaiveDate>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Leg de beoordeling van een noodtoegang vast (nooit de eigen)
    Review {
        /// De noodtoegang (id, of het begin of eind ervan)
        access: String,
        /// Bevinding
        #[arg(long)]
        note: String,
    },
    /// Doorverwijzingen die zonder toestemming zijn verstuurd (projectleider), ter beoordeling (projectleider, auditor)
    Overrides {
        /// Vanaf deze dag
        #[arg(long, value_parser = parse_date, value_name = "DATUM")]
        from: Option<NaiveDate>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Leg de beoordeling vast van een doorverwijzing die zonder toestemming is verstuurd (nooit de eigen)
    OverrideReview {
        /// Het versturen zonder toestemming (id, of het begin of eind ervan)
        id: String,
        /// Bevinding
        #[arg(long)]
        note: String,
    },
}

/// `privacy`: the commands of [`PrivacyCmd`] and the retention run.
#[derive(Debug, Subcommand)]
pub enum PrivacyTop {
    #[command(flatten)]
    Other(PrivacyCmd),
    /// Bewaartermijnen toepassen: wis wat na uitstroom verlopen is, ook uit de beheerde reservekopieën (projectleider)
    Retention(crate::commands::retention::RetentionArgs),
    /// Wissen op verzoek (AVG art. 17): aanvragen (projectleider; `privacy erase ID --reason ...`), bevestigen door een tweede persoon, intrekken, tonen
    Erase(crate::commands::erasure::EraseArgs),
    /// Bewaarplicht (legal hold): zolang die geldt wordt niets van de deelnemer gewist (projectleider)
    #[command(subcommand)]
    Hold(crate::commands::erasure::HoldCmd),
}

#[derive(Debug, Subcommand)]
pub enum DevCmd {
    /// Vul een lege database met synthetische deelnemers, trajecten en bijeenkomsten (nooit echte gegevens)
    Seed(DevSeedArgs),
}

#[derive(Debug, Args)]
pub struct DevSeedArgs {
    /// Aantal deelnemers
    #[arg(long, value_name = "AANTAL", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub participants: u64,
    /// Het zaad: dezelfde waarde geeft dezelfde gegevens
    #[arg(long, default_value_t = 1, value_name = "GETAL")]
    pub seed: u64,
    /// Over hoeveel maanden tot vandaag de trajecten lopen
    #[arg(long, default_value_t = 18, value_name = "MAANDEN", value_parser = clap::value_parser!(u32).range(1..=36))]
    pub months: u32,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Het nieuwe bestand (anders in de map met beheerde reservekopieën naast de database, die de bewaartermijnen ook opschonen)
    pub file: Option<PathBuf>,
}

/// Retiring a key: `key new`, then `key rotate`, then `key status`, then the old line out.
#[derive(Debug, Subcommand)]
pub enum KeyCmd {
    /// Zet een nieuwe sleutel vooraan in het sleutelbestand (rechten 0600); de oude sleutels blijven staan tot `key rotate` klaar is. Start de server daarna opnieuw met dit bestand
    New,
    /// Versleutel alles wat nog onder een oudere sleutel staat opnieuw met de huidige (beheerder); in porties, elk in één transactie: afgebroken gaat een volgende keer verder waar het stopte
    Rotate(RotateArgs),
    /// Welke sleutels de database nog nodig heeft: per sleutel het aantal waarden en of hij uit het sleutelbestand mag (beheerder)
    Status(RefArgs),
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// Hoeveel rijen per transactie
    #[arg(long, default_value_t = perspectief_store::DEFAULT_ROTATION_BATCH as u64, value_parser = clap::value_parser!(u64).range(1..=100_000), value_name = "AANTAL")]
    pub batch: u64,
}

#[derive(Debug, Subcommand)]
pub enum ImportCmd {
    /// Deelnemers: given_names, family_name, date_of_birth, country_of_origin, nationalities, languages, v_number, lvv_location, registered_on
    Participants(ImportArgs),
    /// Contactmomenten: participant, at, kind, location, activities, summary, category, duration_minutes
    Contacts(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Het CSV-bestand (komma of puntkomma)
    pub file: PathBuf,
    /// Importeer de geldige rijen en schrijf de afgekeurde naar --rejected
    #[arg(long)]
    pub skip_invalid: bool,
    /// Waar de afgekeurde rijen heen gaan (standaard BESTAND.afgekeurd.csv)
    #[arg(long, value_name = "PAD")]
    pub rejected: Option<PathBuf>,
    /// Alleen controleren, niets importeren
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Het bestand (JSON-regels: één dossier per regel)
    pub file: PathBuf,
    /// Ook afgesloten trajecten
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
