//! Subsidy periods: [`SubsidyPeriod`] with its [`Target`]s and their [`TargetMeasure`]s,
//! and the plan's [`Theme`]s.
//!
//! The period's own name (a label such as "2026-2027") is `display_name` in the proto, since
//! `name` is the resource name there; the core's errors about its `name` are reported at
//! `display_name`.

use perspectief_core::ViolationCode;
use perspectief_core::{ActivityCode, DomainError, SubsidyPeriod, Target, TargetMeasure, Theme};

use super::{Field, FromProto, ToProto, parse_name, repeated, required, resource_name, to_protos};
use crate::convert::message;
use crate::pb;
use crate::pb::target_measure::Per;

/// The collection of subsidy periods in resource names (`subsidyPeriods/{id}`).
pub const COLLECTION: &str = "subsidyPeriods";

super::proto_enum!(Theme: Inform, Activate, Guide, Evaluate);

impl ToProto for TargetMeasure {
    type Proto = pb::TargetMeasure;
    fn to_proto(&self) -> pb::TargetMeasure {
        let per = match self {
            Self::Activity(code) => Per::Activity(code.code().to_owned()),
            Self::Theme(theme) => Per::Theme(theme.to_proto()),
        };
        pb::TargetMeasure { per: Some(per) }
    }
}

impl FromProto<pb::TargetMeasure> for TargetMeasure {
    fn from_proto(proto: pb::TargetMeasure, at: &Field) -> Result<Self, DomainError> {
        match proto.per {
            Some(Per::Activity(code)) => {
                let at = at.child("activity");
                if code.trim().is_empty() {
                    return Err(at.missing());
                }
                ActivityCode::parse(&code).map(Self::Activity).map_err(|e| at.value(e))
            }
            Some(Per::Theme(theme)) => FromProto::from_proto(theme, &at.child("theme")).map(Self::Theme),
            None => Err(at.invalid(ViolationCode::Required, "set the activity or the theme the target counts")),
        }
    }
}

message!(Target = pb::Target { measure: req, persons: copy });

impl ToProto for SubsidyPeriod {
    type Proto = pb::SubsidyPeriod;
    fn to_proto(&self) -> pb::SubsidyPeriod {
        pb::SubsidyPeriod {
            name: resource_name(COLLECTION, &self.id()),
            display_name: self.name().to_proto(),
            starts_on: Some(self.starts_on().to_proto()),
            ends_on: Some(self.ends_on().to_proto()),
            targets: to_protos(self.targets()),
        }
    }
}

/// A period as the service sent it, or as a client defines it (the name carries the id),
/// checked by the core ([`SubsidyPeriod::new`]); the core's field errors are moved under `at`,
/// its `name` to `display_name`.
impl FromProto<pb::SubsidyPeriod> for SubsidyPeriod {
    fn from_proto(proto: pb::SubsidyPeriod, at: &Field) -> Result<Self, DomainError> {
        let id = parse_name(COLLECTION, &proto.name, &at.child("name"))?;
        let display_name = at.child("display_name");
        let starts_on = required(proto.starts_on, &at.child("starts_on"))?;
        let ends_on = required(proto.ends_on, &at.child("ends_on"))?;
        let targets = repeated(proto.targets, &at.child("targets"))?;
        SubsidyPeriod::new(id, &proto.display_name, starts_on, ends_on, targets).map_err(|e| match e {
            DomainError::InvalidInput(mut v) => {
                for violation in &mut v.0 {
                    let field = if violation.field == "name" { &display_name } else { &at.child(&violation.field) };
                    violation.field = field.as_str().to_owned();
                }
                DomainError::InvalidInput(v)
            }
            other => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use perspectief_core::SubsidyPeriodId;

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn field_of(e: &DomainError) -> (String, String) {
        let v = e.violations().unwrap().iter().next().unwrap();
        (v.field.clone(), v.code.code().to_owned())
    }

    fn period() -> SubsidyPeriod {
        let mut targets: Vec<Target> = ActivityCode::ALL
            .into_iter()
            .zip(1..)
            .map(|(code, persons)| Target { measure: TargetMeasure::Activity(code), persons })
            .collect();
        for (theme, persons) in
            [(Theme::Inform, 300), (Theme::Activate, 200), (Theme::Guide, 150), (Theme::Evaluate, 1)]
        {
            targets.push(Target { measure: TargetMeasure::Theme(theme), persons });
        }
        SubsidyPeriod::new(SubsidyPeriodId::from_u128(4), "2026-2027", d(2026, 1, 1), d(2027, 6, 30), targets).unwrap()
    }

    #[test]
    fn periods_round_trip() {
        let empty =
            SubsidyPeriod::new(SubsidyPeriodId::from_u128(5), "2028", d(2028, 1, 1), d(2028, 12, 31), vec![]).unwrap();
        for p in [period(), empty] {
            let proto = p.to_proto();
            assert_eq!(proto.name, format!("subsidyPeriods/{}", p.id()));
            assert_eq!(SubsidyPeriod::from_proto(proto, &Field::root()).unwrap(), p);
        }
        let activity = period().to_proto().targets[11].clone();
        assert_eq!(activity.measure.unwrap().per, Some(Per::Activity("5.2.b(1)".into())));
    }

    #[test]
    fn invalid_periods_name_the_proto_field() {
        let good = period().to_proto();
        let check = |edit: &dyn Fn(&mut pb::SubsidyPeriod), field: &str, code: &str| {
            let mut p = good.clone();
            edit(&mut p);
            let e = SubsidyPeriod::from_proto(p, &Field::root().child("subsidy_period")).unwrap_err();
            assert_eq!(e.code(), "invalid_input");
            assert_eq!(field_of(&e), (format!("subsidy_period.{field}"), code.to_owned()), "{field}");
        };
        check(&|p| p.name = String::new(), "name", "required");
        check(&|p| p.name = "subsidyPeriods/x".into(), "name", "not_an_id");
        check(&|p| p.display_name = " ".into(), "display_name", "required");
        check(&|p| p.display_name = "x".repeat(1000), "display_name", "too_long");
        check(&|p| p.starts_on = None, "starts_on", "required");
        check(&|p| p.ends_on = Some(d(2025, 1, 1).to_proto()), "ends_on", "before_start");
        check(&|p| p.targets[2].persons = 0, "targets[2].persons", "not_positive");
        check(&|p| p.targets[3].measure = p.targets[2].measure.clone(), "targets[3].measure", "duplicate");
        check(&|p| p.targets[0].measure = None, "targets[0].measure", "required");
        check(&|p| p.targets[0].measure = Some(pb::TargetMeasure { per: None }), "targets[0].measure", "required");
        let measure = |per| Some(pb::TargetMeasure { per: Some(per) });
        check(
            &|p| p.targets[0].measure = measure(Per::Activity(String::new())),
            "targets[0].measure.activity",
            "required",
        );
        check(
            &|p| p.targets[0].measure = measure(Per::Activity("9.9".into())),
            "targets[0].measure.activity",
            "unknown_activity_code",
        );
        check(
            &|p| p.targets[0].measure = measure(Per::Theme(pb::Theme::Unspecified as i32)),
            "targets[0].measure.theme",
            "required",
        );
        check(&|p| p.targets[0].measure = measure(Per::Theme(17)), "targets[0].measure.theme", "unknown_value");
    }
}
