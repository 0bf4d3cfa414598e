//! User accounts and access tokens: administration (authorised and audited like everything
//! else) and authentication of presented tokens.
//!
//! A token reads `pt1.<id>.<secret>`: the id finds the row, the secret (32 random bytes, hex)
//! is checked against the stored SHA-256 hash. The secret is shown once, when created.

use chrono::{DateTime, Duration, Utc};
use perspectief_core::ViolationCode;
use perspectief_core::access::{Action, Actor, CategorySet, ConfidentialityLevel, DataCategory, Grant, Resource, Role};
use perspectief_core::accounts::{
    Confirmation, ConfirmationKind, ConfirmationRecord, OrganisationGrant, PendingConfirmation, TokenInfo,
    TokenRejection, UserAccount, check_account_organisation, check_grant_organisation, check_token_validity,
    decide_confirmation, reads_case_data,
};
use perspectief_core::organisation::NamedOrganisation;
use perspectief_core::service::{AuditEntry, Caller};
use perspectief_core::{DomainError, EntityKind, Label, OrganisationId, TokenId, UserId};
use sea_orm::{ConnectionTrait, QueryResult};
use sha2::{Digest, Sha256};

use crate::error::{db, internal};
use crate::sql::{self, get};
use crate::writer::{Output, Work};
use crate::{Store, StoreError};

/// The longest a token may be valid.
pub use perspectief_core::accounts::MAX_TOKEN_DAYS;

const PREFIX: &str = "pt1";

fn secret_hash(secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"perspectief token v1\n");
    h.update(secret.as_bytes());
    hex::encode(h.finalize())
}

/// Compare without an early exit, so timing does not tell how much of a hash matched.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn parse_token(token: &str) -> Option<(TokenId, &str)> {
    let mut parts = token.trim().splitn(3, '.');
    let (prefix, id, secret) = (parts.next()?, parts.next()?, parts.next()?);
    if prefix != PREFIX || secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let id = uuid::Uuid::try_parse(id).ok()?;
    Some((TokenId::from_uuid(id), secret))
}

fn read_user(r: &QueryResult) -> Result<UserAccount, DomainError> {
    let id: String = get(r, "id").map_err(db)?;
    let organisation: String = get(r, "organisation").map_err(db)?;
    let role: String = get(r, "role").map_err(db)?;
    let name: String = get(r, "name").map_err(db)?;
    let disabled: i64 = get(r, "disabled").map_err(db)?;
    let confirmed_at: Option<i64> = get(r, "confirmed_at").map_err(db)?;
    Ok(UserAccount {
        id: UserId::parse(&id).map_err(internal)?,
        organisation: OrganisationId::parse(&organisation).map_err(internal)?,
        role: parse_role(role)?,
        name: Label::parse(&name).map_err(internal)?,
        disabled: disabled != 0,
        awaiting_confirmation: confirmed_at.is_none(),
    })
}

fn parse_role(role: String) -> Result<Role, DomainError> {
    serde_json::from_value(serde_json::Value::String(role)).map_err(internal)
}

const USER_COLUMNS: &str = "id, organisation, role, name, disabled, confirmed_at";
const TOKEN_COLUMNS: &str = "id, user_id, label, created_at, expires_at, revoked_at, confirmed_at";

fn read_token(r: &QueryResult) -> Result<TokenInfo, DomainError> {
    let id: String = get(r, "id").map_err(db)?;
    let user: String = get(r, "user_id").map_err(db)?;
    let label: String = get(r, "label").map_err(db)?;
    let revoked: Option<i64> = get(r, "revoked_at").map_err(db)?;
    let confirmed_at: Option<i64> = get(r, "confirmed_at").map_err(db)?;
    Ok(TokenInfo {
        id: TokenId::parse(&id).map_err(internal)?,
        user: UserId::parse(&user).map_err(internal)?,
        label: Label::parse(&label).map_err(internal)?,
        created_at: sql::from_micros(get(r, "created_at").map_err(db)?).map_err(db)?,
        expires_at: sql::from_micros(get(r, "expires_at").map_err(db)?).map_err(db)?,
        revoked_at: revoked.map(sql::from_micros).transpose().map_err(db)?,
        awaiting_confirmation: confirmed_at.is_none(),
    })
}

