//! `perspectief organisation`: the register of organisations.

use clap::Subcommand;
use perspectief_core::contact::PartnerDomain;
use perspectief_core::ids::OrganisationId;
use perspectief_core::organisation::{
    DirectoryService, Organisation, OrganisationChanges, OrganisationCode, OrganisationFilter, OrganisationInput,
    OrganisationKind, OrganisationRef,
};
use perspectief_store::Store;
use serde_json::json;
use uuid::Uuid;

use super::{admin_caller, label, vfail};
use crate::choice;
use crate::config;
use crate::context::{Ctx, all_pages};
use crate::directory::Directory;
use crate::exit::{CONFIG, Failure, Result, UNAVAILABLE, VALIDATION};
use crate::output::{self, col, obj, term_col};
use crate::t;

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

const ORGANISATION_COLS: &[output::Col] = &[
    col("code", "col-code"),
    col("name", "col-name"),
    term_col("kind", "col-kind", "organisation_kind"),
    term_col("domains", "col-domains", "domain"),
    col("active", "col-active"),
];

const ORGANISATION_SHOW_COLS: &[output::Col] = &[
    col("code", "col-code"),
    col("name", "col-name"),
    col("id", "col-id"),
    term_col("kind", "col-kind", "organisation_kind"),
    term_col("domains", "col-domains", "domain"),
    col("phone", "col-phone"),
    col("email", "col-email"),
    col("address", "col-address"),
    col("active", "col-active"),
];

/// An organisation as a row: its own id is part of its record (partners configure it), and
/// the record says whose it is.
fn organisation_row(o: &Organisation) -> serde_json::Map<String, serde_json::Value> {
    obj(json!({
        "id": o.id.to_string(),
        "code": o.code.as_str(),
        "name": o.name.as_str(),
        "kind": o.kind.as_str(),
        "domains": o.domains.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
        "phone": o.contact.phone.as_ref().map(|p| p.as_str()),
        "email": o.contact.email.as_ref().map(|e| e.as_str()),
        "address": o.contact.address.as_ref().map(|a| a.as_str()),
        "active": o.active,
    }))
}

/// `perspectief organisation ...`: listing and reading the register works locally and through
/// a server; keeping it (add, update, import-config) is the administrator's, on the database.
pub async fn organisation_cmd<S: DirectoryService>(
    svc: &S,
    store: Option<&Store>,
    ctx: &Ctx,
    cmd: OrganisationCmd,
) -> Result<()> {
    let keeper = || store.ok_or_else(|| Failure::new(UNAVAILABLE, t!("error-remote-admin")));
    match cmd {
        OrganisationCmd::List { all, kind, domain } => {
            let filter = OrganisationFilter { kind, domain, include_inactive: all };
            let found = all_pages(|page| svc.list_organisations(&ctx.caller, filter.clone(), page)).await?;
            let rows: Vec<_> = found.iter().map(organisation_row).collect();
            output::list(ctx.format, ORGANISATION_COLS, &rows)
        }
        OrganisationCmd::Show { organisation } => {
            let key = OrganisationRef::parse(&organisation).map_err(|e| vfail("ORGANISATIE", &e))?;
            let found = svc.get_organisation(&ctx.caller, key).await?;
            output::record(ctx.format, ORGANISATION_SHOW_COLS, &organisation_row(&found))
        }
        OrganisationCmd::Add { code, name, kind, domains, phone, email, address, id } => {
            let store = keeper()?;
            let id = match id {
                Some(v) => OrganisationId::parse(&v).map_err(|e| vfail("--id", &e))?,
                None => OrganisationId::from_uuid(Uuid::now_v7()),
            };
            let input = OrganisationInput {
                code,
                name,
                kind: kind.as_str().to_owned(),
                domains: domains.iter().map(|d| d.as_str().to_owned()).collect(),
                phone,
                email,
                address,
            };
            let organisation = input.into_organisation(id, store.policy().foundation)?;
            let added = store.add_organisation(&admin_caller(ctx), organisation).await?;
            output::done(
                ctx.format,
                &t!("done-organisation-added", name = added.display()),
                serde_json::Value::Object(organisation_row(&added)),
            )
        }
        OrganisationCmd::Update {
            organisation,
            code,
            name,
            kind,
            domains,
            phone,
            email,
            address,
            clear,
            deactivate,
            activate,
        } => {
            let store = keeper()?;
            let key = OrganisationRef::parse(&organisation).map_err(|e| vfail("ORGANISATIE", &e))?;
            let cleared = |what: &str| clear.iter().any(|c| c == what);
            let opt = |flag: &str, value: Option<String>, what: &str| -> Result<Option<Option<String>>> {
                match (value, cleared(what)) {
                    (Some(_), true) => Err(Failure::field(flag, t!("violation-set-and-clear"))),
                    (Some(v), false) => Ok(Some(Some(v))),
                    (None, true) => Ok(Some(None)),
                    (None, false) => Ok(None),
                }
            };
            use perspectief_core::organisation::{EmailAddress, PhoneNumber};
            let changes = OrganisationChanges {
                code: code.map(|c| OrganisationCode::parse(&c).map_err(|e| vfail("--code", &e))).transpose()?,
                name: name.map(|n| label("--name", &n)).transpose()?,
                kind,
                domains: match (domains.is_empty(), cleared("domains")) {
                    (false, true) => return Err(Failure::field("--domain", t!("violation-set-and-clear"))),
                    (false, false) => Some(domains.into_iter().collect()),
                    (true, true) => Some(std::collections::BTreeSet::new()),
                    (true, false) => None,
                },
                phone: opt("--phone", phone, "phone")?
                    .map(|p| p.map(|p| PhoneNumber::parse(&p).map_err(|e| vfail("--phone", &e))).transpose())
                    .transpose()?,
                email: opt("--email", email, "email")?
                    .map(|e| e.map(|e| EmailAddress::parse(&e).map_err(|x| vfail("--email", &x))).transpose())
                    .transpose()?,
                address: opt("--address", address, "address")?
                    .map(|a| a.map(|a| label("--address", &a)).transpose())
                    .transpose()?,
                active: if deactivate {
                    Some(false)
                } else if activate {
                    Some(true)
                } else {
                    None
                },
            };
            let changed = store.update_organisation(&admin_caller(ctx), key, changes).await?;
            output::done(
                ctx.format,
                &t!("done-organisation-updated", name = changed.display()),
                serde_json::Value::Object(organisation_row(&changed)),
            )
        }
        OrganisationCmd::ImportConfig => import_config(keeper()?, ctx).await,
    }
}

