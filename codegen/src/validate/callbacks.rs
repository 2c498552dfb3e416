//! The `callbacks:` section: each event's body model, its conditions (`when`) and examples,
//! and the fields every event offers (`common`). An example must fit its model, satisfy its
//! event's conditions, and not be claimed by an event tried before it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value as Json;

use super::{at, is_snake, resolve_path, Ctx};
use crate::diagnostic::did_you_mean;
use crate::load::{raw, Item, Origin};
use crate::model::*;

impl Ctx<'_> {
    pub(super) fn callbacks(&mut self, names: &BTreeSet<String>, models: &BTreeMap<String, Model>, api: Option<&Api>) -> Option<Callbacks> {
        let loaded = self.loaded;
        let first = loaded.callbacks.first();
        if first.is_none() && !loaded.events.is_empty() {
            // The section's own settings could not be read: already reported.
            return None;
        }
        let first = first?;
        for extra in &loaded.callbacks[1..] {
            self.error(
                Origin { file: extra.file, path: "callbacks".into() },
                "a second `callbacks` section",
                format!("keep the one in {} and move these events there", loaded.files[first.file].name),
            );
        }
        let origin = Origin { file: first.file, path: "callbacks".into() };
        let raw = &first.value;
        if !is_snake(&raw.group) {
            self.error_value(at(&origin, "group"), format!("the group `{}` is not snake_case", raw.group), format!("write `{}`", crate::naming::snake(&raw.group)));
        }
        let mut events = Vec::new();
        let mut seen: HashMap<&str, &Item<raw::Event>> = HashMap::new();
        for item in &loaded.events {
            if let Some(first) = seen.insert(&item.name, item) {
                let first_at = self.where_is(&Origin { file: first.file, path: first.path.clone() });
                self.error(
                    Origin { file: item.file, path: item.path.clone() },
                    format!("the event name `{}` is used twice", item.name),
                    format!("it is first used at {first_at}; rename one of them"),
                );
                continue;
            }
            if let Some(event) = self.event(item, names, models, api) {
                events.push((event, item));
            }
        }
        // More conditions first, so that a specific event is tried before a general one.
        events.sort_by(|(a, _), (b, _)| b.when.len().cmp(&a.when.len()).then_with(|| a.name.cmp(&b.name)));
        self.event_conflicts(&events);
        self.variant_names(&events);
        let common = self.common_fields(&origin, &raw.common, &events, models);
        Some(Callbacks { doc: raw.doc.clone(), group: raw.group.clone(), common, events: events.into_iter().map(|(e, _)| e).collect() })
    }

    fn event(&mut self, item: &Item<raw::Event>, names: &BTreeSet<String>, models: &BTreeMap<String, Model>, api: Option<&Api>) -> Option<Event> {
        let raw = &item.value;
        let origin = Origin { file: item.file, path: item.path.clone() };
        let mut ok = true;
        if !is_snake(&item.name) {
            self.error(origin.clone(), format!("the event name `{}` is not snake_case", item.name), format!("rename it to `{}`", crate::naming::snake(&item.name)));
            ok = false;
        }
        if raw.docs.starts_with("http") || !raw.docs.contains(".html#") {
            self.error_value(at(&origin, "docs"), format!("`{}` is not a `page.html#section` link", raw.docs), "write the page and section relative to `api.docs_base`, e.g. `callback_configurations.html#创建群组`");
        }
        if raw.summary.contains('\n') {
            self.error_value(at(&origin, "summary"), "the summary spans several lines", "keep `summary` to one line and move the rest to `description`");
        }
        let body_ty = self.type_ref(at(&origin, "body"), &raw.body, names)?;
        let body = match (&body_ty, models.get(&raw.body)) {
            (TypeRef::Model(name), Some(Model::Object(_))) => name.clone(),
            (TypeRef::Model(name), None) if self.unreliable.contains(name) => return None,
            _ => {
                self.error_value(at(&origin, "body"), format!("the body `{}` is not an object model", raw.body), "name an object model (with `fields`) that describes the whole request body");
                return None;
            }
        };
        let reliable = !self.unreliable.contains(&body);
        if raw.when.is_empty() {
            self.error(at(&origin, "when"), "the event has no condition", "add `when:` with the fields and values that tell this event apart, e.g. `{chat_type: muc, payload.operation: create}`");
            ok = false;
        }
        let mut when = Vec::new();
        for (key, value) in &raw.when {
            let here = at(&origin, &format!("when.{key}"));
            let path: Vec<String> = key.split('.').map(str::to_owned).collect();
            let values: Vec<Json> = match value {
                Json::Array(items) => items.clone(),
                other => vec![other.clone()],
            };
            if values.is_empty() || values.iter().any(|v| v.is_array() || v.is_object() || v.is_null()) {
                self.error_value(here.clone(), format!("the condition on `{key}` is not a value or a list of values"), "write a string or number, or a list of them (any one matches)");
                ok = false;
                continue;
            }
            if reliable {
                match resolve_path(models, &body_ty, &path) {
                    Ok(ty) if is_scalar(models, &ty) => {
                        for v in &values {
                            self.check_value(&here, models, &ty, &Constraints::default(), v, "condition");
                        }
                    }
                    Ok(ty) => {
                        self.error(here.clone(), format!("`{key}` is a `{ty}`, which a condition cannot compare"), "compare a string, integer, boolean or enum field");
                        ok = false;
                    }
                    Err(message) => {
                        self.error(here.clone(), message.replace("the response has", "the body has"), "name a field of the body model, with dots for nested fields (`payload.operation`)");
                        ok = false;
                    }
                }
            }
            when.push((path, values));
        }
        if raw.examples.is_empty() && raw.note.is_none() {
            self.error(at(&origin, "examples"), "the event has no example", "add the page's request examples under `examples:`, or say in `note:` that the page has none");
        }
        let mut examples = Vec::new();
        for (i, example) in raw.examples.iter().enumerate() {
            let here = at(&origin, &format!("examples[{i}]"));
            let fragment: Vec<String> = example.fragment.as_deref().map_or_else(Vec::new, |f| f.split('.').map(str::to_owned).collect());
            let ty = if fragment.is_empty() {
                body_ty.clone()
            } else if !reliable {
                continue;
            } else {
                match resolve_path(models, &body_ty, &fragment) {
                    Ok(ty) => ty,
                    Err(message) => {
                        self.error_value(at(&here, "fragment"), message.replace("the response has", "the body has"), "name the field of the body the example shows, with dots for nested fields");
                        continue;
                    }
                }
            };
            self.check_value(&at(&here, "body"), models, &ty, &Constraints::default(), &example.body, "example");
            examples.push(EventExample { title: example.title.clone(), fragment, ty, body: example.body.clone() });
        }
        let event = Event {
            name: item.name.clone(),
            name_zh: raw.name_zh.clone(),
            summary: raw.summary.clone(),
            description: raw.description.clone(),
            docs_url: format!("{}{}", api.map_or("", |a| a.docs_base.as_str()), raw.docs),
            when,
            body,
            note: raw.note.clone(),
            examples,
        };
        ok.then_some(event)
    }

    /// Two events with the same conditions, and whole examples another event would claim.
    fn event_conflicts(&mut self, events: &[(Event, &Item<raw::Event>)]) {
        for (i, (event, item)) in events.iter().enumerate() {
            let origin = Origin { file: item.file, path: item.path.clone() };
            if let Some((twin, _)) = events[..i].iter().find(|(e, _)| same_conditions(&e.when, &event.when)) {
                self.error(at(&origin, "when"), format!("`{}` and `{}` have the same `when`", event.name, twin.name), "give each event a distinct condition");
                continue;
            }
            for (k, example) in event.examples.iter().enumerate() {
                if !example.fragment.is_empty() {
                    continue;
                }
                let here = at(&origin, &format!("examples[{k}].body"));
                if !event.matches(&example.body) {
                    let (path, values) = event.when.iter().find(|(p, v)| !holds(&example.body, p, v)).expect("a condition fails");
                    let found = path.iter().try_fold(&example.body, |v, key| v.get(key)).map_or("absent".to_owned(), |v| format!("`{}`", plain(v)));
                    let wanted: Vec<String> = values.iter().map(|v| format!("`{}`", plain(v))).collect();
                    self.error_value(here, format!("the example does not satisfy the event's `when`: `{}` is {found}, not {}", path.join("."), wanted.join(" or ")), "correct the example, or the condition (a list of values accepts any of them)");
                } else if let Some((other, _)) = events[..i].iter().find(|(e, _)| e.matches(&example.body)) {
                    self.error_value(here, format!("the example would be decoded as `{}`, which is tried first", other.name), format!("add a condition to `{}` that this example fails", other.name));
                }
            }
        }
    }

    /// Event names must give distinct Rust variants, none of them the `Unknown` variant.
    fn variant_names(&mut self, events: &[(Event, &Item<raw::Event>)]) {
        let mut seen: HashMap<String, &str> = HashMap::new();
        for (event, item) in events {
            let variant = crate::naming::pascal(&event.name);
            let origin = Origin { file: item.file, path: item.path.clone() };
            if variant == "Unknown" {
                self.error(origin, format!("the event name `{}` becomes the variant `Unknown`, which holds the events no other variant describes", event.name), "rename the event");
            } else if let Some(other) = seen.insert(variant.clone(), &event.name) {
                self.error(origin, format!("the events `{other}` and `{}` both become the variant `{variant}`", event.name), "rename one of them");
            }
        }
    }

    /// The type of each common field: the same string or integer field in every event
    /// body that has it.
    fn common_fields(&mut self, origin: &Origin, common: &[String], events: &[(Event, &Item<raw::Event>)], models: &BTreeMap<String, Model>) -> Vec<(String, TypeRef)> {
        // Methods `CallbackEvent` has besides the accessors.
        const TAKEN: [&str; 3] = ["name", "from_slice", "from_value"];
        let mut out = Vec::new();
        let mut methods: HashMap<String, &str> = HashMap::new();
        for (i, name) in common.iter().enumerate() {
            let here = at(origin, &format!("common[{i}]"));
            let method = crate::naming::snake(name);
            if TAKEN.contains(&method.as_str()) {
                self.error_value(here, format!("the common field `{name}` would become the method `{method}`, which `CallbackEvent` already has"), "leave it out of `common`");
                continue;
            }
            if let Some(other) = methods.insert(method.clone(), name) {
                self.error_value(here, format!("the common fields `{other}` and `{name}` both become the method `{method}`"), "keep one of them");
                continue;
            }
            let mut found: Option<(TypeRef, &str)> = None;
            let mut ok = true;
            for (event, _) in events {
                let Some(Model::Object(body)) = models.get(&event.body) else { continue };
                let Some(field) = body.fields.iter().find(|f| &f.name == name) else { continue };
                if !matches!(field.ty, TypeRef::String | TypeRef::Integer) {
                    self.error_value(here.clone(), format!("`{name}` is a `{}` in `{}`; a common field is a string or an integer", field.ty, body.name), "keep it out of `common`, or change its type");
                    ok = false;
                    break;
                }
                match &found {
                    Some((ty, other)) if *ty != field.ty => {
                        self.error_value(here.clone(), format!("`{name}` is a `{ty}` in `{other}` but a `{}` in `{}`", field.ty, body.name), "give the field one type in every event body");
                        ok = false;
                        break;
                    }
                    Some(_) => {}
                    None => found = Some((field.ty.clone(), &body.name)),
                }
            }
            match found {
                Some((ty, _)) if ok => out.push((name.clone(), ty)),
                Some(_) => {}
                None if events.is_empty() => {}
                None => {
                    let fields: BTreeSet<&str> = events
                        .iter()
                        .filter_map(|(e, _)| match models.get(&e.body) {
                            Some(Model::Object(m)) => Some(m.fields.iter().map(|f| f.name.as_str())),
                            _ => None,
                        })
                        .flatten()
                        .collect();
                    let help = did_you_mean(name, fields, || "name a field that event bodies have".into());
                    self.error_value(here, format!("no event body has a field `{name}`"), help);
                }
            }
        }
        out
    }
}

