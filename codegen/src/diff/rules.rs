//! The rules of the API diff: one per kind of change, each with a stable id and its effect
//! in three columns. `docs/api-diff-rules.md` is generated from this table (a test keeps
//! them in step), so the table is the single statement of what each change means.

/// What a change does in one column of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    /// Keeps working as before.
    Safe,
    /// Keeps working, with a caveat: a deprecation warning, a changed default, new values to handle.
    Warn,
    /// Stops compiling, or fails at run time.
    Break,
}

/// Who is affected, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Impact {
    /// A program built against the old crate, talking to a server that speaks the new spec.
    pub wire: Effect,
    /// Code that compiles against the old crate, compiled against the new one.
    pub client: Effect,
    /// An `EasemobApi` implementation written for the old server stubs.
    pub server: Effect,
}

/// How loud a change is: the worst of its three columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Info,
    Warning,
    Breaking,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Breaking => "breaking",
        }
    }
}

/// One kind of change.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    /// Stable, kebab-case; part of the JSON report's contract.
    pub id: &'static str,
    /// What the change is, in a few words.
    pub title: &'static str,
    pub impact: Impact,
    /// Whether the change adds to the crate's API (a minor bump when nothing breaks).
    pub additive: bool,
    /// Why the columns are what they are, in one line.
    pub why: &'static str,
}

impl Rule {
    pub fn level(&self) -> Level {
        let Impact { wire, client, server } = self.impact;
        match wire.max(client).max(server) {
            Effect::Break => Level::Breaking,
            Effect::Warn => Level::Warning,
            Effect::Safe => Level::Info,
        }
    }
}

/// The rule with this id. Panics on an unknown id: ids are compile-time constants of this module.
pub fn rule(id: &str) -> &'static Rule {
    RULES.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("no diff rule `{id}`"))
}

use Effect::{Break as B, Safe as S, Warn as W};

const fn rule_of(id: &'static str, title: &'static str, [wire, client, server]: [Effect; 3], additive: bool, why: &'static str) -> Rule {
    Rule { id, title, impact: Impact { wire, client, server }, additive, why }
}