/// `perspectief organisation import-config`: the names staff gave organisations in their own
/// config file (`[organisations]`, retired) become entries of the register: an id the register
/// does not hold is registered with the name as its code and name; an id registered by the
/// migration and still named by its id takes the name; an id registered under a real name
/// keeps it. When every entry is taken over, the section is removed from the file.
async fn import_config(store: &Store, ctx: &Ctx) -> Result<()> {
    let path = ctx.config_path.clone().ok_or_else(|| Failure::new(CONFIG, t!("error-no-home")))?;
    let mut config = config::load(Some(&path))?;
    if config.organisations.is_empty() {
        return output::done(ctx.format, &t!("import-config-nothing", path = path.display()), json!({"imported": []}));
    }
    let caller = admin_caller(ctx);
    let directory = Directory::load(store, &caller).await?;
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (alias, id_text) in &config.organisations {
        let id = match OrganisationId::parse(id_text) {
            Ok(id) => id,
            Err(_) => {
                problems.push(t!("import-config-bad-id", alias = alias.as_str(), path = path.display()));
                continue;
            }
        };
        let code = match OrganisationCode::parse(alias) {
            Ok(code) => code,
            Err(e) => {
                problems.push(format!("[organisations] {alias}: {}", e.message));
                continue;
            }
        };
        let name = label(alias, alias)?;
        let outcome = match directory.get(id) {
            Some(o) if o.name.as_str() != id.to_string() => {
                lines.push(t!("import-config-kept", alias = alias.as_str(), name = o.display()));
                "kept"
            }
            Some(_) => {
                let changes = OrganisationChanges { code: Some(code), name: Some(name), ..Default::default() };
                match store.update_organisation(&caller, OrganisationRef::Id(id), changes).await {
                    Ok(o) => {
                        lines.push(t!("import-config-named", alias = alias.as_str(), name = o.display()));
                        "named"
                    }
                    Err(e @ perspectief_core::DomainError::AccessDenied(_)) => return Err(e.into()),
                    Err(e) => {
                        problems.push(format!("[organisations] {alias}: {}", crate::exit::from_domain(e).message));
                        continue;
                    }
                }
            }
            None => {
                let organisation = Organisation {
                    id,
                    code,
                    name,
                    kind: perspectief_core::OrganisationKind::Ngo,
                    domains: std::collections::BTreeSet::new(),
                    contact: Default::default(),
                    active: true,
                };
                match store.add_organisation(&caller, organisation).await {
                    Ok(o) => {
                        lines.push(t!("import-config-added", alias = alias.as_str(), name = o.display()));
                        "added"
                    }
                    // Not the administrator: stop at the first refusal (it is logged).
                    Err(e @ perspectief_core::DomainError::AccessDenied(_)) => return Err(e.into()),
                    Err(e) => {
                        problems.push(format!("[organisations] {alias}: {}", crate::exit::from_domain(e).message));
                        continue;
                    }
                }
            }
        };
        rows.push(json!({"alias": alias, "outcome": outcome}));
    }
    if !problems.is_empty() {
        let mut message = t!("import-config-problems", path = path.display());
        for p in problems {
            message.push_str("\n  ");
            message.push_str(&p);
        }
        if !lines.is_empty() {
            message.push_str(&format!("\n{}\n  {}", t!("import-config-done-so-far"), lines.join("\n  ")));
        }
        return Err(Failure::new(VALIDATION, message));
    }
    config.organisations.clear();
    config::save(&path, &config)?;
    let text = format!(
        "{}\n  {}\n{}",
        t!("import-config-done"),
        lines.join("\n  "),
        t!("import-config-removed", path = path.display())
    );
    output::done(ctx.format, &text, json!({"imported": rows}))
}
