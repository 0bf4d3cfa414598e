//! `perspectief privacy erase` (erasure on request, GDPR art. 17) and `perspectief privacy
//! hold` (legal holds). Local only, like the other privacy commands; the store authorises and
//! logs every call with the core's rules ([`perspectief_core::erasure`]). Prints ids, never
//! names.

use clap::{Args, Subcommand};
use perspectief_core::ErasureRequestId;
use perspectief_core::erasure::{ErasureRequest, LegalHold};
use perspectief_store::Store;
use serde_json::json;

use super::text;
use crate::context::{Ctx, participant, pick};
use crate::exit::Result;
use crate::output::{self, col, obj, term_col};
use crate::t;

/// `privacy erase`: a subcommand, or `privacy erase ID --reason TEXT` for a request.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct EraseArgs {
    #[command(subcommand)]
    pub cmd: Option<EraseCmd>,
    /// De deelnemer van wie het wissen wordt aangevraagd (kort voor `privacy erase request ID --reason ...`)
    #[arg(value_name = "DEELNEMER", required = true)]
    pub participant: Option<String>,
    /// Waarom (het verzoek van de deelnemer): blijft na het wissen bewaard voor de beoordeling, dus geen namen of dossierinhoud
    #[arg(long, required = true)]
    pub reason: Option<String>,
}

impl EraseArgs {
    /// The subcommand, the short form being a request.
    pub fn command(self) -> EraseCmd {
        match (self.cmd, self.participant, self.reason) {
            (Some(cmd), _, _) => cmd,
            (None, participant, reason) => EraseCmd::Request {
                // clap requires both when no subcommand is given.
                participant: participant.unwrap_or_default(),
                reason: reason.unwrap_or_default(),
            },
        }
    }
}

