//! Localisation with Fluent: Dutch (the staff's language, the default) and English. The
//! messages live in `locales/*.ftl`, embedded in the binary.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

const NL: &str = include_str!("../locales/nl.ftl");
const EN: &str = include_str!("../locales/en.ftl");

/// The languages the command speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// Nederlands
    Nl,
    /// English
    En,
}

impl Lang {
    /// A language from a locale or config value (`nl`, `en_GB.UTF-8`, ...), if it is one of ours.
    pub fn from_locale(value: &str) -> Option<Self> {
        let v = value.trim().to_ascii_lowercase();
        if v.starts_with("en") {
            Some(Self::En)
        } else if v.starts_with("nl") {
            Some(Self::Nl)
        } else {
            None
        }
    }
}

struct Localizer {
    lang: Lang,
    primary: FluentBundle<FluentResource>,
    fallback: FluentBundle<FluentResource>,
}

static LOCALIZER: OnceLock<Localizer> = OnceLock::new();

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let (id, source) = match lang {
        Lang::Nl => ("nl", NL),
        Lang::En => ("en", EN),
    };
    let langid: unic_langid::LanguageIdentifier = id.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // No Unicode isolation marks around arguments: the output goes to terminals and files.
    bundle.set_use_isolating(false);
    let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(r, _)| r);
    // Duplicate ids would be a mistake in the .ftl files, caught by the tests; ignore here.
    let _ = bundle.add_resource(resource);
    bundle
}

/// Choose the language once, at start.
pub fn init(lang: Lang) {
    let _ = LOCALIZER.set(Localizer { lang, primary: bundle(lang), fallback: bundle(Lang::Nl) });
}

/// The language in use.
pub fn lang() -> Lang {
    LOCALIZER.get().map_or(Lang::Nl, |l| l.lang)
}

fn format(bundle: &FluentBundle<FluentResource>, id: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
    let message = bundle.get_message(id)?;
    let pattern = message.value()?;
    let mut errors = Vec::new();
    Some(bundle.format_pattern(pattern, args, &mut errors).into_owned())
}

/// The message `id` with arguments, in the chosen language (Dutch when it has no translation,
/// the id itself when neither has it).
pub fn message(id: &str, args: &[(&str, String)]) -> String {
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        fargs.set(*k, FluentValue::from(v.clone()));
    }
    let fargs = (!args.is_empty()).then_some(&fargs);
    match LOCALIZER.get() {
        Some(l) => format(&l.primary, id, fargs).or_else(|| format(&l.fallback, id, fargs)),
        None => format(&bundle(Lang::Nl), id, fargs),
    }
    .unwrap_or_else(|| id.to_owned())
}

/// Whether a message exists in the chosen language.
pub fn has(id: &str) -> bool {
    LOCALIZER.get().is_some_and(|l| l.primary.has_message(id))
}

/// A domain term (`phase`, `in_progress` → "fase", "in behandeling"): the term's translation when
/// one exists, else the stable value itself.
pub fn term(kind: &str, value: &str) -> String {
    let id = format!("{kind}-{value}");
    let found = LOCALIZER.get().and_then(|l| format(&l.primary, &id, None).or_else(|| format(&l.fallback, &id, None)));
    found.unwrap_or_else(|| value.to_owned())
}

/// `t!("id")` or `t!("id", name = value, ...)`: a localised message.
#[macro_export]
macro_rules! t {
    ($id:expr) => {
        $crate::i18n::message($id, &[])
    };
    ($id:expr, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::message($id, &[$((stringify!($name), ($value).to_string())),+])
    };
}
