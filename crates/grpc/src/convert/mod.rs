//! Conversions between the proto contract and the core's types, both ways. Nothing here
//! decides anything: a proto value that cannot be a core value is refused with an
//! `invalid_input` error naming the field (its proto path, such as `goal.deadline`), and the
//! core checks everything else.
//!
//! Conventions every module here follows:
//! - [`ToProto`] for core → proto (total: every core value has a proto form);
//! - [`FromProto`] for proto → core, with the [`Field`] path of the value for errors;
//! - proto field names equal the core's (serde) field names, so the core's own field errors
//!   name proto fields too;
//! - ids are UUID strings (an empty string is "absent" for optional ids), dates are [`pb::Date`],
//!   instants are `google.protobuf.Timestamp`, optional text is an empty string when absent;
//! - every proto enum has `_UNSPECIFIED = 0`, which is "absent" (refused where required) and
//!   an unknown number is refused as invalid.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use perspectief_core::DomainError;
use perspectief_core::ViolationCode;

use crate::pb;

pub mod audit;
pub mod case_commands;
pub mod case_events;
pub mod case_model;
pub mod meetings;
pub mod organisations;
pub mod reports;
pub mod sessions;
pub mod subsidy;
pub mod worklist;

/// A resource name: `{collection}/{id}` (AIP-122), for example `participants/0192…`.
pub fn resource_name(collection: &str, id: &impl std::fmt::Display) -> String {
    format!("{collection}/{id}")
}

/// The id in a resource name of `collection`; refused naming the field when it is not one.
pub fn parse_name<T: FromProto<String>>(collection: &str, name: &str, at: &Field) -> Result<T, DomainError> {
    if name.trim().is_empty() {
        return Err(at.missing());
    }
    let id = name.trim().strip_prefix(collection).and_then(|rest| rest.strip_prefix('/')).ok_or_else(|| {
        at.invalid(ViolationCode::NotAResourceName, format!("expected a resource name like {collection}/{{id}}"))
    })?;
    T::from_proto(id.to_owned(), at)
}

/// An id the client may choose (AIP-133): the given one, or a new UUIDv7 when empty.
pub fn given_or_new<T: FromProto<String>>(id: String, at: &Field, make: fn(uuid::Uuid) -> T) -> Result<T, DomainError> {
    if id.trim().is_empty() { Ok(make(uuid::Uuid::now_v7())) } else { T::from_proto(id, at) }
}

/// The etag of an aggregate at `version`: the version in decimal. Partners treat it as opaque.
pub fn etag(version: u64) -> String {
    version.to_string()
}

/// The version a request's etag expects: none when the etag is empty (no check).
pub fn expected_version(etag: &str, at: &Field) -> Result<Option<u64>, DomainError> {
    let etag = etag.trim();
    if etag.is_empty() {
        return Ok(None);
    }
    etag.parse::<u64>().map(Some).map_err(|_| {
        at.invalid(ViolationCode::NotAnEtag, "not an etag this service issued: use the etag of the resource you read")
    })
}

/// Core → proto.
pub trait ToProto {
    /// The proto form.
    type Proto;
    /// Convert.
    fn to_proto(&self) -> Self::Proto;
}

/// Proto → core, refusing what the core cannot hold.
pub trait FromProto<P>: Sized {
    /// Convert `proto`, found at `at`.
    fn from_proto(proto: P, at: &Field) -> Result<Self, DomainError>;
}

/// The path of a value in a request, for error messages (`contact.agreements[1].due_on`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Field(String);

impl Field {
    /// The request itself.
    pub fn root() -> Self {
        Self(String::new())
    }

    /// A named field below this one.
    pub fn child(&self, name: &str) -> Self {
        if self.0.is_empty() { Self(name.to_owned()) } else { Self(format!("{}.{name}", self.0)) }
    }

