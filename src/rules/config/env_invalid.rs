use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::json;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// `config.Env` is not an array of strings (or null), or an entry is not of the form `VARNAME=VARVALUE` (a
    /// non-empty name, then `=`; the value may be empty).
    ///
    /// ## Why it matters
    /// Runtimes split each entry at the first `=` to build the process environment; an entry without one has no
    /// value and is dropped or rejected.
    ///
    /// ## Example
    /// ```json
    /// { "config": { "Env": ["foo"] }, … }
    /// ```
    ///
    /// ## How to fix
    /// Write each entry of `config.Env` as `NAME=value`: a non-empty name, then `=`. An entry without `=` is read
    /// differently by different runtimes.
    CFG015, "config-env-invalid", Error,
    basis: Type,
    clauses: ["config-025"],
    schema: [
        "image-config.schema.json#/properties/config/properties/Env/type",
        "image-config.schema.json#/properties/config/properties/Env/items/type",
    ],
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    if cx.doc.kind != DocKind::Config {
        return;
    }
    let Some(env) = cx
        .value()
        .and_then(|v| v.get("config"))
        .and_then(|c| c.get("Env"))
        .and_then(|e| e.as_array())
    else {
        return;
    };
    for (i, e) in env.iter().enumerate() {
        let Some(s) = e.as_str() else { continue };
        let problem = match s.split_once('=') {
            Some((name, _)) if !name.is_empty() => continue,
            Some(_) => "has an empty variable name",
            None => "has no `=`",
        };
        out.at(
            &json::join("/config/Env", i),
            format!(
                "{:?} {problem}; an entry is of the form VARNAME=VARVALUE",
                json::shorten(s, 80)
            ),
        );
    }
}