/// Insert an account made by `by` (none for the first administrator). An account that reads
/// case data is inserted unconfirmed; any other needs no confirmation.
async fn insert_user<C: ConnectionTrait>(
    c: &C,
    u: &UserAccount,
    at: DateTime<Utc>,
    by: Option<UserId>,
) -> Result<(), DomainError> {
    let confirmed_at = (!reads_case_data(u.role)).then(|| sql::micros(at));
    let r = sql::exec(
        c,
        "INSERT INTO users (id, organisation, role, name, disabled, created_at, created_by, confirmed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [
            u.id.to_string().into(),
            u.organisation.to_string().into(),
            u.role.as_str().to_owned().into(),
            u.name.as_str().to_owned().into(),
            i64::from(u.disabled).into(),
            sql::micros(at).into(),
            by.map(|b| b.to_string()).into(),
            confirmed_at.into(),
        ],
    )
    .await;
    match r {
        Ok(_) => Ok(()),
        Err(e) if crate::sql::is_unique_violation(&e) => {
            Err(DomainError::AlreadyExists { entity: EntityKind::User, id: u.id.to_string() })
        }
        Err(e) => Err(db(e)),
    }
}

/// A grant's categories as stored: their names, comma-separated.
fn categories_text(set: CategorySet) -> String {
    set.iter().map(DataCategory::as_str).collect::<Vec<_>>().join(",")
}

/// A stored grant (columns `categories`, `max_level`, or NULLs from an outer join: no grant).
fn read_grant(r: &QueryResult) -> Result<Grant, StoreError> {
    let categories: Option<String> = get(r, "categories")?;
    let max_level: Option<String> = get(r, "max_level")?;
    let (Some(categories), Some(max_level)) = (categories, max_level) else { return Ok(Grant::NONE) };
    let bad = |what: &str| StoreError::Database(format!("unreadable grant: {what}"));
    let categories = categories
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| DataCategory::parse(c).ok_or_else(|| bad("category")))
        .collect::<Result<CategorySet, _>>()?;
    let max_level = ConfidentialityLevel::parse(&max_level).ok_or_else(|| bad("level"))?;
    Ok(Grant { categories, max_level })
}

async fn grant_of<C: ConnectionTrait>(c: &C, organisation: OrganisationId) -> Result<Grant, StoreError> {
    let row = sql::one(
        c,
        "SELECT categories, max_level FROM grants WHERE organisation_id = $1",
        [organisation.to_string().into()],
    )
    .await?;
    row.as_ref().map_or(Ok(Grant::NONE), read_grant)
}

