//! `perspectief privacy retention`: run the retention periods (GDPR art. 17, storage
//! limitation) on the local database and its managed backups, or with `--dry-run` show what
//! would be erased. Project lead only (the store asks the core's access policy); local only
//! like the other privacy commands. Prints participant ids and categories, never names.

use clap::Args;
use perspectief_core::DataCategory;
use perspectief_core::retention::{RetentionPeriod, RetentionPolicy};
use perspectief_store::Store;
use serde_json::json;

use crate::cli::OutputFormat;
use crate::context::Ctx;
use crate::exit::{Failure, Result};
use crate::output::{self, col, obj};
use crate::t;

/// `privacy retention`.
#[derive(Debug, Args)]
pub struct RetentionArgs {
    /// Toon alleen wat gewist zou worden; verander niets
    #[arg(long)]
    pub dry_run: bool,
    /// Bewaartermijn na uitstroom per categorie, bv. medical_psychosocial=12m of criminal_history=90d (herhaalbaar; anders de standaard)
    #[arg(long = "period", value_name = "CATEGORIE=TERMIJN")]
    pub periods: Vec<String>,
    /// Zonder uitstroom: zoveel na de trajectgrens tellen de bewaartermijnen vanaf de grens plus deze termijn, bv. 3m of 90d (standaard 3m)
    #[arg(long, value_name = "TERMIJN")]
    pub grace: Option<String>,
}

/// The policy: the defaults with the periods (and grace period) given on the command line
/// (checked together).
fn policy(periods: &[String], grace: Option<&str>) -> Result<RetentionPolicy> {
    let mut all: std::collections::BTreeMap<DataCategory, RetentionPeriod> =
        RetentionPolicy::defaults().periods().collect();
    for p in periods {
        let bad = || Failure::field("--period", t!("error-retention-period", value = p.clone()));
        let (category, period) = p.split_once('=').ok_or_else(bad)?;
        let category = DataCategory::ALL.into_iter().find(|c| c.as_str() == category.trim()).ok_or_else(bad)?;
        let period: RetentionPeriod = period.parse().map_err(|_| bad())?;
        all.insert(category, period);
    }
    let policy = RetentionPolicy::new(all).map_err(Failure::from)?;
    match grace {
        None => Ok(policy),
        Some(g) => {
            let bad = || Failure::field("--grace", t!("error-retention-grace", value = g.to_owned()));
            let grace: RetentionPeriod = g.parse().map_err(|_| bad())?;
            policy.with_grace(grace).map_err(|_| bad())
        }
    }
}

/// `perspectief privacy retention [--dry-run] [--period CATEGORY=PERIOD ...]`.
pub async fn retention(store: &Store, ctx: &Ctx, args: RetentionArgs) -> Result<()> {
    let policy = policy(&args.periods, args.grace.as_deref())?;
    let report = store.run_retention(&ctx.caller, &policy, args.dry_run).await?;
    let rows: Vec<_> = report
        .participants
        .iter()
        .map(|p| {
            obj(json!({
                "participant": p.participant.to_string(),
                "categories": p.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "),
                "whole_person": p.erase_person,
            }))
        })
        .collect();
    let key = if args.dry_run { "done-retention-dry-run" } else { "done-retention" };
    let sentence = t!(key, participants = report.participants.len(), backups = report.backups.len());
    let cols = [
        col("participant", "col-participant"),
        col("categories", "col-categories"),
        col("whole_person", "col-whole-person"),
    ];
    match ctx.format {
        OutputFormat::Csv => return output::list(ctx.format, &cols, &rows),
        OutputFormat::Table => {
            let periods: Vec<String> = policy.periods().map(|(c, p)| format!("{}={p}", c.as_str())).collect();
            output::note(&t!("note-retention-policy", periods = periods.join(" ")));
            output::note(&t!("note-retention-grace", grace = policy.grace().to_string()));
            output::list(ctx.format, &cols, &rows)?;
            for id in &report.held {
                output::note(&t!("note-retention-held", participant = id.to_string()));
            }
            for o in &report.overdue {
                let from = o.retention_from.map(|d| d.to_string()).unwrap_or_default();
                let key = if o.under_retention { "note-retention-overdue-counting" } else { "note-retention-overdue" };
                output::note(&t!(
                    key,
                    participant = o.participant.to_string(),
                    limit = o.limit_on.to_string(),
                    from = from
                ));
            }
        }
        OutputFormat::Json => {}
    }
    output::done(
        ctx.format,
        &sentence,
        json!({
            "dry_run": report.dry_run,
            "day": report.day.map(|d| d.to_string()),
            "participants": report.participants.iter().map(|p| json!({
                "participant": p.participant.to_string(),
                "categories": p.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                "whole_person": p.erase_person,
            })).collect::<Vec<_>>(),
            "backups": report.backups,
            "grace": policy.grace().to_string(),
            "held": report.held.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            "overdue": report.overdue.iter().map(|o| json!({
                "participant": o.participant.to_string(),
                "limit_on": o.limit_on.to_string(),
                "retention_from": o.retention_from.map(|d| d.to_string()),
                "under_retention": o.under_retention,
            })).collect::<Vec<_>>(),
        }),
    )
}
