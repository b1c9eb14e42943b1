use crate::check::{DescCx, Out};
use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A descriptor's `size` is not a 64-bit integer: a string, a fraction, an exponent form such as `1e3` or
    /// `7682.0`, or a value beyond 2^63-1.
    ///
    /// ## Why it matters
    /// The size is an `int64` in bytes. Decoders with integer types (Go's among them) refuse other spellings, so
    /// the whole document fails to load.
    ///
    /// ## Example
    /// ```json
    /// { "size": "7682", … }
    /// ```
    ///
    /// ## How to fix
    /// Write `size` as a plain JSON integer (`1234`, not `"1234"`, `1234.0` or `1.234e3`). Encoders that hold
    /// numbers as floating point produce the other forms.
    DSC008, "descriptor-size-not-int64", Error,
    basis: Keyword,
    clauses: ["descriptor-007"],
    schema: ["defs.schema.json#/$defs/size/type"],
    check: Check::Descriptor(check),
}

fn check(cx: &DescCx, out: &mut Out) {
    let Some(text) = cx.value().get("size").and_then(|v| v.number_text()) else {
        return;
    };
    let plain = !text.contains(['.', 'e', 'E']);
    if !plain {
        // Fractions are reported by the schema's integer type; exponent or `.0` forms of whole numbers are not.
        let whole = text.parse::<f64>().is_ok_and(|f| f.fract() == 0.0);
        if whole {
            out.at(
                &cx.field("size"),
                format!("size is written {text}; an int64 must be written as a plain integer"),
            );
        }
    } else if text.parse::<i64>().is_err() {
        out.at(
            &cx.field("size"),
            format!("size {text} does not fit in an int64"),
        );
    }
}