async fn user<C: ConnectionTrait>(c: &C, id: UserId) -> Result<Option<UserAccount>, DomainError> {
    let row = sql::one(c, &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"), [id.to_string().into()])
        .await
        .map_err(db)?;
    row.as_ref().map(read_user).transpose()
}

impl Store {
    /// An administrative write or read: authorised with the core's policy for `resource`, and
    /// logged as `operation` whatever the outcome.
    pub(crate) async fn admin_job<T: 'static>(
        &self,
        caller: &Caller,
        action: Action,
        resource: Resource<'static>,
        operation: &str,
        work: Work,
    ) -> Result<T, DomainError> {
        self.admin_job_prepared(caller, action, resource, operation, || Ok(work)).await
    }

    /// [`Store::admin_job`] whose work is prepared (the request checked by the core's rules)
    /// once the caller is authorised: authorise first, always. A refused check is logged as the
    /// refusal it is, and a caller who may not do this at all learns nothing about the request.
    pub(crate) async fn admin_job_prepared<T: 'static>(
        &self,
        caller: &Caller,
        action: Action,
        resource: Resource<'static>,
        operation: &str,
        prepare: impl FnOnce() -> Result<Work, DomainError>,
    ) -> Result<T, DomainError> {
        let mut entry = AuditEntry::new(caller, self.now(), action, operation);
        let prepared = self.require(caller, action, &resource).and_then(|basis| {
            entry.basis = Some(basis);
            prepare()
        });
        let work = match prepared {
            Ok(work) => work,
            Err(e) => {
                self.inner.writer.submit(entry.with_outcome::<()>(&Err(e.clone())), None).await?;
                return Err(e);
            }
        };
        self.write(entry, work).await
    }

    /// Authorise, with the core's policy, a local operation on `resource` that runs outside the
    /// store's write path (a backup, `dev seed`), and put it on record, allowed or refused,
    /// before it runs.
    pub async fn authorise(
        &self,
        caller: &Caller,
        action: Action,
        resource: Resource<'_>,
        operation: &str,
    ) -> Result<(), DomainError> {
        let mut entry = self.entry(caller, action, operation);
        let decided = self.require(caller, action, &resource);
        entry.basis = decided.as_ref().ok().copied();
        self.audited(entry, decided.map(|_| ())).await
    }

    /// Create the first administrator of a new database (what `perspectief init` does). Refused
    /// once any account exists. The administrator belongs to the foundation.
    pub async fn bootstrap_administrator(&self, id: UserId, name: &str) -> Result<UserAccount, DomainError> {
        let account = UserAccount {
            id,
            organisation: self.inner.policy.foundation,
            role: Role::Administrator,
            name: Label::parse(name).map_err(|e| DomainError::from(e.at("name")))?,
            disabled: false,
            awaiting_confirmation: false,
        };
        let now = sql::truncate(self.inner.clock.now());
        let entry =
            AuditEntry::new(&Caller::local(account.actor(Grant::NONE)), now, Action::Create, "bootstrap_administrator");
        let work: Work = Box::new(move |txn, _entry| {
            Box::pin(async move {
                let any = sql::one(txn, "SELECT id FROM users LIMIT 1", []).await.map_err(db)?;
                if any.is_some() {
                    return Err(DomainError::field(
                        "users",
                        ViolationCode::NotEmpty,
                        "accounts exist already; an administrator adds users",
                    ));
                }
                insert_user(txn, &account, now, None).await?;
                Ok(Box::new(account) as Output)
            })
        });
        let out = self.inner.writer.submit(entry, Some(work)).await?;
        out.downcast::<UserAccount>().map(|b| *b).map_err(|_| internal("writer returned an unexpected type"))
    }

    /// Add a user account (administrators only). Staff roles must belong to the foundation. An
    /// account whose role reads case data waits for a project lead's confirmation
    /// ([`Store::confirm_account`]); until then its tokens are refused.
    pub async fn create_user(&self, caller: &Caller, account: UserAccount) -> Result<UserAccount, DomainError> {
        let now = sql::truncate(self.inner.clock.now());
        let by = caller.actor.user;
        let (role, organisation, foundation) = (account.role, account.organisation, self.inner.policy.foundation);
        let account = UserAccount { awaiting_confirmation: reads_case_data(account.role), ..account };
        let work: Work = Box::new(move |txn, _entry| {
            Box::pin(async move {
                // A new account is a new reference to its organisation: registered and active.
                let named = NamedOrganisation { organisation: account.organisation, new_reference: true };
                crate::organisations::require_named(txn, &[named]).await?;
                insert_user(txn, &account, now, Some(by)).await?;
                Ok(Box::new(account) as Output)
            })
        });
        // Authorise first: only then is the account's organisation checked (the core's rule).
        let prepare = move || check_account_organisation(role, organisation, foundation).map(|()| work);
        self.admin_job_prepared(caller, Action::Create, Resource::UserAccounts, "create_user", prepare).await
    }

    /// Disable or re-enable an account (administrators only). A disabled account's tokens stop
    /// working at once.
    pub async fn set_user_disabled(
        &self,
        caller: &Caller,
        id: UserId,
        disabled: bool,
    ) -> Result<UserAccount, DomainError> {
        let work: Work = Box::new(move |txn, _entry| {
            Box::pin(async move {
                let n = sql::exec(
                    txn,
                    "UPDATE users SET disabled = $2 WHERE id = $1",
                    [id.to_string().into(), i64::from(disabled).into()],
                )
                .await
                .map_err(db)?;
                if n != 1 {
                    return Err(DomainError::NotFound { entity: EntityKind::User, id: id.to_string() });
                }
                let account = user(txn, id).await?.ok_or_else(|| internal("user vanished"))?;
                Ok(Box::new(account) as Output)
            })
        });
        self.admin_job(caller, Action::Update, Resource::UserAccounts, "set_user_disabled", work).await
    }

    /// All accounts (administrators, and the project lead to see who has access).
    pub async fn list_users(&self, caller: &Caller) -> Result<Vec<UserAccount>, DomainError> {
        let select = format!("SELECT {USER_COLUMNS} FROM users ORDER BY name, id");
        self.admin_list(caller, Resource::UserAccounts, "list_users", select, Vec::new(), read_user).await
    }

    /// An administrative listing (`select` with its `values`), each row read with `read`,
    /// authorised for `resource` and logged as `operation`.
    async fn admin_list<T: Send + 'static>(
        &self,
        caller: &Caller,
        resource: Resource<'static>,
        operation: &str,
        select: String,
        values: Vec<sea_orm::Value>,
        read: fn(&QueryResult) -> Result<T, DomainError>,
    ) -> Result<Vec<T>, DomainError> {
        let work: Work = Box::new(move |txn, _entry| {
            Box::pin(async move {
                let rows = sql::all(txn, &select, values).await.map_err(db)?;
                let items = rows.iter().map(read).collect::<Result<Vec<_>, _>>()?;
                Ok(Box::new(items) as Output)
            })
        });
        self.admin_job(caller, Action::Read, resource, operation, work).await
    }

    /// Create a token for a user, valid for `valid_for` (at most a year). Returns the token's
    /// details and the token itself, which is shown this once and never stored. A token of an
    /// account that reads case data is refused until a project lead confirms it
    /// ([`Store::confirm_token`]).
    pub async fn create_token(
        &self,
        caller: &Caller,
        user_id: UserId,
        label: &str,
        valid_for: Duration,
    ) -> Result<(TokenInfo, String), DomainError> {
        // Authorise first: the label and the validity are checked once the caller may create
        // tokens at all (the core's rule for the validity).
        let mut token = String::new();
        let prepare = || -> Result<Work, DomainError> {
            let label = Label::parse(label).map_err(|e| DomainError::from(e.at("label")))?;
            check_token_validity(valid_for)?;
            let mut secret = [0u8; 32];
            getrandom::fill(&mut secret).map_err(internal)?;
            let secret = hex::encode(secret);
            let now = sql::truncate(self.inner.clock.now());
            let info = TokenInfo {
                id: TokenId::from_uuid(uuid::Uuid::new_v4()),
                user: user_id,
                label,
                created_at: now,
                expires_at: now + valid_for,
                revoked_at: None,
                awaiting_confirmation: false,
            };
            let by = caller.actor.user;
            token = format!("{PREFIX}.{}.{secret}", info.id.as_uuid().simple());
            let hash = secret_hash(&secret);
            Ok(Box::new(move |txn, _entry| {
                Box::pin(async move {
                    let account = user(txn, user_id)
                        .await?
                        .ok_or_else(|| DomainError::NotFound { entity: EntityKind::User, id: user_id.to_string() })?;
                    if account.disabled {
                        return Err(DomainError::field("user", ViolationCode::Disabled, "the account is disabled"));
                    }
                    // A new token gives its organisation access again: it must be active.
                    let named = NamedOrganisation { organisation: account.organisation, new_reference: true };
                    crate::organisations::require_named(txn, &[named]).await?;
                    let awaiting = reads_case_data(account.role);
                    sql::exec(
                        txn,
                        "INSERT INTO tokens (id, user_id, label, secret_hash, created_at, expires_at, revoked_at, \
                         created_by, confirmed_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8)",
                        [
                            info.id.to_string().into(),
                            info.user.to_string().into(),
                            info.label.as_str().to_owned().into(),
                            hash.into(),
                            sql::micros(info.created_at).into(),
                            sql::micros(info.expires_at).into(),
                            by.to_string().into(),
                            (!awaiting).then(|| sql::micros(info.created_at)).into(),
                        ],
                    )
                    .await
                    .map_err(db)?;
                    Ok(Box::new(TokenInfo { awaiting_confirmation: awaiting, ..info }) as Output)
                })
            }))
        };
        let info: TokenInfo =
            self.admin_job_prepared(caller, Action::Create, Resource::AccessTokens, "create_token", prepare).await?;
        Ok((info, token))
    }

    /// Revoke a token; it stops working on the next request.
    pub async fn revoke_token(&self, caller: &Caller, id: TokenId) -> Result<TokenInfo, DomainError> {
        let now = sql::truncate(self.inner.clock.now());
        let work: Work = Box::new(move |txn, _entry| {
            Box::pin(async move {
                sql::exec(
                    txn,
                    "UPDATE tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                    [id.to_string().into(), sql::micros(now).into()],
                )
                .await
                .map_err(db)?;
                let row = sql::one(
                    txn,
                    &format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE id = $1"),
                    [id.to_string().into()],
                )
                .await
                .map_err(db)?
                .ok_or_else(|| DomainError::NotFound { entity: EntityKind::Token, id: id.to_string() })?;
                Ok(Box::new(read_token(&row)?) as Output)
            })
        });
        self.admin_job(caller, Action::Update, Resource::AccessTokens, "revoke_token", work).await
    }

    /// Tokens, optionally of one user (never their secrets).
    pub async fn list_tokens(&self, caller: &Caller, user_id: Option<UserId>) -> Result<Vec<TokenInfo>, DomainError> {
        let (filter, values) = match user_id {
            Some(u) => (" WHERE user_id = $1", vec![u.to_string().into()]),
            None => ("", Vec::new()),
        };
        let select = format!("SELECT {TOKEN_COLUMNS} FROM tokens{filter} ORDER BY created_at, id");
        self.admin_list(caller, Resource::AccessTokens, "list_tokens", select, values, read_token).await
    }

    /// Set (or, with `None`, remove) the grant of an organisation outside the foundation:
    /// which data categories it may receive at all and up to which confidentiality level
    /// (administrators only; logged). It takes effect on the organisation's next request.
    pub async fn set_grant(
        &self,
        caller: &Caller,
        organisation: OrganisationId,
        grant: Option<Grant>,
    ) -> Result<Option<OrganisationGrant>, DomainError> {
        let now = sql::truncate(self.inner.clock.now());
        let by = caller.actor.user;
        let work: Work = Box::new(move |txn, _entry| {
            Box::pin(async move {
                // Setting a grant is a new reference (the organisation must be active); removing
                // one only needs the organisation to be registered.
                let named = NamedOrganisation { organisation, new_reference: grant.is_some() };
                crate::organisations::require_named(txn, &[named]).await?;
                sql::exec(txn, "DELETE FROM grants WHERE organisation_id = $1", [organisation.to_string().into()])
                    .await
                    .map_err(db)?;
                let Some(grant) = grant else { return Ok(Box::new(None::<OrganisationGrant>) as Output) };
                sql::exec(
                    txn,
                    "INSERT INTO grants (organisation_id, categories, max_level, updated_at, updated_by) \
                     VALUES ($1, $2, $3, $4, $5)",
                    [
                        organisation.to_string().into(),
                        categories_text(grant.categories).into(),
                        grant.max_level.as_str().to_owned().into(),
                        sql::micros(now).into(),
                        by.to_string().into(),
                    ],
                )
                .await
                .map_err(db)?;
                Ok(Box::new(Some(OrganisationGrant { organisation, grant, updated_at: now, updated_by: by })) as Output)
            })
        });
        let action = if grant.is_some() { Action::Update } else { Action::Erase };
        // Authorise first: only then is the organisation checked (the core's rule).
        let foundation = self.inner.policy.foundation;
        let prepare = move || check_grant_organisation(organisation, foundation).map(|()| work);
        self.admin_job_prepared(caller, action, Resource::UserAccounts, "set_grant", prepare).await
    }

    /// Every organisation's grant (administrators, and the project lead to see who may receive what).
    pub async fn list_grants(&self, caller: &Caller) -> Result<Vec<OrganisationGrant>, DomainError> {
        let select = "SELECT organisation_id, categories, max_level, updated_at, updated_by FROM grants \
                      ORDER BY organisation_id";
        self.admin_list(caller, Resource::UserAccounts, "list_grants", select.to_owned(), Vec::new(), |r| {
            Ok(OrganisationGrant {
                organisation: OrganisationId::parse(&get::<String>(r, "organisation_id").map_err(db)?)
                    .map_err(internal)?,
                grant: read_grant(r).map_err(|e| internal(e.to_string()))?,
                updated_at: sql::from_micros(get(r, "updated_at").map_err(db)?).map_err(db)?,
                updated_by: UserId::parse(&get::<String>(r, "updated_by").map_err(db)?).map_err(internal)?,
            })
        })
        .await
    }

    /// The grant of an organisation ([`Grant::NONE`] without one): a fact about an
    /// organisation, not a person, for the local command line to build its actor with.
    pub async fn grant_of(&self, organisation: OrganisationId) -> Result<Grant, StoreError> {
        grant_of(&self.inner.reader, organisation).await
    }

    /// The account of a user who works directly on this database (the local command line,
    /// which has the database and its key, so no token): the local counterpart of
    /// [`Store::authenticate`]. `None` for an unknown user; a disabled account is returned as
    /// such, for the caller to refuse.
    pub async fn local_account(&self, id: UserId) -> Result<Option<UserAccount>, DomainError> {
        user(&self.inner.reader, id).await
    }

    /// Whether any participant is registered: a fact about the database, not about a person
    /// (no personal data is read and nothing is logged), for tools that must only work on an
    /// empty database, such as loading synthetic data.
    pub async fn holds_participants(&self) -> Result<bool, DomainError> {
        let row = sql::one(&self.inner.reader, "SELECT id FROM participants LIMIT 1", []).await.map_err(db)?;
        Ok(row.is_some())
    }

    /// Who a presented token acts as, or why it is refused. For the gRPC server's
    /// authentication layer.
    pub async fn authenticate(&self, token: &str) -> Result<Result<Actor, TokenRejection>, StoreError> {
        let Some((id, secret)) = parse_token(token) else { return Ok(Err(TokenRejection::Unknown)) };
        let row = sql::one(
            &self.inner.reader,
            "SELECT t.secret_hash, t.expires_at, t.revoked_at, t.confirmed_at, u.confirmed_at AS account_confirmed_at, \
             u.disabled, u.organisation, u.role, u.id AS user_id, g.categories, g.max_level \
             FROM tokens t JOIN users u ON u.id = t.user_id LEFT JOIN grants g ON g.organisation_id = u.organisation \
             WHERE t.id = $1",
            [id.to_string().into()],
        )
        .await?;
        let Some(row) = row else { return Ok(Err(TokenRejection::Unknown)) };
        let stored: String = get(&row, "secret_hash")?;
        if !same(&stored, &secret_hash(secret)) {
            return Ok(Err(TokenRejection::Unknown));
        }
        if get::<Option<i64>>(&row, "revoked_at")?.is_some() {
            return Ok(Err(TokenRejection::Revoked));
        }
        if self.inner.clock.now() >= sql::from_micros(get(&row, "expires_at")?)? {
            return Ok(Err(TokenRejection::Expired));
        }
        if get::<i64>(&row, "disabled")? != 0 {
            return Ok(Err(TokenRejection::AccountDisabled));
        }
        // Neither the account nor the token gives access before a second person confirmed it.
        if get::<Option<i64>>(&row, "confirmed_at")?.is_none()
            || get::<Option<i64>>(&row, "account_confirmed_at")?.is_none()
        {
            return Ok(Err(TokenRejection::AwaitingConfirmation));
        }
        let parse = |e: String| StoreError::Database(e);
        Ok(Ok(Actor {
            user: UserId::parse(&get::<String>(&row, "user_id")?).map_err(|e| parse(e.to_string()))?,
            organisation: OrganisationId::parse(&get::<String>(&row, "organisation")?)
                .map_err(|e| parse(e.to_string()))?,
            role: serde_json::from_value(serde_json::Value::String(get::<String>(&row, "role")?))
                .map_err(|e| parse(e.to_string()))?,
            grant: read_grant(&row)?,
        }))
    }
}

