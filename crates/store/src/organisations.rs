//! The organisations register (table `organisations`, migration m0013) and the staff directory:
//! the core's [`DirectoryService`] on the store, the administrator's `add_organisation` and
//! `update_organisation`, and the check, inside a write transaction, that every organisation a
//! command names is registered (and active for a new reference).
//!
//! An organisation is directory data, not personal data: its columns are plain. Codes are
//! stored upper-case (the core's [`OrganisationCode`]), under a unique index, so `iom` and `IOM`
//! can never be two organisations.

use perspectief_core::ViolationCode;
use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use perspectief_core::access::{Action, Resource, Role};
use perspectief_core::contact::PartnerDomain;
use perspectief_core::organisation::{
    ContactDetails, DirectoryService, EmailAddress, NamedOrganisation, Organisation, OrganisationChanges,
    OrganisationCode, OrganisationFilter, OrganisationKind, OrganisationRef, PhoneNumber, StaffMember,
};
use perspectief_core::service::{Caller, Page, PageRequest, page_limit};
use perspectief_core::{DomainError, EntityKind, Label, OrganisationId, UserId};
use sea_orm::{ConnectionTrait, QueryResult};

use crate::Store;
use crate::error::{db, internal};
use crate::sql::{self, get};
use crate::writer::{Output, Work};

const COLUMNS: &str = "id, code, name, kind, domains, phone, email, address, active";

/// Who the store records as the maker of rows nobody made through a command: the organisations
/// registered by the migration or when a database is created.
pub(crate) const SYSTEM: &str = "system";

/// The domains as stored: stable names, comma-separated, in the domains' order.
pub(crate) fn domains_text(domains: &BTreeSet<PartnerDomain>) -> String {
    domains.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(",")
}

fn read(r: &QueryResult) -> Result<Organisation, DomainError> {
    let text = |col: &str| get::<String>(r, col).map_err(db);
    let opt = |col: &str| get::<Option<String>>(r, col).map_err(db);
    let domains = text("domains")?
        .split(',')
        .filter(|d| !d.is_empty())
        .map(PartnerDomain::parse)
        .collect::<Result<BTreeSet<_>, _>>()
        .map_err(internal)?;
    Ok(Organisation {
        id: OrganisationId::parse(&text("id")?).map_err(internal)?,
        code: OrganisationCode::parse(&text("code")?).map_err(internal)?,
        name: Label::parse(&text("name")?).map_err(internal)?,
        kind: OrganisationKind::parse(&text("kind")?).map_err(internal)?,
        domains,
        contact: ContactDetails {
            phone: opt("phone")?.as_deref().map(PhoneNumber::parse).transpose().map_err(internal)?,
            email: opt("email")?.as_deref().map(EmailAddress::parse).transpose().map_err(internal)?,
            address: opt("address")?.as_deref().map(Label::parse).transpose().map_err(internal)?,
        },
        active: get::<i64>(r, "active").map_err(db)? != 0,
    })
}

/// One organisation by id or code.
pub(crate) async fn find<C: ConnectionTrait>(
    c: &C,
    key: &OrganisationRef,
) -> Result<Option<Organisation>, DomainError> {
    let (sql, value) = match key {
        OrganisationRef::Id(id) => (format!("SELECT {COLUMNS} FROM organisations WHERE id = $1"), id.to_string()),
        OrganisationRef::Code(code) => {
            (format!("SELECT {COLUMNS} FROM organisations WHERE code = $1"), code.as_str().to_owned())
        }
    };
    let row = sql::one(c, &sql, [value.into()]).await.map_err(db)?;
    row.as_ref().map(read).transpose()
}

/// Whether a code is in use (by any organisation).
pub(crate) async fn code_taken<C: ConnectionTrait>(c: &C, code: &OrganisationCode) -> Result<bool, sea_orm::DbErr> {
    Ok(sql::one(c, "SELECT id FROM organisations WHERE code = $1", [code.as_str().to_owned().into()]).await?.is_some())
}