/// A value as written in a condition: strings without their quotes.
fn plain(value: &Json) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_owned)
}

fn is_scalar(models: &BTreeMap<String, Model>, ty: &TypeRef) -> bool {
    match ty {
        TypeRef::String | TypeRef::Integer | TypeRef::Boolean => true,
        TypeRef::Model(name) => matches!(models.get(name), Some(Model::Enum(_))),
        _ => false,
    }
}

fn holds(body: &Json, path: &[String], values: &[Json]) -> bool {
    path.iter().try_fold(body, |v, key| v.get(key)).is_some_and(|v| values.contains(v))
}

fn same_conditions(a: &[(Vec<String>, Vec<Json>)], b: &[(Vec<String>, Vec<Json>)]) -> bool {
    let set = |w: &[(Vec<String>, Vec<Json>)]| -> BTreeSet<(String, String)> {
        w.iter().flat_map(|(p, vs)| vs.iter().map(move |v| (p.join("."), v.to_string()))).collect()
    };
    a.len() == b.len() && set(a) == set(b)
}

#[cfg(test)]
mod tests {
    const API: &str = "api: {title: T, version: '1', description: D, docs_base: 'https://x/', base_path: /a, base_params: {}, default_rate_limit: {count: 1, per: second}, error_model: E, servers: []}\nmodels:\n  E: {doc: Error., fields: {error: {type: string, doc: Error.}}}\n  Ev: {doc: Event., fields: {kind: {type: string, doc: Kind.}, n: {type: integer, doc: N.}, tags: {type: '[string]', doc: Tags.}}}\n";