/// The roles that read case data, as stored, for SQL `IN (...)`.
fn case_reading_roles() -> String {
    Role::ALL
        .into_iter()
        .filter(|r| reads_case_data(*r))
        .map(|r| format!("'{}'", r.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Decide `pending` for `confirmer` (the core's rule) and, if allowed, record the confirmation
/// on the row `id` of `table` (`users` or `tokens`).
async fn confirm<C: ConnectionTrait>(
    txn: &C,
    table: &str,
    id: String,
    pending: &PendingConfirmation,
    confirmer: &Actor,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    decide_confirmation(confirmer, is_confirmed_lead(txn, confirmer.user).await?, pending)?;
    sql::exec(
        txn,
        &format!("UPDATE {table} SET confirmed_at = $2, confirmed_by = $3 WHERE id = $1 AND confirmed_at IS NULL"),
        [id.into(), sql::micros(now).into(), confirmer.user.to_string().into()],
    )
    .await
    .map_err(db)?;
    Ok(())
}

/// Whether `user` has an enabled, confirmed project-lead account.
async fn is_confirmed_lead<C: ConnectionTrait>(c: &C, user: UserId) -> Result<bool, DomainError> {
    Ok(self::user(c, user)
        .await?
        .is_some_and(|a| a.role == Role::ProjectLead && !a.disabled && !a.awaiting_confirmation))
}

/// Whether an enabled, confirmed project lead other than `except` exists.
async fn other_confirmed_lead<C: ConnectionTrait>(c: &C, except: UserId) -> Result<bool, DomainError> {
    let row = sql::one(
        c,
        "SELECT id FROM users WHERE role = $1 AND disabled = 0 AND confirmed_at IS NOT NULL AND id <> $2 LIMIT 1",
        [Role::ProjectLead.as_str().to_owned().into(), except.to_string().into()],
    )
    .await
    .map_err(db)?;
    Ok(row.is_some())
}

fn optional_user(r: &QueryResult, column: &str) -> Result<Option<UserId>, DomainError> {
    get::<Option<String>>(r, column).map_err(db)?.map(|u| UserId::parse(&u).map_err(internal)).transpose()
}

/// A listed account or token (columns `kind`, `subject`, `account`, `role`, `organisation`,
/// `created_by`, `created_at`, `confirmed_by`, `confirmed_at`).
fn read_confirmation(r: &QueryResult) -> Result<ConfirmationRecord, DomainError> {
    let kind = match get::<String>(r, "kind").map_err(db)?.as_str() {
        "account" => ConfirmationKind::Account,
        _ => ConfirmationKind::Token,
    };
    let subject: String = get(r, "subject").map_err(db)?;
    let confirmed_at: Option<i64> = get(r, "confirmed_at").map_err(db)?;
    Ok(ConfirmationRecord {
        kind,
        subject: uuid::Uuid::try_parse(&subject).map_err(internal)?,
        account: UserId::parse(&get::<String>(r, "account").map_err(db)?).map_err(internal)?,
        role: parse_role(get(r, "role").map_err(db)?)?,
        organisation: OrganisationId::parse(&get::<String>(r, "organisation").map_err(db)?).map_err(internal)?,
        requested_by: optional_user(r, "created_by")?,
        requested_at: sql::from_micros(get(r, "created_at").map_err(db)?).map_err(db)?,
        confirmation: confirmed_at
            .map(|at| {
                Ok::<_, DomainError>(Confirmation {
                    at: sql::from_micros(at).map_err(db)?,
                    by: optional_user(r, "confirmed_by")?,
                })
            })
            .transpose()?,
    })
}

impl Store {
    /// Confirm an account that reads case data, as the second person (a project lead; see
    /// [`decide_confirmation`] for who may). Its tokens still need their own confirmation.
    /// Logged, and listed for review with the break-glass reads.
    pub async fn confirm_account(&self, caller: &Caller, id: UserId) -> Result<UserAccount, DomainError> {
        let now = sql::truncate(self.inner.clock.now());
        let confirmer = caller.actor;
        let work: Work = Box::new(move |txn, _entry| {
            Box::pin(async move {
                let select = format!("SELECT {USER_COLUMNS}, created_by FROM users WHERE id = $1");
                let row = sql::found(txn, &select, EntityKind::User, id.to_string()).await?;
                let account = read_user(&row)?;
                let pending = PendingConfirmation {
                    kind: ConfirmationKind::Account,
                    account: account.id,
                    role: account.role,
                    requested_by: optional_user(&row, "created_by")?,
                    confirmed: !account.awaiting_confirmation,
                    account_confirmed: !account.awaiting_confirmation,
                    other_confirmed_lead: other_confirmed_lead(txn, account.id).await?,
                };
                confirm(txn, "users", id.to_string(), &pending, &confirmer, now).await?;
                Ok(Box::new(UserAccount { awaiting_confirmation: false, ..account }) as Output)
            })
        });
        self.admin_job(caller, Action::Update, Resource::AccountConfirmations, "confirm_account", work).await
    }

    /// Confirm a token of an account that reads case data (after the account), as the second
    /// person: a confirmed project lead, the token's holder or another. From then on it
    /// authenticates. Logged, and listed for review with the break-glass reads.
    pub async fn confirm_token(&self, caller: &Caller, id: TokenId) -> Result<TokenInfo, DomainError> {
        let now = sql::truncate(self.inner.clock.now());
        let confirmer = caller.actor;
        let work: Work = Box::new(move |txn, _entry| {
            Box::pin(async move {
                let select = "SELECT t.id, t.user_id, t.label, t.created_at, t.expires_at, t.revoked_at, \
                              t.confirmed_at, t.created_by, u.role, u.confirmed_at AS account_confirmed_at \
                              FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1";
                let row = sql::found(txn, select, EntityKind::Token, id.to_string()).await?;
                let token = read_token(&row)?;
                let pending = PendingConfirmation {
                    kind: ConfirmationKind::Token,
                    account: token.user,
                    role: parse_role(get(&row, "role").map_err(db)?)?,
                    requested_by: optional_user(&row, "created_by")?,
                    confirmed: !token.awaiting_confirmation,
                    account_confirmed: get::<Option<i64>>(&row, "account_confirmed_at").map_err(db)?.is_some(),
                    other_confirmed_lead: other_confirmed_lead(txn, token.user).await?,
                };
                confirm(txn, "tokens", id.to_string(), &pending, &confirmer, now).await?;
                Ok(Box::new(TokenInfo { awaiting_confirmation: false, ..token }) as Output)
            })
        });
        self.admin_job(caller, Action::Update, Resource::AccountConfirmations, "confirm_token", work).await
    }

    /// Accounts that read case data and their tokens, created at or after `from`, oldest
    /// first, at most `limit` (capped like any page): who created each and who confirmed it,
    /// for review with the break-glass reads by whoever may read the access log.
    pub(crate) async fn account_confirmation_log(
        &self,
        caller: &Caller,
        from: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ConfirmationRecord>, DomainError> {
        let entry = self.entry(caller, Action::Search, "confirmation_log");
        self.read(entry, async {
            let basis = self.require(caller, Action::Search, &Resource::AuditLog)?;
            let roles = case_reading_roles();
            let rows = sql::all(
                &self.inner.reader,
                &format!(
                    "SELECT * FROM ( \
                       SELECT 'account' AS kind, id AS subject, id AS account, role, organisation, created_by, \
                              created_at, confirmed_by, confirmed_at FROM users WHERE role IN ({roles}) \
                       UNION ALL \
                       SELECT 'token' AS kind, t.id AS subject, u.id AS account, u.role, u.organisation, t.created_by, \
                              t.created_at, t.confirmed_by, t.confirmed_at \
                       FROM tokens t JOIN users u ON u.id = t.user_id WHERE u.role IN ({roles}) \
                     ) listed WHERE created_at >= $1 ORDER BY created_at, subject LIMIT $2"
                ),
                [sql::micros(from).into(), i64::from(perspectief_core::service::page_limit(limit)).into()],
            )
            .await
            .map_err(db)?;
            let records = rows.iter().map(read_confirmation).collect::<Result<Vec<_>, _>>()?;
            Ok((records, basis))
        })
        .await
    }
}

impl perspectief_core::service::Authenticator for Store {
    async fn authenticate(&self, token: &str) -> Result<Actor, perspectief_core::service::AuthFailure> {
        use perspectief_core::service::AuthFailure;
        match Store::authenticate(self, token).await {
            Ok(Ok(actor)) => Ok(actor),
            Ok(Err(rejection)) => {
                tracing::info!(reason = rejection.code(), "token refused");
                Err(AuthFailure::Rejected(rejection))
            }
            Err(e) => {
                tracing::warn!(error = %e, "authentication unavailable");
                Err(AuthFailure::Unavailable)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_parse_strictly() {
        let id = uuid::Uuid::new_v4();
        let secret = "a".repeat(64);
        assert_eq!(
            parse_token(&format!("pt1.{}.{secret}", id.simple())),
            Some((TokenId::from_uuid(id), secret.as_str()))
        );
        assert!(parse_token(&format!("pt2.{}.{secret}", id.simple())).is_none());
        assert!(parse_token(&format!("pt1.{}.{}", id.simple(), "a".repeat(63))).is_none());
        assert!(parse_token("pt1.nope.x").is_none());
        assert!(parse_token("").is_none());
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