    /// An element of this repeated field.
    pub fn index(&self, i: usize) -> Self {
        Self(format!("{}[{i}]", self.0))
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// This field is invalid.
    pub fn invalid(&self, code: ViolationCode, message: impl Into<String>) -> DomainError {
        DomainError::field(self.0.clone(), code, message.into())
    }

    /// This required field is missing.
    pub fn missing(&self) -> DomainError {
        self.invalid(ViolationCode::Required, "this field is required")
    }

    /// A core value error at this field.
    pub fn value(&self, e: perspectief_core::ValueError) -> DomainError {
        DomainError::from(e.at(self.0.clone()))
    }
}

/// A required message field.
pub fn required<P, T: FromProto<P>>(proto: Option<P>, at: &Field) -> Result<T, DomainError> {
    proto.map_or_else(|| Err(at.missing()), |p| T::from_proto(p, at))
}

/// An optional message field.
pub fn optional<P, T: FromProto<P>>(proto: Option<P>, at: &Field) -> Result<Option<T>, DomainError> {
    proto.map(|p| T::from_proto(p, at)).transpose()
}

/// A repeated field, each element at its index.
pub fn repeated<P, T: FromProto<P>, C: FromIterator<T>>(protos: Vec<P>, at: &Field) -> Result<C, DomainError> {
    protos.into_iter().enumerate().map(|(i, p)| T::from_proto(p, &at.index(i))).collect()
}

/// Every element to proto.
pub fn to_protos<'a, T: ToProto + 'a>(items: impl IntoIterator<Item = &'a T>) -> Vec<T::Proto> {
    items.into_iter().map(ToProto::to_proto).collect()
}

/// Strings (ids, codes, text) parse from `String`; an empty string is missing.
macro_rules! string_values {
    ($($t:ty),* $(,)?) => {$(
        impl FromProto<String> for $t {
            fn from_proto(proto: String, at: &Field) -> Result<Self, DomainError> {
                if proto.trim().is_empty() {
                    return Err(at.missing());
                }
                <$t>::parse(&proto).map_err(|e| at.value(e))
            }
        }
        impl ToProto for $t {
            type Proto = String;
            fn to_proto(&self) -> String {
                self.to_string()
            }
        }
    )*};
}

string_values!(
    perspectief_core::document::DocumentLanguage,
    perspectief_core::document::DocumentVersion,
    perspectief_core::ParticipantId,
    perspectief_core::UserId,
    perspectief_core::OrganisationId,
    perspectief_core::GoalId,
    perspectief_core::AgreementId,
    perspectief_core::ContactId,
    perspectief_core::ReferralId,
    perspectief_core::ObstacleId,
    perspectief_core::JudgmentId,
    perspectief_core::ConsentId,
    perspectief_core::ReportId,
    perspectief_core::SessionId,
    perspectief_core::MeetingId,
    perspectief_core::SubsidyPeriodId,
    perspectief_core::Text,
    perspectief_core::Label,
    perspectief_core::Name,
    perspectief_core::CountryCode,
    perspectief_core::LanguageCode,
);

impl FromProto<String> for perspectief_core::VNumber {
    fn from_proto(proto: String, at: &Field) -> Result<Self, DomainError> {
        if proto.trim().is_empty() {
            return Err(at.missing());
        }
        Self::parse(&proto).map_err(|e| at.value(e))
    }
}

impl ToProto for perspectief_core::VNumber {
    type Proto = String;
    fn to_proto(&self) -> String {
        self.as_str().to_owned()
    }
}

/// An optional string value: empty is absent.
pub fn opt_string<T: FromProto<String>>(proto: String, at: &Field) -> Result<Option<T>, DomainError> {
    if proto.trim().is_empty() { Ok(None) } else { T::from_proto(proto, at).map(Some) }
}

/// An optional value's proto string: absent is empty.
pub fn opt_to_string<T: ToProto<Proto = String>>(value: Option<&T>) -> String {
    value.map(ToProto::to_proto).unwrap_or_default()
}

/// An optional enum value's proto number: absent is the `_UNSPECIFIED` zero.
pub fn opt_enum_to_proto<T: ToProto<Proto = i32>>(value: Option<&T>) -> i32 {
    value.map_or(0, ToProto::to_proto)
}

/// An optional enum value: the `_UNSPECIFIED` zero is absent.
pub fn opt_enum<T: FromProto<i32>>(proto: i32, at: &Field) -> Result<Option<T>, DomainError> {
    if proto == 0 { Ok(None) } else { T::from_proto(proto, at).map(Some) }
}

impl ToProto for NaiveDate {
    type Proto = pb::Date;
    fn to_proto(&self) -> pb::Date {
        // Months and days are at most 31; chrono's years fit an i32.
        pb::Date { year: self.year(), month: self.month() as i32, day: self.day() as i32 }
    }
}

impl FromProto<pb::Date> for NaiveDate {
    fn from_proto(proto: pb::Date, at: &Field) -> Result<Self, DomainError> {
        let month = u32::try_from(proto.month).ok();
        let day = u32::try_from(proto.day).ok();
        month
            .zip(day)
            .and_then(|(m, d)| NaiveDate::from_ymd_opt(proto.year, m, d))
            .filter(|d| (1..=9999).contains(&d.year()))
            .ok_or_else(|| {
                at.invalid(ViolationCode::NotADate, "not a valid calendar date (year 1-9999, month 1-12, day 1-31)")
            })
    }
}

impl ToProto for DateTime<Utc> {
    type Proto = prost_types::Timestamp;
    fn to_proto(&self) -> prost_types::Timestamp {
        // Nanoseconds within a second are below 2^31 (leap seconds aside, which chrono caps).
        prost_types::Timestamp {
            seconds: self.timestamp(),
            nanos: self.timestamp_subsec_nanos().min(999_999_999) as i32,
        }
    }
}

impl FromProto<prost_types::Timestamp> for DateTime<Utc> {
    fn from_proto(proto: prost_types::Timestamp, at: &Field) -> Result<Self, DomainError> {
        u32::try_from(proto.nanos)
            .ok()
            .filter(|n| *n < 1_000_000_000)
            .and_then(|n| DateTime::from_timestamp(proto.seconds, n))
            .filter(|t| (1..=9999).contains(&t.year()))
            .ok_or_else(|| at.invalid(ViolationCode::NotATimestamp, "not a valid timestamp (years 1-9999)"))
    }
}

/// Maps a core enum without data to the proto enum of the same name, variant by variant (the
/// names are equal on both sides), both ways. The proto's `_UNSPECIFIED` value is refused as
/// missing, an unknown number as invalid, both naming the field.
///
/// `proto_enum!(Phase: Intake, Orientation);` generates `ToProto for Phase` (to
/// `pb::Phase`'s `i32`) and `FromProto<i32> for Phase`.
macro_rules! proto_enum {
    ($core:ident: $($v:ident),* $(,)?) => {
        impl $crate::convert::ToProto for $core {
            type Proto = i32;
            fn to_proto(&self) -> i32 {
                match self { $($core::$v => $crate::pb::$core::$v as i32,)* }
            }
        }
        impl $crate::convert::FromProto<i32> for $core {
            fn from_proto(proto: i32, at: &$crate::convert::Field) -> Result<Self, perspectief_core::DomainError> {
                match $crate::pb::$core::try_from(proto) {
                    $(Ok($crate::pb::$core::$v) => Ok($core::$v),)*
                    #[allow(unreachable_patterns)]
                    Ok(_) => Err(at.missing()),
                    Err(_) => Err(at.invalid(
                        perspectief_core::ViolationCode::UnknownValue,
                        format!("{proto} is not a known value of this enum"),
                    )),
                }
            }
        }
    };
}
pub(crate) use proto_enum;

// ---- Plain messages, field by field ---------------------------------------------------------
//
// A field's *kind* says how it converts, both ways:
// - `val`: the value itself (`FromProto` / `ToProto`; ids, text, enums);
// - `req` / `opt`: a message field that is required / may be absent;
// - `opt_str`: optional text or id, the empty string when absent;
// - `opt_enum`: an optional enum, the `_UNSPECIFIED` zero when absent;
// - `list`: a repeated field, each element at its index;
// - `copy`: a number or flag, as it is; `clone`: a string that is the same type both ways;
// - `new(IdType)`: an id the client may choose (AIP-133), a new one when empty;
// - `with(from, to)`: two hand-written functions, `from(proto, &Field)` and `to(&value)`.
// A field list is `core_name: kind` or, where the proto names the field otherwise,
// `core_name as proto_name: kind`; errors name the proto's field.

/// One field from proto (see the kinds above); `?` on refusal.
macro_rules! field_from {
    (val; $v:expr, $at:expr) => {
        $crate::convert::FromProto::from_proto($v, &$at)?
    };
    (req; $v:expr, $at:expr) => {
        $crate::convert::required($v, &$at)?
    };
    (opt; $v:expr, $at:expr) => {
        $crate::convert::optional($v, &$at)?
    };
    (opt_str; $v:expr, $at:expr) => {
        $crate::convert::opt_string($v, &$at)?
    };
    (opt_enum; $v:expr, $at:expr) => {
        $crate::convert::opt_enum($v, &$at)?
    };
    (list; $v:expr, $at:expr) => {
        $crate::convert::repeated($v, &$at)?
    };
    (copy; $v:expr, $at:expr) => {
        $v
    };
    (clone; $v:expr, $at:expr) => {
        $v
    };
    (new($id:ty); $v:expr, $at:expr) => {
        $crate::convert::given_or_new($v, &$at, <$id>::from_uuid)?
    };
    (with($from:path, $to:path); $v:expr, $at:expr) => {
        $from($v, &$at)?
    };
}
pub(crate) use field_from;

/// One field to proto (see the kinds above), from a reference to the core value.
macro_rules! field_to {
    (val; $v:expr) => {
        $crate::convert::ToProto::to_proto($v)
    };
    (req; $v:expr) => {
        Some($crate::convert::ToProto::to_proto($v))
    };
    (opt; $v:expr) => {
        $v.as_ref().map($crate::convert::ToProto::to_proto)
    };
    (opt_str; $v:expr) => {
        $crate::convert::opt_to_string($v.as_ref())
    };
    (opt_enum; $v:expr) => {
        $crate::convert::opt_enum_to_proto($v.as_ref())
    };
    (list; $v:expr) => {
        $crate::convert::to_protos($v)
    };
    (copy; $v:expr) => {
        *$v
    };
    (clone; $v:expr) => {
        $v.clone()
    };
    (new($id:ty); $v:expr) => {
        $crate::convert::ToProto::to_proto($v)
    };
    (with($from:path, $to:path); $v:expr) => {
        $to($v)
    };
}
pub(crate) use field_to;

/// Rewrites a field list into `(core_name proto_name kind...)` groups and hands them, in
/// brackets, to the macro named in the first brackets after its other arguments: macro_rules cannot pick "the proto
/// name, or else the core name" inside a struct literal, so the list is normalised first.
macro_rules! with_fields {
    ([$($cb:tt)*] ($($args:tt)*) [$($out:tt)*]) => { $($cb)*! { $($args)* [$($out)*] } };
    ([$($cb:tt)*] ($($args:tt)*) [$($out:tt)*] $f:ident as $pf:ident : $k:ident $(($($a:tt)*))? $(, $($rest:tt)*)?) => {
        $crate::convert::with_fields! { [$($cb)*] ($($args)*) [$($out)* ($f $pf $k $(($($a)*))?)] $($($rest)*)? }
    };
    ([$($cb:tt)*] ($($args:tt)*) [$($out:tt)*] $f:ident : $k:ident $(($($a:tt)*))? $(, $($rest:tt)*)?) => {
        $crate::convert::with_fields! { [$($cb)*] ($($args)*) [$($out)* ($f $f $k $(($($a)*))?)] $($($rest)*)? }
    };
}
pub(crate) use with_fields;

// ---- Rows of a table: one enum variant and its proto message -------------------------------
//
// A variant's fields are given as `{ core_field: kind, ... }` (named fields, each from a field
// of the message), `(proto_field: kind)` (one value, from that field of the message) or
// `message` (the variant holds the whole message, converted).

/// The value of `$variant` from the proto message `$p`, its fields at `$at`; `?` on refusal.
macro_rules! variant_from {
    ($($variant:ident)::+, $p:ident, $at:ident, message) => {
        $($variant)::+($crate::convert::FromProto::from_proto($p, &$at)?)
    };
    ($($variant:ident)::+, $p:ident, $at:ident, ($f:ident : $($k:tt)+)) => {
        $($variant)::+($crate::convert::field_from!($($k)+; $p.$f, $at.child(stringify!($f))))
    };
    ($($variant:ident)::+, $p:ident, $at:ident, { $($fields:tt)* }) => {
        $crate::convert::with_fields! {
            [$crate::convert::variant_from_fields] ($($variant)::+, $p, $at) [] $($fields)*
        }
    };
}
pub(crate) use variant_from;

/// [`variant_from!`] with normalised fields.
macro_rules! variant_from_fields {
    ($($variant:ident)::+, $p:ident, $at:ident [$(($f:ident $pf:ident $($k:tt)+))*]) => {
        $($variant)::+ { $($f: $crate::convert::field_from!($($k)+; $p.$pf, $at.child(stringify!($pf))),)* }
    };
}
pub(crate) use variant_from_fields;

/// The pattern that binds the fields of `$variant` by their core names (a whole value to `$m`).
macro_rules! variant_pattern {
    ($($variant:ident)::+, $m:ident, message) => { $($variant)::+($m) };
    ($($variant:ident)::+, $m:ident, ($f:ident : $($k:tt)+)) => { $($variant)::+($f) };
    ($($variant:ident)::+, $m:ident, { $($f:ident $(as $pf:ident)? : $k:ident $(($($a:tt)*))?),* $(,)? }) => {
        $($variant)::+ { $($f),* }
    };
}
pub(crate) use variant_pattern;

/// The proto message `$msg` (its fields `$extra` given by the caller) for the fields
/// [`variant_pattern!`] bound.
macro_rules! variant_to {
    ($($msg:ident)::+ { $($extra:ident),* }, $m:ident, message) => { $crate::convert::ToProto::to_proto($m) };
    ($($msg:ident)::+ { $($extra:ident),* }, $m:ident, ($f:ident : $($k:tt)+)) => {
        $($msg)::+ { $($extra,)* $f: $crate::convert::field_to!($($k)+; $f) }
    };
    ($($msg:ident)::+ { $($extra:ident),* }, $m:ident, { $($fields:tt)* }) => {
        $crate::convert::with_fields! {
            [$crate::convert::variant_to_fields] ($($msg)::+, ($($extra),*)) [] $($fields)*
        }
    };
}
pub(crate) use variant_to;

/// [`variant_to!`] with normalised fields.
macro_rules! variant_to_fields {
    ($($msg:ident)::+, ($($extra:ident),*) [$(($f:ident $pf:ident $($k:tt)+))*]) => {
        $($msg)::+ { $($extra,)* $($pf: $crate::convert::field_to!($($k)+; $f),)* }
    };
}
pub(crate) use variant_to_fields;

/// The conversions of a family of commands on one resource, from its table's rows
/// `Variant(Request, rpc) fields`: the request enum (one variant per command, holding the
/// request message of its rpc), each request's conversion to the target (the resource from
/// the request's `name`, the expected version from its `etag`, then the command's own fields,
/// each refusal naming its field) and the request for a command back, with every field and id
/// the command holds, so the server receives exactly that command.
macro_rules! command_conversions {
    (
        $target:ident { $key:ident: $id:ty } in $collection:expr, $command:ident;
        $(#[$enum_doc:meta])* enum $request:ident;
        $(#[$fn_doc:meta])* fn $to_request:ident;
        $($v:ident($req:ident, $rpc:ident) $fields:tt),* $(,)?
    ) => {
        $(#[$enum_doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub enum $request {
            $(
                #[doc = concat!("[`", stringify!($command), "::", stringify!($v), "`] as `", stringify!($req), "`.")]
                $v(pb::$req),
            )*
        }

        impl $crate::convert::FromProto<$request> for $target {
            fn from_proto(
                request: $request,
                at: &$crate::convert::Field,
            ) -> Result<Self, perspectief_core::DomainError> {
                match request {
                    $($request::$v(r) => Self::from_proto(r, at),)*
                }
            }
        }

        $(
            impl $crate::convert::FromProto<pb::$req> for $target {
                fn from_proto(p: pb::$req, at: &$crate::convert::Field) -> Result<Self, perspectief_core::DomainError> {
                    let $key = $crate::convert::parse_name($collection, &p.name, &at.child("name"))?;
                    let expected_version = $crate::convert::expected_version(&p.etag, &at.child("etag"))?;
                    let command = $crate::convert::variant_from!($command::$v, p, at, $fields);
                    Ok(Self { $key, expected_version, command })
                }
            }
        )*

        $(#[$fn_doc])*
        pub fn $to_request($key: $id, expected_version: Option<u64>, command: &$command) -> $request {
            let name = $crate::convert::resource_name($collection, &$key);
            let etag = expected_version.map($crate::convert::etag).unwrap_or_default();
            match command {
                $($crate::convert::variant_pattern!($command::$v, m, $fields) => {
                    $request::$v($crate::convert::variant_to!(pb::$req { name, etag }, m, $fields))
                })*
            }
        }
    };
}
pub(crate) use command_conversions;

/// `ToProto` and `FromProto` for a plain message: a core struct whose fields each map to one
/// proto field (see the kinds above). `Core = pb::Message` converts both ways, `Core =>
/// pb::Message` only to proto (an answer), `Core <= pb::Message` only from it (a request).
/// Output-only proto fields the core derives follow `derived |s| { ... }` (with `s` the core
/// value); the way in ignores them.
///
/// ```ignore
/// message!(Communication = pb::Communication { to: req, on: req });
/// ```
macro_rules! message {
    ($core:ident = $proto:path { $($fields:tt)* } $(derived |$s:ident| { $($derived:tt)* })?) => {
        $crate::convert::message!($core => $proto { $($fields)* } $(derived |$s| { $($derived)* })?);
        $crate::convert::message!($core <= $proto { $($fields)* });
    };
    ($core:ident => $proto:path { $($fields:tt)* } $(derived |$s:ident| { $($derived:tt)* })?) => {
        $crate::convert::with_fields! {
            [$crate::convert::message_to] ($core, $proto, ($(|$s| $($derived)*)?)) [] $($fields)*
        }
    };
    ($core:ident <= $proto:path { $($fields:tt)* }) => {
        $crate::convert::with_fields! { [$crate::convert::message_from] ($core, $proto) [] $($fields)* }
    };
}
pub(crate) use message;

/// `ToProto` of [`message!`], with normalised fields.
macro_rules! message_to {
    ($core:path, $proto:path, ($(|$s:ident| $($derived:tt)*)?) [$(($f:ident $pf:ident $($k:tt)+))*]) => {
        impl $crate::convert::ToProto for $core {
            type Proto = $proto;
            fn to_proto(&self) -> $proto {
                $(let $s = self;)?
                $proto { $($pf: $crate::convert::field_to!($($k)+; &self.$f),)* $($($derived)*)? }
            }
        }
    };
}
pub(crate) use message_to;

/// `FromProto` of [`message!`], with normalised fields.
macro_rules! message_from {
    ($core:path, $proto:path [$(($f:ident $pf:ident $($k:tt)+))*]) => {
        impl $crate::convert::FromProto<$proto> for $core {
            fn from_proto(p: $proto, at: &$crate::convert::Field) -> Result<Self, perspectief_core::DomainError> {
                let _ = at;
                Ok(Self { $($f: $crate::convert::field_from!($($k)+; p.$pf, at.child(stringify!($pf))),)* })
            }
        }
    };
}
pub(crate) use message_from;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_instants_round_trip_and_nonsense_names_the_field() {
        let d = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
        assert_eq!(NaiveDate::from_proto(d.to_proto(), &Field::root()).unwrap(), d);
        let err =
            NaiveDate::from_proto(pb::Date { year: 2026, month: 2, day: 30 }, &Field::root().child("on")).unwrap_err();
        assert!(err.violations().unwrap().has("on"));
        let t = DateTime::from_timestamp(1_790_000_000, 123).unwrap();
        assert_eq!(DateTime::<Utc>::from_proto(t.to_proto(), &Field::root()).unwrap(), t);
        let bad = prost_types::Timestamp { seconds: 0, nanos: -1 };
        assert!(
            DateTime::<Utc>::from_proto(bad, &Field::root().child("at")).unwrap_err().violations().unwrap().has("at")
        );
    }

    #[test]
    fn field_paths_nest() {
        let f = Field::root().child("contact").child("agreements").index(1).child("due_on");
        assert_eq!(f.as_str(), "contact.agreements[1].due_on");
    }

    #[test]
    fn empty_strings_are_missing_and_bad_ids_are_invalid() {
        let at = Field::root().child("participant");
        let e = perspectief_core::ParticipantId::from_proto(String::new(), &at).unwrap_err();
        assert_eq!(e.violations().unwrap().iter().next().unwrap().code, perspectief_core::ViolationCode::Required);
        let e = perspectief_core::ParticipantId::from_proto("nope".into(), &at).unwrap_err();
        assert_eq!(e.violations().unwrap().iter().next().unwrap().code, perspectief_core::ViolationCode::NotAnId);
        assert_eq!(opt_string::<perspectief_core::Text>("  ".into(), &at).unwrap(), None);
    }
}