/// Insert an organisation; a taken code or id is [`DomainError::AlreadyExists`].
pub(crate) async fn insert<C: ConnectionTrait>(
    c: &C,
    o: &Organisation,
    at: DateTime<Utc>,
    by: &str,
) -> Result<(), DomainError> {
    if find(c, &OrganisationRef::Id(o.id)).await?.is_some() {
        return Err(DomainError::AlreadyExists { entity: EntityKind::Organisation, id: o.id.to_string() });
    }
    if code_taken(c, &o.code).await.map_err(db)? {
        return Err(DomainError::AlreadyExists { entity: EntityKind::Organisation, id: o.code.to_string() });
    }
    let r = sql::exec(
        c,
        "INSERT INTO organisations (id, code, name, kind, domains, phone, email, address, active, \
         created_at, created_by, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, $11)",
        row_values(o, at, by.to_owned()),
    )
    .await;
    match r {
        Ok(_) => Ok(()),
        // A concurrent writer cannot exist (one writer), but the index is the last word.
        Err(e) if crate::sql::is_unique_violation(&e) => {
            Err(DomainError::AlreadyExists { entity: EntityKind::Organisation, id: o.code.to_string() })
        }
        Err(e) => Err(db(e)),
    }
}

/// An organisation's columns in the order both writes bind them: id, code, name, kind,
/// domains, phone, email, address, active, then the time and author of the write.
fn row_values(o: &Organisation, at: DateTime<Utc>, by: String) -> [sea_orm::Value; 11] {
    [
        o.id.to_string().into(),
        o.code.as_str().to_owned().into(),
        o.name.as_str().to_owned().into(),
        o.kind.as_str().to_owned().into(),
        domains_text(&o.domains).into(),
        o.contact.phone.as_ref().map(|p| p.as_str().to_owned()).into(),
        o.contact.email.as_ref().map(|e| e.as_str().to_owned()).into(),
        o.contact.address.as_ref().map(|a| a.as_str().to_owned()).into(),
        i64::from(o.active).into(),
        sql::micros(at).into(),
        by.into(),
    ]
}

async fn update<C: ConnectionTrait>(c: &C, o: &Organisation, at: DateTime<Utc>, by: UserId) -> Result<(), DomainError> {
    if let Some(holder) = find(c, &OrganisationRef::Code(o.code.clone())).await?
        && holder.id != o.id
    {
        return Err(DomainError::AlreadyExists { entity: EntityKind::Organisation, id: o.code.to_string() });
    }
    let n = sql::exec(
        c,
        "UPDATE organisations SET code = $2, name = $3, kind = $4, domains = $5, phone = $6, email = $7, \
         address = $8, active = $9, updated_at = $10, updated_by = $11 WHERE id = $1",
        row_values(o, at, by.to_string()),
    )
    .await
    .map_err(db)?;
    if n != 1 {
        return Err(DomainError::NotFound { entity: EntityKind::Organisation, id: o.id.to_string() });
    }
    Ok(())
}

/// Refuse, inside the write transaction, a command that names an organisation the register
/// does not hold, or an inactive one for a new reference (the core decides:
/// [`NamedOrganisation::check`]).
pub(crate) async fn require_named<C: ConnectionTrait>(c: &C, named: &[NamedOrganisation]) -> Result<(), DomainError> {
    for n in named {
        let registered = find(c, &OrganisationRef::Id(n.organisation)).await?;
        n.check(registered.as_ref())?;
    }
    Ok(())
}

/// Register the foundation's own organisation if the register does not hold it yet (a new
/// database): code `STICHTING` (or a generated one when taken), named "Stichting" until the
/// administrator renames it.
pub(crate) async fn register_foundation<C: ConnectionTrait>(
    c: &C,
    foundation: OrganisationId,
    at: DateTime<Utc>,
) -> Result<(), DomainError> {
    if find(c, &OrganisationRef::Id(foundation)).await?.is_some() {
        return Ok(());
    }
    let own = foundation_entry(c, foundation).await?;
    insert(c, &own, at, SYSTEM).await
}

