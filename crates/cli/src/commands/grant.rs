//! `perspectief grant`: what organisations outside the foundation may receive (local only).

use clap::Subcommand;
use perspectief_core::access::{ConfidentialityLevel, DataCategory, Grant};
use perspectief_store::Store;
use serde_json::json;

use super::admin_caller;
use crate::choice;
use crate::context::Ctx;
use crate::exit::Result;
use crate::output::{self, col, obj, term_col};
use crate::t;

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

pub async fn grant_cmd(store: &Store, ctx: &Ctx, cmd: GrantCmd) -> Result<()> {
    let caller = admin_caller(ctx);
    let categories_text = |grant: &Grant| {
        grant.categories.iter().map(|c| crate::i18n::term("category", c.as_str())).collect::<Vec<_>>().join(", ")
    };
    match cmd {
        GrantCmd::Set { organisation, categories, max_level } => {
            let org = ctx.org(store, "ORGANISATIE", &organisation).await?;
            let grant = Grant { categories: categories.into_iter().collect(), max_level };
            store.set_grant(&caller, org, Some(grant)).await?;
            let directory = ctx.directory(store).await?;
            let sentence = t!(
                "done-grant-set",
                organisation = directory.name(org),
                categories = categories_text(&grant),
                level = crate::i18n::term("level", max_level.as_str())
            );
            let cats: Vec<&str> = grant.categories.iter().map(|c| c.as_str()).collect();
            output::done(
                ctx.format,
                &sentence,
                json!({
                    "organisation": directory.name(org),
                    "organisation_code": directory.code(org),
                    "categories": cats,
                    "max_level": max_level.as_str(),
                }),
            )
        }
        GrantCmd::Remove { organisation } => {
            let org = ctx.org(store, "ORGANISATIE", &organisation).await?;
            store.set_grant(&caller, org, None).await?;
            let directory = ctx.directory(store).await?;
            output::done(
                ctx.format,
                &t!("done-grant-removed", organisation = directory.name(org)),
                json!({"organisation": directory.name(org), "organisation_code": directory.code(org), "removed": true}),
            )
        }
        GrantCmd::List => {
            let grants = store.list_grants(&caller).await?;
            let directory = ctx.directory(store).await?;
            let rows: Vec<_> = grants
                .iter()
                .map(|g| {
                    obj(json!({
                        "organisation": directory.name(g.organisation),
                        "organisation_code": directory.code(g.organisation),
                        "categories": categories_text(&g.grant),
                        "max_level": g.grant.max_level.as_str(),
                        "updated_at": g.updated_at.to_rfc3339(),
                    }))
                })
                .collect();
            let cols = [
                col("organisation", "col-organisation"),
                col("categories", "col-categories"),
                term_col("max_level", "col-max-level", "level"),
                col("updated_at", "col-updated-at"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}