/// The subcommands of `privacy erase`.
#[derive(Debug, Subcommand)]
pub enum EraseCmd {
    /// Vraag het wissen van een hele deelnemer aan; er wordt nog niets gewist tot een tweede persoon bevestigt (projectleider)
    Request {
        participant: String,
        /// Waarom (het verzoek van de deelnemer): blijft na het wissen bewaard voor de beoordeling, dus geen namen of dossierinhoud
        #[arg(long)]
        reason: String,
    },
    /// Bevestig een aanvraag en wis de deelnemer: een andere projectleider of de auditor, nooit wie aanvroeg
    Confirm(RequestArg),
    /// Trek een aanvraag in die nog niet bevestigd is
    Cancel(RequestArg),
    /// De aanvragen en wat ermee gebeurde (projectleider, auditor)
    #[command(visible_alias = "ls")]
    List {
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
}

#[derive(Debug, Args)]
pub struct RequestArg {
    /// De aanvraag (id, of het begin of eind ervan)
    pub request: String,
}

/// `privacy hold`.
#[derive(Debug, Subcommand)]
pub enum HoldCmd {
    /// Leg een bewaarplicht op: zolang die geldt wordt niets van de deelnemer gewist (projectleider)
    Set {
        participant: String,
        /// Waarom (bijvoorbeeld een lopende procedure)
        #[arg(long)]
        reason: String,
    },
    /// Hef de bewaarplicht op (projectleider)
    Lift {
        participant: String,
        /// Waarom
        #[arg(long)]
        reason: String,
    },
    /// Alle bewaarplichten, geldend en opgeheven (projectleider, auditor)
    #[command(visible_alias = "ls")]
    List {
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
}

fn request_json(r: &ErasureRequest) -> serde_json::Value {
    json!({
        "request": r.id.to_string(),
        "participant": r.participant.to_string(),
        "status": r.status.as_str(),
        "requested_at": r.requested_at.to_rfc3339(),
        "requested_by": r.requested_by.to_string(),
        "reason": r.reason.as_str(),
        "decided_at": r.decided_at.map(|t| t.to_rfc3339()),
        "decided_by": r.decided_by.map(|u| u.to_string()),
    })
}

fn hold_json(h: &LegalHold) -> serde_json::Value {
    json!({
        "hold": h.id.to_string(),
        "participant": h.participant.to_string(),
        "active": h.is_active(),
        "set_at": h.set_at.to_rfc3339(),
        "set_by": h.set_by.to_string(),
        "reason": h.reason.as_str(),
        "lifted_at": h.lifted.as_ref().map(|l| l.at.to_rfc3339()),
        "lifted_by": h.lifted.as_ref().map(|l| l.by.to_string()),
        "lift_reason": h.lifted.as_ref().map(|l| l.reason.as_str().to_owned()),
    })
}

/// The request named on the command line (whole id, or its start or end as listed).
async fn request_id(store: &Store, ctx: &Ctx, value: &str) -> Result<ErasureRequestId> {
    if let Ok(id) = ErasureRequestId::parse(value) {
        return Ok(id);
    }
    let listed = store.erasure_requests(&ctx.caller, 500).await?;
    pick("erasure_request", value, listed.iter().map(|r| r.id))
}

pub async fn erase_cmd(store: &Store, ctx: &Ctx, args: EraseArgs) -> Result<()> {
    match args.command() {
        EraseCmd::Request { participant: p, reason } => {
            let reason = text("--reason", &reason)?;
            let id = participant(store, ctx, &p).await?;
            let r = store.request_erasure(&ctx.caller, id, reason).await?;
            output::done(
                ctx.format,
                &t!("done-erasure-requested", request = r.id.to_string(), participant = id.to_string()),
                request_json(&r),
            )
        }
        EraseCmd::Confirm(RequestArg { request }) => {
            let id = request_id(store, ctx, &request).await?;
            let r = store.confirm_erasure(&ctx.caller, id).await?;
            output::done(
                ctx.format,
                &t!("done-erasure-confirmed", request = r.id.to_string(), participant = r.participant.to_string()),
                request_json(&r),
            )
        }
        EraseCmd::Cancel(RequestArg { request }) => {
            let id = request_id(store, ctx, &request).await?;
            let r = store.cancel_erasure(&ctx.caller, id).await?;
            output::done(ctx.format, &t!("done-erasure-cancelled", request = r.id.to_string()), request_json(&r))
        }
        EraseCmd::List { limit } => {
            let rows: Vec<_> =
                store.erasure_requests(&ctx.caller, limit).await?.iter().map(|r| obj(request_json(r))).collect();
            let cols = [
                col("request", "col-id"),
                col("participant", "col-participant"),
                term_col("status", "col-status", "erasure-status"),
                col("requested_at", "col-at"),
                col("requested_by", "col-user"),
                col("reason", "col-reason"),
                col("decided_by", "col-decided-by"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}

pub async fn hold_cmd(store: &Store, ctx: &Ctx, cmd: HoldCmd) -> Result<()> {
    match cmd {
        HoldCmd::Set { participant: p, reason } => {
            let reason = text("--reason", &reason)?;
            let id = participant(store, ctx, &p).await?;
            let h = store.set_legal_hold(&ctx.caller, id, reason).await?;
            output::done(ctx.format, &t!("done-hold-set", participant = id.to_string()), hold_json(&h))
        }
        HoldCmd::Lift { participant: p, reason } => {
            let reason = text("--reason", &reason)?;
            let id = participant(store, ctx, &p).await?;
            let h = store.lift_legal_hold(&ctx.caller, id, reason).await?;
            output::done(ctx.format, &t!("done-hold-lifted", participant = id.to_string()), hold_json(&h))
        }
        HoldCmd::List { limit } => {
            let rows: Vec<_> = store.legal_holds(&ctx.caller, limit).await?.iter().map(|h| obj(hold_json(h))).collect();
            let cols = [
                col("participant", "col-participant"),
                col("active", "col-active"),
                col("set_at", "col-at"),
                col("set_by", "col-user"),
                col("reason", "col-reason"),
                col("lifted_at", "col-lifted-at"),
                col("lift_reason", "col-lift-reason"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}
