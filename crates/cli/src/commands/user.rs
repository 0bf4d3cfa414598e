//! `perspectief user`: accounts (local only).

use clap::Subcommand;
use perspectief_core::access::Role;
use perspectief_core::accounts::UserAccount;
use perspectief_core::ids::UserId;
use perspectief_core::service::Purpose;
use perspectief_store::Store;
use serde_json::json;
use uuid::Uuid;

use super::{admin_caller, label};
use crate::choice;
use crate::config;
use crate::context::Ctx;
use crate::exit::{CONFIG, Failure, Result};
use crate::output::{self, col, obj, term_col};
use crate::t;

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

pub async fn user_cmd(store: &Store, ctx: &Ctx, cmd: UserCmd) -> Result<()> {
    let caller = admin_caller(ctx);
    match cmd {
        UserCmd::Add { name, role, organisation, default } => {
            let staff = perspectief_core::accounts::is_staff_role(role);
            let organisation = match (organisation, staff) {
                (Some(o), _) => ctx.org(store, "--organisation", &o).await?,
                (None, true) => store.policy().foundation,
                (None, false) => return Err(Failure::field("--organisation", t!("violation-required"))),
            };
            let account = UserAccount {
                id: UserId::from_uuid(Uuid::now_v7()),
                organisation,
                role,
                name: label("--name", &name)?,
                disabled: false,
                awaiting_confirmation: false,
            };
            let account = store.create_user(&caller, account).await?;
            let mut sentence = t!(
                "done-user-added",
                name = account.name,
                id = account.id,
                role = crate::i18n::term("role", role.as_str())
            );
            if account.awaiting_confirmation {
                sentence = format!("{sentence}\n{}", t!("note-user-awaiting-confirmation", id = account.id));
            }
            if default {
                let path = ctx.config_path.clone().ok_or_else(|| Failure::new(CONFIG, t!("error-no-home")))?;
                let mut config = config::load(Some(&path))?;
                config.user = Some(account.id.to_string());
                config::save(&path, &config)?;
                sentence = format!("{sentence}\n{}", t!("done-user-default", path = path.display()));
            }
            output::done(
                ctx.format,
                &sentence,
                json!({
                    "user": account.id.to_string(),
                    "role": role.as_str(),
                    "awaiting_confirmation": account.awaiting_confirmation,
                    "organisation": ctx.directory(store).await?.name(account.organisation),
                    "organisation_code": ctx.directory(store).await?.code(account.organisation),
                }),
            )
        }
        UserCmd::List => {
            let users = store.list_users(&caller).await?;
            let directory = ctx.directory(store).await?;
            let rows: Vec<_> = users
                .iter()
                .map(|u| {
                    obj(json!({
                        "id": u.id.to_string(),
                        "name": u.name.as_str(),
                        "role": u.role.as_str(),
                        "organisation": directory.name(u.organisation),
                        "organisation_code": directory.code(u.organisation),
                        "disabled": u.disabled,
                        "awaiting_confirmation": u.awaiting_confirmation,
                    }))
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                col("name", "col-name"),
                term_col("role", "col-role", "role"),
                col("organisation", "col-organisation"),
                col("disabled", "col-disabled"),
                col("awaiting_confirmation", "col-awaiting-confirmation"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
        UserCmd::Confirm { user } => {
            let id = ctx.user("USER", &user)?;
            let account = store.confirm_account(&ctx.with_purpose(Purpose::Audit), id).await?;
            output::done(
                ctx.format,
                &t!("done-user-confirmed", name = account.name, id = account.id),
                json!({"user": id.to_string(), "awaiting_confirmation": false}),
            )
        }
        UserCmd::Disable { user, enable } => {
            let id = ctx.user("USER", &user)?;
            let account = store.set_user_disabled(&caller, id, !enable).await?;
            let sentence = if enable {
                t!("done-user-enabled", name = account.name)
            } else {
                t!("done-user-disabled", name = account.name)
            };
            output::done(ctx.format, &sentence, json!({"user": id.to_string(), "disabled": account.disabled}))
        }
    }
}