/// Every rule, grouped by what it concerns.
pub static RULES: &[Rule] = &[
    // The API as a whole.
    rule_of("api-base-path-changed", "base path changed", [B, S, S], false, "every request goes to another URL; the Rust API is unchanged"),
    rule_of("api-version-changed", "API description version changed", [S, S, S], false, "documentation only"),
    rule_of("api-servers-changed", "documented servers changed", [S, S, S], false, "the base URL is the caller's choice"),
    // Operations.
    rule_of("operation-added", "operation added", [S, S, S], true, "a new method and builder; the server trait method has a default (501)"),
    rule_of("operation-removed", "operation removed without being deprecated first", [B, B, B], false, "the method, its builder and the trait method disappear; the server no longer answers"),
    rule_of("deprecated-operation-removed", "deprecated operation removed", [B, B, B], false, "as operation-removed, after a deprecation period"),
    rule_of("operation-renamed", "operation renamed (same method and path)", [S, B, B], false, "the request is the same; the method, builder and trait method have new names"),
    rule_of("operation-renamed-with-alias", "operation renamed, old name kept as a deprecated alias", [S, W, W], true, "`renamed_from` keeps the old method, builder and trait method as deprecated aliases"),
    rule_of("operation-method-changed", "HTTP method changed", [B, S, S], false, "deployed programs send the old method; the Rust signature is unchanged"),
    rule_of("operation-path-changed", "path changed", [B, S, S], false, "deployed programs request the old path; the Rust signature is unchanged"),
    rule_of("operation-group-changed", "operation moved to another group", [S, B, S], false, "the method moves to another handle (`client.<group>()`); the trait is flat"),
    rule_of("operation-deprecated", "operation deprecated", [S, W, S], true, "callers get a deprecation warning"),
    rule_of("operation-undeprecated", "operation no longer deprecated", [S, S, S], false, "the warning goes away"),
    rule_of("operation-auth-added", "operation now needs the app token", [B, S, S], false, "deployed programs send no token and are refused"),
    rule_of("operation-auth-removed", "operation no longer needs the app token", [S, S, S], false, "the token is sent and ignored"),
    rule_of("operation-no-longer-idempotent", "operation no longer safe to retry", [W, S, S], false, "deployed programs may retry it and repeat its effect"),
    rule_of("operation-now-idempotent", "operation now safe to retry", [S, S, S], false, "retries become possible; nothing breaks"),
    rule_of("operation-variant-changed", "variant condition changed", [W, S, S], false, "the server tells this request apart from its route's other variants differently"),
    rule_of("operation-rate-limit-lowered", "rate limit lowered", [W, S, S], false, "deployed programs may now be throttled"),
    rule_of("operation-rate-limit-raised", "rate limit raised", [S, S, S], false, "more headroom"),
    rule_of("operation-docs-changed", "operation docs changed", [S, S, S], false, "documentation only"),
    rule_of("operation-examples-changed", "operation examples changed", [S, S, S], false, "examples and their generated tests only"),
    // Parameters.
    rule_of("param-added-required", "required parameter added", [B, B, S], false, "deployed programs omit it; the method takes a new argument"),
    rule_of("param-added-optional", "optional parameter added", [S, S, S], true, "a new builder setter and input field"),
    rule_of("param-removed", "parameter removed without being deprecated first", [W, B, B], false, "the server ignores it from deployed programs; the setter or argument and the input field disappear"),
    rule_of("deprecated-param-removed", "deprecated parameter removed", [W, B, B], false, "as param-removed, after a deprecation period"),
    rule_of("param-became-required", "parameter became required", [B, B, B], false, "deployed programs may omit it; the setter becomes an argument and the input field loses its Option"),
    rule_of("param-became-optional", "parameter became optional", [S, B, B], false, "the argument becomes a setter and the input field an Option"),
    rule_of("param-type-changed", "parameter type changed", [B, B, B], false, "old values may be refused; the Rust type changes"),
    rule_of("param-location-changed", "parameter moved between path, query and header", [B, S, S], false, "deployed programs send it where the server no longer looks"),
    rule_of("param-rust-name-changed", "parameter's Rust name changed", [S, B, B], false, "the setter and input field are renamed; the wire name is unchanged"),
    rule_of("param-default-changed", "parameter default changed", [W, S, S], false, "callers that omit it get other behaviour"),
    rule_of("param-constraint-tightened", "parameter constraint tightened", [B, S, S], false, "values deployed programs send may now be refused"),
    rule_of("param-constraint-loosened", "parameter constraint loosened", [S, S, W], false, "implementations may now receive values they never saw"),
    rule_of("param-deprecated", "parameter deprecated", [S, W, S], true, "callers of its setter get a deprecation warning"),
    rule_of("param-docs-changed", "parameter docs changed", [S, S, S], false, "documentation only"),
    // Bodies.
    rule_of("request-body-added", "request body added", [B, B, B], false, "deployed programs send none; the method takes the body"),
    rule_of("request-body-removed", "request body removed", [W, B, B], false, "the server ignores the body; the method no longer takes one"),
    rule_of("request-body-type-changed", "request body type changed", [B, B, B], false, "the body deployed programs send no longer fits; the Rust type changes"),
    rule_of("request-encoding-changed", "request encoding changed", [B, S, S], false, "deployed programs send the old content type"),
    rule_of("response-type-changed", "response type changed", [B, B, B], false, "deployed programs cannot decode the answer; the Rust type changes"),
    // Paging.
    rule_of("paging-added", "operation became pageable", [S, S, S], true, "a new `into_stream()`"),
    rule_of("paging-removed", "operation no longer pageable", [S, B, S], false, "`into_stream()` disappears"),
    rule_of("paging-item-type-changed", "paging item type changed", [S, B, S], false, "the stream yields another type"),
    rule_of("paging-changed", "paging parameters or cursor changed", [W, S, S], false, "streams of deployed programs may stop early or repeat pages"),
    // Models.
    rule_of("model-added", "model added", [S, S, S], true, "a new type"),
    rule_of("model-removed", "model removed", [S, B, B], false, "the type disappears (the operations that used it are reported on their own)"),
    rule_of("model-renamed", "model renamed (same fields)", [S, B, B], false, "the wire shape is unchanged; the type has a new name"),
    rule_of("model-renamed-with-alias", "model renamed, old name kept as a deprecated alias", [S, W, W], true, "`renamed_from` keeps the old name as a deprecated type alias"),
    rule_of("model-kind-changed", "model changed between object and enum", [B, B, B], false, "another wire shape and another Rust type"),
    rule_of("model-docs-changed", "model docs changed", [S, S, S], false, "documentation only"),
    rule_of("accessor-added", "accessor added to a model", [S, S, S], true, "a new method on the model"),
    rule_of("accessor-removed", "accessor removed from a model", [S, B, S], false, "callers of the method no longer compile"),
    rule_of("accessor-path-changed", "accessor reaches another value", [S, B, S], false, "the method returns another field, possibly of another type"),
    // Fields of models sent in requests.
    rule_of("request-field-added-required", "required field added to a request model", [B, B, S], false, "deployed programs omit it; `new` takes a new argument"),
    rule_of("request-field-added-optional", "optional field added to a request model", [S, S, S], true, "a new `with_*` setter"),
    rule_of("request-field-removed", "request field removed without being deprecated first", [W, B, B], false, "the server ignores it; the field and its setter disappear"),
    rule_of("deprecated-request-field-removed", "deprecated request field removed", [W, B, B], false, "as request-field-removed, after a deprecation period"),
    rule_of("request-field-became-required", "request field became required", [B, B, B], false, "deployed programs may omit it; it moves into `new` and loses its Option"),
    rule_of("request-field-became-optional", "request field became optional", [S, B, B], false, "it leaves `new` and becomes an Option"),
    rule_of("request-field-type-changed", "request field type changed", [B, B, B], false, "values deployed programs send no longer fit; the Rust type changes"),
    rule_of("request-field-constraint-tightened", "request field constraint tightened", [B, S, S], false, "values deployed programs send may now be refused"),
    rule_of("request-field-constraint-loosened", "request field constraint loosened", [S, S, W], false, "implementations may now receive values they never saw"),
    rule_of("request-field-default-changed", "request field default changed", [W, S, S], false, "callers that omit it get other behaviour"),
    // Fields of models received in responses.
    rule_of("response-field-added-required", "required field added to a response model", [S, S, B], false, "readers ignore it; implementations must now provide it (`new` takes it)"),
    rule_of("response-field-added-optional", "optional field added to a response model", [S, S, S], true, "a new field readers may use"),
    rule_of("response-field-removed", "response field removed without being deprecated first", [B, B, B], false, "deployed programs no longer receive it; the field disappears"),
    rule_of("deprecated-response-field-removed", "deprecated response field removed", [B, B, B], false, "as response-field-removed, after a deprecation period"),
    rule_of("response-field-became-optional", "response field became optional", [B, B, B], false, "deployed programs that need it fail to decode; it becomes an Option"),
    rule_of("response-field-became-required", "response field became required", [S, B, B], false, "it loses its Option and moves into `new`"),
    rule_of("response-field-type-changed", "response field type changed", [B, B, B], false, "deployed programs cannot decode it; the Rust type changes"),
    rule_of("response-field-constraint-tightened", "response field constraint tightened", [S, S, W], false, "implementations must produce narrower values"),
    rule_of("response-field-constraint-loosened", "response field constraint loosened", [W, S, S], false, "deployed programs may receive values outside the old limits"),
    // Fields in either direction.
    rule_of("field-rust-name-changed", "field's Rust name changed", [S, B, B], false, "the field and its setter are renamed; the wire name is unchanged"),
    rule_of("field-time-unit-changed", "field's unit or forever value changed", [W, B, B], false, "the Rust type changes (integer, Duration, Lasting); a changed unit also changes the scale on the wire"),
    rule_of("field-deprecated", "field deprecated", [S, W, S], true, "users of the field and its setter get a deprecation warning"),
    rule_of("field-docs-changed", "field docs changed", [S, S, S], false, "documentation only"),
    // Enum values.
    rule_of("request-enum-value-added", "value added to an enum sent in requests", [S, S, S], true, "a new variant; enums are non-exhaustive"),
    rule_of("response-enum-value-added", "value added to an enum received in responses", [W, S, S], true, "deployed programs read it as `Unknown`"),
    rule_of("request-enum-value-removed", "value removed from an enum sent in requests, without deprecation", [B, B, B], false, "deployed programs may send it and be refused; the variant disappears"),
    rule_of("deprecated-request-enum-value-removed", "deprecated value removed from an enum sent in requests", [B, B, B], false, "as request-enum-value-removed, after a deprecation period"),
    rule_of("response-enum-value-removed", "value removed from an enum received in responses, without deprecation", [S, B, B], false, "readers never see it again; the variant disappears"),
    rule_of("deprecated-response-enum-value-removed", "deprecated value removed from an enum received in responses", [S, B, B], false, "as response-enum-value-removed, after a deprecation period"),
    rule_of("enum-variant-rust-name-changed", "enum variant's Rust name changed", [S, B, B], false, "the variant is renamed; the wire value is unchanged"),
    rule_of("enum-repr-changed", "enum changed between string, integer and boolean values", [B, B, B], false, "another wire type"),
    rule_of("enum-value-deprecated", "enum value deprecated", [S, W, S], true, "users of the variant get a deprecation warning"),
    rule_of("enum-value-docs-changed", "enum value docs changed", [S, S, S], false, "documentation only"),
    // Callback events.
    rule_of("event-added", "callback event added", [S, W, S], true, "a new `CallbackEvent` variant; requests code used to find in `Unknown` now arrive in it"),
    rule_of("event-removed", "callback event removed", [S, B, S], false, "the variant disappears; its requests decode as `Unknown`"),
    rule_of("event-conditions-changed", "callback event's conditions changed", [W, S, S], false, "deployed programs tell the event apart by the old values"),
    rule_of("event-body-changed", "callback event's body model changed", [W, B, S], false, "the variant holds another type; deployed programs may decode its requests as `Unknown`"),
    rule_of("event-docs-changed", "callback event docs changed", [S, S, S], false, "documentation only"),
    rule_of("event-examples-changed", "callback event examples changed", [S, S, S], false, "examples and their generated tests only"),
    rule_of("callback-common-field-added", "common callback field added", [S, S, S], true, "a new accessor on `CallbackEvent`"),
    rule_of("callback-common-field-removed", "common callback field removed", [S, B, S], false, "the accessor disappears"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for rule in RULES {
            assert!(seen.insert(rule.id), "duplicate rule id {}", rule.id);
            assert!(rule.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{} is not kebab-case", rule.id);
        }
    }

    #[test]
    fn levels_follow_the_worst_column() {
        assert_eq!(rule("operation-added").level(), Level::Info);
        assert_eq!(rule("operation-deprecated").level(), Level::Warning);
        assert_eq!(rule("param-constraint-tightened").level(), Level::Breaking);
    }

    #[test]
    fn nothing_that_breaks_is_additive() {
        for rule in RULES {
            assert!(!(rule.additive && rule.level() == Level::Breaking), "{} breaks and adds", rule.id);
        }
    }
}
