//! `perspectief period`: subsidy periods and their targets.

use chrono::NaiveDate;
use clap::Subcommand;
use perspectief_core::activity::{ActivityCode, SubsidyPeriod, Target, TargetMeasure, Theme};
use perspectief_core::ids::SubsidyPeriodId;
use perspectief_core::organisation::DirectoryService;
use perspectief_core::service::PerspectiefService;
use serde_json::json;

use super::case::new_id;
use super::vfail;
use crate::args::parse_date;
use crate::context::Ctx;
use crate::exit::{Failure, Result};
use crate::output::{self, col, obj};
use crate::t;

#[derive(Debug, Subcommand)]
pub enum PeriodCmd {
    /// Leg een subsidieperiode vast met doelen: --target 3.2.a=200 --target B=200
    Define {
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        from: NaiveDate,
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        to: NaiveDate,
        #[arg(long = "target", value_name = "CODE=AANTAL")]
        targets: Vec<String>,
    },
    /// Alle subsidieperioden
    #[command(visible_alias = "ls")]
    List,
}

pub async fn period_cmd<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: PeriodCmd) -> Result<()> {
    match cmd {
        PeriodCmd::Define { name: period_name, from, to, targets } => {
            let mut list = Vec::new();
            for t in &targets {
                let (code, n) = t
                    .split_once('=')
                    .ok_or_else(|| Failure::field("--target", t!("violation-target-format", value = t)))?;
                let persons: u32 = n
                    .trim()
                    .parse()
                    .map_err(|_| Failure::field("--target", t!("violation-target-format", value = t)))?;
                let code = code.trim();
                let measure = match code.to_uppercase().as_str() {
                    "A" => TargetMeasure::Theme(Theme::Inform),
                    "B" => TargetMeasure::Theme(Theme::Activate),
                    "C" => TargetMeasure::Theme(Theme::Guide),
                    "D" => TargetMeasure::Theme(Theme::Evaluate),
                    _ => TargetMeasure::Activity(ActivityCode::parse(code).map_err(|e| vfail("--target", &e))?),
                };
                list.push(Target { measure, persons });
            }
            let period = SubsidyPeriod::new(SubsidyPeriodId::from_uuid(new_id()), &period_name, from, to, list)?;
            let id = period.id();
            svc.define_subsidy_period(&ctx.caller, period).await?;
            output::done(ctx.format, &t!("done-period", id = id), json!({"period": id.to_string()}))
        }
        PeriodCmd::List => {
            let periods = svc.subsidy_periods(&ctx.caller).await?;
            let rows: Vec<_> = periods
                .iter()
                .map(|p| {
                    obj(json!({
                        "id": p.id().to_string(),
                        "name": p.name().as_str(),
                        "starts_on": p.starts_on().to_string(),
                        "ends_on": p.ends_on().to_string(),
                        "targets": p.targets().iter().map(|t| format!("{}={}", match t.measure { TargetMeasure::Activity(a) => a.code().to_owned(), TargetMeasure::Theme(th) => th.letter().to_string() }, t.persons)).collect::<Vec<_>>(),
                    }))
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                col("name", "col-name"),
                col("starts_on", "col-from"),
                col("ends_on", "col-to"),
                col("targets", "col-targets"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}