    fn event(name: &str, kind: &str) -> String {
        format!("    {name}:\n      name_zh: 事件\n      summary: S.\n      docs: p.html#s\n      when: {{kind: {kind}}}\n      body: Ev\n      examples: [{{body: {{kind: {kind}}}}}]\n")
    }

    fn check(files: &[(&str, String)]) -> String {
        let mut sources = vec![("a.yaml".to_owned(), API.to_owned())];
        sources.extend(files.iter().map(|(n, t)| (n.to_string(), t.clone())));
        match crate::load_spec_sources(sources) {
            Ok(spec) => format!("ok: {:?}", spec.callbacks.map(|c| c.events.into_iter().map(|e| e.name).collect::<Vec<_>>())),
            Err(report) => report,
        }
    }

    #[test]
    fn event_names_are_unique_across_files_and_the_section_is_single() {
        let one = format!("callbacks:\n  doc: D.\n  group: cb\n  events:\n{}", event("made", "m"));
        let two = format!("callbacks:\n  doc: D.\n  group: cb\n  events:\n{}{}", event("made", "x"), event("other", "o"));
        let report = check(&[("b.yaml", one.clone()), ("c.yaml", two)]);
        assert!(report.contains("a second `callbacks` section"), "{report}");
        assert!(report.contains("the event name `made` is used twice"), "{report}");
        assert!(report.contains("it is first used at b.yaml:5:5"), "{report}");
        assert_eq!(check(&[("b.yaml", one)]), "ok: Some([\"made\"])");
    }

