//! `perspectief token`: tokens for the server (local only).

use chrono::Duration;
use clap::Subcommand;
use perspectief_core::ids::TokenId;
use perspectief_core::service::Purpose;
use perspectief_store::Store;
use serde_json::json;

use super::{admin_caller, vfail};
use crate::context::Ctx;
use crate::exit::{Failure, Result};
use crate::output::{self, col, obj};
use crate::t;

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

pub async fn token_cmd(store: &Store, ctx: &Ctx, cmd: TokenCmd) -> Result<()> {
    let caller = admin_caller(ctx);
    match cmd {
        TokenCmd::Create { user, label: token_label, days } => {
            let user = ctx.user("--user", &user)?;
            if !(1..=perspectief_store::MAX_TOKEN_DAYS).contains(&days) {
                return Err(Failure::field(
                    "--days",
                    t!("violation-token-days", max = perspectief_store::MAX_TOKEN_DAYS),
                ));
            }
            let (info, token) = store.create_token(&caller, user, &token_label, Duration::days(days)).await?;
            let value = json!({
                "id": info.id.to_string(),
                "user": user.to_string(),
                "token": token,
                "expires_at": info.expires_at.to_rfc3339(),
                "awaiting_confirmation": info.awaiting_confirmation,
            });
            let mut sentence =
                format!("{}\n{token}", t!("done-token-created", id = info.id, expires = info.expires_at.date_naive()));
            if info.awaiting_confirmation {
                sentence = format!("{sentence}\n{}", t!("note-token-awaiting-confirmation", id = info.id));
            }
            output::done(ctx.format, &sentence, value)
        }
        TokenCmd::Confirm { token } => {
            let id = TokenId::parse(&token).map_err(|e| vfail("TOKEN", &e))?;
            let info = store.confirm_token(&ctx.with_purpose(Purpose::Audit), id).await?;
            output::done(
                ctx.format,
                &t!("done-token-confirmed", id = info.id),
                json!({"id": info.id.to_string(), "user": info.user.to_string(), "awaiting_confirmation": false}),
            )
        }
        TokenCmd::Revoke { token } => {
            let id = TokenId::parse(&token).map_err(|e| vfail("TOKEN", &e))?;
            let info = store.revoke_token(&caller, id).await?;
            output::done(
                ctx.format,
                &t!("done-token-revoked", id = info.id),
                json!({"id": info.id.to_string(), "revoked_at": info.revoked_at.map(|t| t.to_rfc3339())}),
            )
        }
        TokenCmd::List { user } => {
            let user = user.map(|u| ctx.user("--user", &u)).transpose()?;
            let tokens = store.list_tokens(&caller, user).await?;
            let now = crate::args::now();
            let rows: Vec<_> = tokens
                .iter()
                .map(|t| {
                    obj(json!({
                        "id": t.id.to_string(),
                        "user": t.user.to_string(),
                        "label": t.label.as_str(),
                        "created_at": t.created_at.to_rfc3339(),
                        "expires_at": t.expires_at.to_rfc3339(),
                        "revoked_at": t.revoked_at.map(|r| r.to_rfc3339()),
                        "awaiting_confirmation": t.awaiting_confirmation,
                        "valid": t.is_valid_at(now),
                    }))
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                col("user", "col-user"),
                col("label", "col-label"),
                col("expires_at", "col-expires"),
                col("awaiting_confirmation", "col-awaiting-confirmation"),
                col("valid", "col-valid"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}
