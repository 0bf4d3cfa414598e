//! The `filter` of ListParticipants: a small subset of AIP-160. Conditions joined by `AND`,
//! each `field = value` (or `registered_on >= value`), values bare or in double quotes:
//!
//! ```text
//! phase = PHASE_PLAN_EXECUTION AND project_worker = "0192f0c1-7c3e-7000-8000-000000000001"
//! registered_on >= "2026-01-31" AND include_closed = true
//! ```

use perspectief_core::DomainError;
use perspectief_core::ViolationCode;
use perspectief_core::error::echo;
use perspectief_core::service::ParticipantFilter;

use crate::convert::{Field, FromProto, ToProto};
use crate::pb;

fn invalid(message: impl Into<String>) -> DomainError {
    Field::root().child("filter").invalid(ViolationCode::InvalidFilter, message)
}

fn unquote(value: &str) -> &str {
    let v = value.trim();
    v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(v)
}

/// Parse a filter; an empty filter lists the open trajectories.
pub fn participant_filter(filter: &str) -> Result<ParticipantFilter, DomainError> {
    let mut out = ParticipantFilter::default();
    if filter.trim().is_empty() {
        return Ok(out);
    }
    let mut seen: Vec<&str> = Vec::new();
    for condition in filter.split(" AND ") {
        let (field, op, value) = if let Some((f, v)) = condition.split_once(">=") {
            (f.trim(), ">=", unquote(v))
        } else if let Some((f, v)) = condition.split_once('=') {
            (f.trim(), "=", unquote(v))
        } else {
            return Err(invalid(format!("{} is not a condition like field = value", echo(condition))));
        };
        if seen.contains(&field) {
            return Err(invalid(format!("{} appears twice", echo(field))));
        }
        seen.push(field);
        let at = Field::root().child("filter").child(field);
        match (field, op) {
            ("project_worker", "=") => out.project_worker = Some(FromProto::from_proto(value.to_owned(), &at)?),
            ("phase", "=") => {
                let phase = pb::Phase::from_str_name(value)
                    .ok_or_else(|| invalid(format!("{} is not a phase (such as PHASE_ORIENTATION)", echo(value))))?;
                out.phase = Some(FromProto::from_proto(phase as i32, &at)?);
            }
            ("registered_on", ">=") => {
                let day = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
                    .map_err(|_| invalid(format!("{} is not a date like \"2026-01-31\"", echo(value))))?;
                out.registered_from = Some(day);
            }
            ("include_closed", "=") => {
                out.include_closed = match value {
                    "true" => true,
                    "false" => false,
                    _ => return Err(invalid("include_closed is true or false")),
                }
            }
            _ => {
                return Err(invalid(format!(
                    "unsupported condition on {} ({op}): use project_worker =, phase =, registered_on >= or include_closed =",
                    echo(field)
                )));
            }
        }
    }
    Ok(out)
}

/// The filter text for a filter (the client side).
pub fn filter_text(filter: &ParticipantFilter) -> String {
    let mut parts = Vec::new();
    if let Some(w) = filter.project_worker {
        parts.push(format!("project_worker = \"{w}\""));
    }
    if let Some(p) = filter.phase {
        let name = pb::Phase::try_from(p.to_proto()).map_or("PHASE_UNSPECIFIED", |p| p.as_str_name());
        parts.push(format!("phase = {name}"));
    }
    if let Some(d) = filter.registered_from {
        parts.push(format!("registered_on >= \"{}\"", d.format("%Y-%m-%d")));
    }
    if filter.include_closed {
        parts.push("include_closed = true".to_owned());
    }
    parts.join(" AND ")
}

#[cfg(test)]
mod tests {
    use perspectief_core::{Phase, UserId};

    use super::*;

    #[test]
    fn filters_round_trip_and_nonsense_is_refused_naming_the_filter() {
        let full = ParticipantFilter {
            project_worker: Some(UserId::from_u128(7)),
            phase: Some(Phase::Orientation),
            registered_from: chrono::NaiveDate::from_ymd_opt(2026, 1, 31),
            include_closed: true,
        };
        assert_eq!(participant_filter(&filter_text(&full)).unwrap(), full);
        assert_eq!(participant_filter("").unwrap(), ParticipantFilter::default());
        for bad in [
            "phase = NOPE",
            "colour = red",
            "registered_on = 2026-01-01",
            "phase",
            "phase = PHASE_INTAKE AND phase = PHASE_INTAKE",
        ] {
            let e = participant_filter(bad).unwrap_err();
            assert!(e.violations().unwrap().iter().any(|v| v.field.starts_with("filter")), "{bad}: {e}");
        }
    }
}