    #[test]
    fn conditions_and_common_fields_are_checked() {
        let twins = format!("callbacks:\n  doc: D.\n  group: cb\n  events:\n{}{}", event("first", "m"), event("second", "m"));
        assert!(check(&[("b.yaml", twins)]).contains("`second` and `first` have the same `when`"));
        let common = format!("callbacks:\n  doc: D.\n  group: cb\n  common: [kidn, tags]\n  events:\n{}", event("made", "m"));
        let report = check(&[("b.yaml", common)]);
        assert!(report.contains("no event body has a field `kidn`") && report.contains("did you mean `kind`?"), "{report}");
        assert!(report.contains("`tags` is a `[string]` in `Ev`; a common field is a string or an integer"), "{report}");
        let bad_path = format!("callbacks:\n  doc: D.\n  group: cb\n  events:\n{}", event("made", "m").replace("when: {kind: m}", "when: {tags: m}"));
        assert!(check(&[("b.yaml", bad_path)]).contains("`tags` is a `[string]`, which a condition cannot compare"));
        let no_example = format!("callbacks:\n  doc: D.\n  group: cb\n  events:\n{}", event("made", "m").replace("[{body: {kind: m}}]", "[]"));
        assert!(check(&[("b.yaml", no_example.clone())]).contains("the event has no example"));
        assert!(check(&[("b.yaml", no_example.replace("      examples", "      note: No example on the page.\n      examples"))]).starts_with("ok"));
    }

    #[test]
    fn names_that_would_collide_in_rust_are_refused() {
        let unknown = format!("callbacks:\n  doc: D.\n  group: cb\n  events:\n{}", event("unknown", "m"));
        assert!(check(&[("b.yaml", unknown)]).contains("becomes the variant `Unknown`"));
        let twins = format!("callbacks:\n  doc: D.\n  group: cb\n  events:\n{}{}", event("level_2", "a"), event("level2", "b"));
        assert!(check(&[("b.yaml", twins)]).contains("the events `level2` and `level_2` both become the variant `Level2`"));
        let taken = format!("callbacks:\n  doc: D.\n  group: cb\n  common: [name, kind, Kind]\n  events:\n{}", event("made", "m"));
        let report = check(&[("b.yaml", taken)]);
        assert!(report.contains("the common field `name` would become the method `name`"), "{report}");
        assert!(report.contains("the common fields `kind` and `Kind` both become the method `kind`"), "{report}");
    }

    #[test]
    fn more_specific_events_are_tried_first() {
        let text = "callbacks:\n  doc: D.\n  group: cb\n  events:\n    any:\n      name_zh: 事件\n      summary: S.\n      docs: p.html#s\n      when: {kind: m}\n      body: Ev\n      examples: [{body: {kind: m, n: 2}}]\n    one:\n      name_zh: 事件\n      summary: S.\n      docs: p.html#s\n      when: {kind: m, n: [1, 3]}\n      body: Ev\n      examples: [{body: {kind: m, n: 1}}, {body: {kind: m, n: 3}}]\n";
        assert_eq!(check(&[("b.yaml", text.to_owned())]), "ok: Some([\"one\", \"any\"])");
    }
}
