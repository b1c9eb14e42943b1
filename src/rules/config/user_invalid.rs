use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// `config.User` is not a string (or null).
    ///
    /// ## Why it matters
    /// The user is a string such as `user`, `uid`, `user:group` or `uid:gid`; a number is refused by runtimes decoding
    /// the config.
    ///
    /// ## Example
    /// ```json
    /// { "config": { "User": 1234 }, … }
    /// ```
    ///
    /// ## How to fix
    /// Write `config.User` as a string (`1000`, `app`, `1000:1000`), or leave it out.
    CFG013, "config-user-invalid", Error,
    basis: Type,
    clauses: ["config-023"],
    schema: [
        "image-config.schema.json#/properties/config/properties/User/type",
    ],
    check: Check::Schema,
}
