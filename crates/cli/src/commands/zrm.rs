//! `perspectief zrm`: self-reliance (ZRM) assessments.

use std::collections::BTreeMap;

use clap::Subcommand;
use perspectief_core::case::CaseCommand;
use perspectief_core::organisation::DirectoryService;
use perspectief_core::outflow::ZrmDomain;
use perspectief_core::service::PerspectiefService;
use serde_json::json;

use super::case::{Dated, date_or_today, load, write};
use crate::context::Ctx;
use crate::exit::{Failure, Result};
use crate::output::{self, col, obj, term_col};
use crate::t;

#[derive(Debug, Subcommand)]
pub enum ZrmCmd {
    /// Leg ZRM-scores vast: --score finances=3 --score housing=2 ...
    Record {
        participant: String,
        #[arg(long = "score", required = true, value_name = "DOMEIN=SCORE")]
        scores: Vec<String>,
        #[command(flatten)]
        dated: Dated,
    },
    /// De ZRM-metingen van een deelnemer
    #[command(visible_alias = "ls")]
    List { participant: String },
}

pub async fn zrm_cmd<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: ZrmCmd) -> Result<()> {
    match cmd {
        ZrmCmd::Record { participant, scores, dated: Dated { on, expect } } => {
            let case = load(svc, ctx, &participant).await?;
            let mut input = BTreeMap::new();
            for s in &scores {
                let (domain, score) = s
                    .split_once('=')
                    .ok_or_else(|| Failure::field("--score", t!("violation-score-format", value = s)))?;
                let domain: ZrmDomain = crate::args::de(domain.trim()).map_err(|_| {
                    Failure::field(
                        "--score",
                        t!(
                            "violation-zrm-domain",
                            value = domain,
                            domains = ZrmDomain::ALL.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    )
                })?;
                let score: u8 =
                    score.trim().parse().map_err(|_| Failure::field("--score", t!("violation-out_of_range")))?;
                input.insert(domain, score);
            }
            let scores = perspectief_core::input::zrm_scores(&input)?;
            write(svc, ctx, &case, expect, CaseCommand::RecordSelfReliance { assessed_on: date_or_today(on), scores })
                .await?
                .confirm(t!("done-zrm"))
        }
        ZrmCmd::List { participant } => {
            let case = load(svc, ctx, &participant).await?;
            let mut rows = Vec::new();
            for a in case.self_reliance() {
                for (d, s) in &a.scores {
                    rows.push(obj(
                        json!({"assessed_on": a.assessed_on.to_string(), "domain": d.as_str(), "score": s.get()}),
                    ));
                }
            }
            let cols =
                [col("assessed_on", "col-date"), term_col("domain", "col-domain", "zrm"), col("score", "col-score")];
            output::list(ctx.format, &cols, &rows)
        }
    }
}