/// The foundation's first entry in the register.
pub(crate) async fn foundation_entry<C: ConnectionTrait>(
    c: &C,
    foundation: OrganisationId,
) -> Result<Organisation, DomainError> {
    let preferred = OrganisationCode::parse("STICHTING").map_err(internal)?;
    let code = if code_taken(c, &preferred).await.map_err(db)? {
        let taken = all_codes(c).await?;
        OrganisationCode::generated(foundation, |code| taken.contains(code))
    } else {
        preferred
    };
    Ok(Organisation {
        code,
        name: Label::parse("Stichting").map_err(internal)?,
        kind: OrganisationKind::Foundation,
        ..Organisation::registered_from_use(foundation, |_| false)
    })
}

/// Every code in use.
pub(crate) async fn all_codes<C: ConnectionTrait>(c: &C) -> Result<BTreeSet<OrganisationCode>, DomainError> {
    let rows = sql::all(c, "SELECT code FROM organisations", []).await.map_err(db)?;
    rows.iter().map(|r| OrganisationCode::parse(&get::<String>(r, "code").map_err(db)?).map_err(internal)).collect()
}

/// A page token of the organisations listing: the last code shown.
fn organisation_token(code: &OrganisationCode) -> String {
    format!("organisations.{code}")
}

fn after_code(token: Option<&str>) -> Result<Option<OrganisationCode>, DomainError> {
    match token {
        None | Some("") => Ok(None),
        Some(t) => {
            t.strip_prefix("organisations.").and_then(|c| OrganisationCode::parse(c).ok()).map(Some).ok_or_else(|| {
                DomainError::field(
                    "page_token",
                    ViolationCode::NotAPageToken,
                    "not a page token of this listing: pass the next_page_token of the previous page",
                )
            })
        }
    }
}

fn staff_token(offset: usize) -> String {
    format!("staff.{offset}")
}

fn staff_offset(token: Option<&str>) -> Result<usize, DomainError> {
    match token {
        None | Some("") => Ok(0),
        Some(t) => t.strip_prefix("staff.").and_then(|n| n.parse().ok()).ok_or_else(|| {
            DomainError::field(
                "page_token",
                ViolationCode::NotAPageToken,
                "not a page token of this listing: pass the next_page_token of the previous page",
            )
        }),
    }
}

impl Store {
    /// Register an organisation (administrators only; logged as `add_organisation`). The
    /// foundation's own organisation is registered with the database; no other is of kind
    /// foundation. A taken code or id is [`DomainError::AlreadyExists`].
    pub async fn add_organisation(
        &self,
        caller: &Caller,
        organisation: Organisation,
    ) -> Result<Organisation, DomainError> {
        let (now, by, foundation) = (self.now(), caller.actor.user, self.inner.policy.foundation);
        // Authorise first: the organisation is checked (the core's rule) once the caller may
        // register organisations at all.
        let prepare = move || -> Result<Work, DomainError> {
            organisation.check(foundation)?;
            Ok(Box::new(move |txn, _entry| {
                Box::pin(async move {
                    insert(txn, &organisation, now, &by.to_string()).await?;
                    Ok(Box::new(organisation) as Output)
                })
            }))
        };
        self.admin_job_prepared(caller, Action::Create, Resource::Organisations, "add_organisation", prepare).await
    }

    /// Change an organisation, named by id or code (administrators only; logged as
    /// `update_organisation`). The code stays unique; the foundation stays of kind foundation
    /// and active. Making an organisation inactive keeps everything that names it, but no new
    /// referral, consent, partner or account may.
    pub async fn update_organisation(
        &self,
        caller: &Caller,
        organisation: OrganisationRef,
        changes: OrganisationChanges,
    ) -> Result<Organisation, DomainError> {
        let (now, by, foundation) = (self.now(), caller.actor.user, self.inner.policy.foundation);
        let work: Work = Box::new(move |txn, _entry| {
            Box::pin(async move {
                let current = find(txn, &organisation).await?.ok_or_else(|| DomainError::NotFound {
                    entity: EntityKind::Organisation,
                    id: organisation.to_string(),
                })?;
                let next = current.changed(&changes, foundation)?;
                update(txn, &next, now, by).await?;
                Ok(Box::new(next) as Output)
            })
        });
        self.admin_job(caller, Action::Update, Resource::Organisations, "update_organisation", work).await
    }
}

impl DirectoryService for Store {
    async fn list_organisations(
        &self,
        caller: &Caller,
        filter: OrganisationFilter,
        page: PageRequest,
    ) -> Result<Page<Organisation>, DomainError> {
        let entry = self.entry(caller, Action::Search, "list_organisations");
        self.read(entry, async {
            let basis = self.require(caller, Action::Search, &Resource::Organisations)?;
            let size = page_limit(page.page_size) as usize;
            let after = after_code(page.page_token.as_deref())?;
            let mut sql = format!("SELECT {COLUMNS} FROM organisations WHERE 1 = 1");
            let mut values: Vec<sea_orm::Value> = Vec::new();
            if let Some(kind) = filter.kind {
                values.push(kind.as_str().to_owned().into());
                sql.push_str(&format!(" AND kind = ${}", values.len()));
            }
            if !filter.include_inactive {
                sql.push_str(" AND active = 1");
            }
            if let Some(code) = &after {
                values.push(code.as_str().to_owned().into());
                sql.push_str(&format!(" AND code > ${}", values.len()));
            }
            sql.push_str(" ORDER BY code");
            // The register is small (the chain's organisations): the domain is filtered here,
            // with the core's own rule, rather than in SQL over a comma-separated column.
            let rows = sql::all(&self.inner.reader, &sql, values).await.map_err(db)?;
            let mut items = Vec::with_capacity(size.min(rows.len()));
            let mut more = false;
            for r in &rows {
                let o = read(r)?;
                if !filter.admits(&o) {
                    continue;
                }
                if items.len() == size {
                    more = true;
                    break;
                }
                items.push(o);
            }
            let next_page_token =
                if more { items.last().map(|o: &Organisation| organisation_token(&o.code)) } else { None };
            Ok((Page { items, next_page_token }, basis))
        })
        .await
    }

    async fn get_organisation(
        &self,
        caller: &Caller,
        organisation: OrganisationRef,
    ) -> Result<Organisation, DomainError> {
        let entry = self.entry(caller, Action::Read, "get_organisation");
        self.read(entry, async {
            let basis = self.require(caller, Action::Read, &Resource::Organisations)?;
            let found = find(&self.inner.reader, &organisation).await?.ok_or_else(|| DomainError::NotFound {
                entity: EntityKind::Organisation,
                id: organisation.to_string(),
            })?;
            Ok((found, basis))
        })
        .await
    }

    async fn list_staff(&self, caller: &Caller, page: PageRequest) -> Result<Page<StaffMember>, DomainError> {
        let entry = self.entry(caller, Action::Search, "list_staff");
        let foundation = self.inner.policy.foundation;
        self.read(entry, async {
            let basis = self.require(caller, Action::Search, &Resource::StaffDirectory)?;
            let size = page_limit(page.page_size) as usize;
            let offset = staff_offset(page.page_token.as_deref())?;
            let rows = sql::all(
                &self.inner.reader,
                "SELECT id, name, role, disabled FROM users WHERE organisation = $1 ORDER BY name, id",
                [foundation.to_string().into()],
            )
            .await
            .map_err(db)?;
            let mut staff = Vec::with_capacity(rows.len());
            for r in &rows {
                let role: Role =
                    serde_json::from_value(serde_json::Value::String(get(r, "role").map_err(db)?)).map_err(internal)?;
                if !perspectief_core::accounts::is_staff_role(role) {
                    continue;
                }
                staff.push(StaffMember {
                    id: UserId::parse(&get::<String>(r, "id").map_err(db)?).map_err(internal)?,
                    name: Label::parse(&get::<String>(r, "name").map_err(db)?).map_err(internal)?,
                    role,
                    active: get::<i64>(r, "disabled").map_err(db)? == 0,
                });
            }
            let items: Vec<StaffMember> = staff.iter().skip(offset).take(size).cloned().collect();
            let next_page_token = (offset + items.len() < staff.len()).then(|| staff_token(offset + items.len()));
            Ok((Page { items, next_page_token }, basis))
        })
        .await
    }
}
