//! Walks two specs side by side and records a [`Change`] per difference. Operations are
//! paired by id, then by `renamed_from`, then by route (a rename); models by name, then
//! through their renamed operation (bodies written in place), `renamed_from`, or identical
//! fields (a rename).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::rules::rule;
use crate::usage::{self, Directions};
use super::{Change, Side};
use crate::ir;
use crate::model::{Constraints, Deprecation, EnumModel, Event, Field, Model, ObjectModel, Operation, Param, Repr, Response, Spec, TypeRef};
use crate::validate::enum_value_key;

pub(super) fn run(old: &Spec, new: &Spec) -> Vec<Change> {
    let mut walk = Walk { old, new, out: Vec::new(), model_names: BTreeMap::new() };
    walk.api();
    let op_pairs = walk.pair_operations();
    let model_pairs = walk.pair_models(&op_pairs);
    for (a, b, _) in &op_pairs {
        walk.operation(a, b);
    }
    walk.callbacks();
    let (old_dirs, new_dirs) = (usage::directions(old), usage::directions(new));
    for (a, b) in &model_pairs {
        let dirs = old_dirs.get(a.as_str()).copied().unwrap_or_default().union(new_dirs.get(b.as_str()).copied().unwrap_or_default());
        walk.model(a, b, dirs);
    }
    walk.out
}

/// How an old operation or model found its new counterpart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pairing {
    SameName,
    /// The new one lists the old name in `renamed_from`: the crate keeps a deprecated alias.
    Alias,
    /// Same route (operations) or same fields (models) under a new name.
    Renamed,
}

struct Walk<'a> {
    old: &'a Spec,
    new: &'a Spec,
    out: Vec<Change>,
    /// Old model name → new model name, for comparing types across renames.
    model_names: BTreeMap<&'a str, &'a str>,
}

impl<'a> Walk<'a> {
    fn push(&mut self, rule_id: &str, side: Side, path: impl Into<String>, message: impl Into<String>, rust_items: Vec<String>) {
        let path = path.into();
        let spec = if side == Side::New { self.new } else { self.old };
        let location = spec.locations.find(&path).map(|l| (side, l.clone()));
        self.out.push(Change { rule: rule(rule_id), path, location, message: message.into(), rust_items });
    }

    /// Whether two types are the same once renamed models are mapped to their new names.
    fn same_type(&self, old: &TypeRef, new: &TypeRef) -> bool {
        match (old, new) {
            (TypeRef::Model(a), TypeRef::Model(b)) => self.model_names.get(a.as_str()).copied().unwrap_or(a) == b,
            (TypeRef::Array(a), TypeRef::Array(b)) | (TypeRef::Map(a), TypeRef::Map(b)) => self.same_type(a, b),
            _ => old == new,
        }
    }

    // ---- the API section ---------------------------------------------------------

    fn api(&mut self) {
        let (a, b) = (&self.old.api, &self.new.api);
        if a.base_path != b.base_path {
            self.push("api-base-path-changed", Side::New, "api.base_path", format!("the base path is `{}` instead of `{}`", b.base_path, a.base_path), vec![]);
        }
        if a.version != b.version {
            self.push("api-version-changed", Side::New, "api.version", format!("API description version {} → {}", a.version, b.version), vec![]);
        }
        if a.servers != b.servers {
            self.push("api-servers-changed", Side::New, "api.servers", "the documented servers changed", vec![]);
        }
    }

    // ---- callback events ---------------------------------------------------------

    fn callbacks(&mut self) {
        let events = |spec: &'a Spec| spec.callbacks.iter().flat_map(|c| c.events.iter());
        let common = |spec: &'a Spec| spec.callbacks.iter().flat_map(|c| c.common.iter().map(|(name, _)| name.as_str())).collect::<Vec<_>>();
        let variant = |e: &Event| vec![format!("CallbackEvent::{}", crate::naming::pascal(&e.name))];
        // The specs outlive the walk: iterating them does not hold `self`.
        let (old_spec, new_spec) = (self.old, self.new);
        for old in events(old_spec) {
            let here = format!("callbacks.events.{}", old.name);
            let Some(new) = events(new_spec).find(|e| e.name == old.name) else {
                self.push("event-removed", Side::Old, here, format!("event `{}` removed", old.name), variant(old));
                continue;
            };
            let sorted = |e: &Event| {
                let mut when: Vec<(String, Vec<String>)> = e.when.iter().map(|(p, vs)| (p.join("."), vs.iter().map(Json::to_string).collect())).collect();
                when.sort();
                when
            };
            if sorted(old) != sorted(new) {
                self.push("event-conditions-changed", Side::New, format!("{here}.when"), format!("event `{}` is told apart by other values", new.name), variant(new));
            }
            if !self.same_type(&TypeRef::Model(old.body.clone()), &TypeRef::Model(new.body.clone())) {
                self.push("event-body-changed", Side::New, format!("{here}.body"), format!("event `{}` holds `{}` instead of `{}`", new.name, new.body, old.body), variant(new));
            }
            let docs = |e: &'a Event| (&e.name_zh, &e.summary, &e.description, &e.docs_url, &e.note);
            if docs(old) != docs(new) {
                self.push("event-docs-changed", Side::New, here.clone(), format!("the docs of event `{}` changed", new.name), variant(new));
            }
            // As written: the type an example is checked against follows the body.
            let written = |e: &'a Event| e.examples.iter().map(|x| (&x.title, &x.fragment, &x.body)).collect::<Vec<_>>();
            if written(old) != written(new) {
                self.push("event-examples-changed", Side::New, format!("{here}.examples"), format!("the examples of event `{}` changed", new.name), vec![]);
            }
        }
        for new in events(new_spec).filter(|e| !events(old_spec).any(|o| o.name == e.name)) {
            self.push("event-added", Side::New, format!("callbacks.events.{}", new.name), format!("event `{}` added", new.name), variant(new));
        }
        let (old_common, new_common) = (common(self.old), common(self.new));
        for name in old_common.iter().filter(|n| !new_common.contains(n)) {
            let method = crate::naming::snake(name);
            self.push("callback-common-field-removed", Side::Old, "callbacks.common", format!("`{name}` is no longer a common field"), vec![format!("CallbackEvent::{method}")]);
        }
        for name in new_common.iter().filter(|n| !old_common.contains(n)) {
            let method = crate::naming::snake(name);
            self.push("callback-common-field-added", Side::New, "callbacks.common", format!("`{name}` is a common field"), vec![format!("CallbackEvent::{method}")]);
        }
    }

    // ---- operations --------------------------------------------------------------

    fn pair_operations(&mut self) -> Vec<(&'a Operation, &'a Operation, Pairing)> {
        let old_by_id: BTreeMap<&str, &Operation> = self.old.operations.iter().map(|o| (o.id.as_str(), o)).collect();
        let new_ids: BTreeSet<&str> = self.new.operations.iter().map(|o| o.id.as_str()).collect();
        let mut unpaired_old: BTreeSet<&str> = old_by_id.keys().filter(|id| !new_ids.contains(*id)).copied().collect();
        let mut pairs = Vec::new();
        let mut added = Vec::new();
        for op in &self.new.operations {
            if let Some(before) = old_by_id.get(op.id.as_str()) {
                pairs.push((*before, op, Pairing::SameName));
                continue;
            }
            let alias = op.renamed_from.iter().find(|id| unpaired_old.contains(id.as_str())).map(|id| (id.as_str(), Pairing::Alias));
            let same_route = || {
                unpaired_old
                    .iter()
                    .find(|id| {
                        let o = old_by_id[**id];
                        o.method == op.method && o.path == op.path && o.variant == op.variant
                    })
                    .map(|id| (*id, Pairing::Renamed))
            };
            match alias.or_else(same_route) {
                Some((old_id, pairing)) => {
                    unpaired_old.remove(old_id);
                    pairs.push((old_by_id[old_id], op, pairing));
                    self.renamed_operation(old_by_id[old_id], op, pairing);
                }
                None => added.push(op),
            }
        }
        for op in added {
            let items = operation_items(op);
            self.push("operation-added", Side::New, format!("operations.{}", op.id), format!("`{}` ({}) added", op.id, route(op)), items);
        }
        for id in unpaired_old {
            let op = old_by_id[id];
            let rule_id = if op.deprecated.is_some() { "deprecated-operation-removed" } else { "operation-removed" };
            self.push(rule_id, Side::Old, format!("operations.{id}"), format!("`{id}` ({}) removed", route(op)), operation_items(op));
        }
        pairs
    }

    fn renamed_operation(&mut self, old: &Operation, new: &Operation, pairing: Pairing) {
        let mut items = operation_items(old);
        items.extend(operation_items(new));
        items.extend(inline_models(self.old, old).chain(inline_models(self.new, new)));
        let path = format!("operations.{}", new.id);
        let (from, to) = (&old.id, &new.id);
        if pairing == Pairing::Alias {
            self.push("operation-renamed-with-alias", Side::New, path, format!("`{from}` is now `{to}`; the old names stay as deprecated aliases"), items);
        } else {
            let message = format!("`{from}` is now `{to}` ({}); add `renamed_from: [{from}]` to keep the old names as deprecated aliases", route(new));
            self.push("operation-renamed", Side::New, path, message, items);
        }
    }

    fn operation(&mut self, old: &'a Operation, new: &'a Operation) {
        let id = &new.id;
        let path = format!("operations.{id}");
        let method_item = vec![client_method(new)];
        if old.group != new.group {
            let items = vec![client_method(old), client_method(new)];
            self.push("operation-group-changed", Side::New, format!("{path}.group"), format!("`{id}` moved from `client.{}()` to `client.{}()`", old.group, new.group), items);
        }
        if old.method != new.method {
            self.push("operation-method-changed", Side::New, format!("{path}.method"), format!("`{id}` is sent as {} instead of {}", new.method.as_str(), old.method.as_str()), method_item.clone());
        }
        if old.path != new.path {
            self.push("operation-path-changed", Side::New, format!("{path}.path"), format!("`{id}` requests `{}` instead of `{}`", new.path, old.path), method_item.clone());
        }
        match (&old.deprecated, &new.deprecated) {
            (None, Some(d)) => self.push("operation-deprecated", Side::New, format!("{path}.deprecated"), format!("`{id}` is deprecated{}", deprecation_text(d)), operation_items(new)),
            (Some(_), None) => self.push("operation-undeprecated", Side::New, path.clone(), format!("`{id}` is no longer deprecated"), method_item.clone()),
            _ => {}
        }
        if old.auth != new.auth {
            let (rule_id, text) = if new.auth { ("operation-auth-added", "now needs") } else { ("operation-auth-removed", "no longer needs") };
            self.push(rule_id, Side::New, format!("{path}.auth"), format!("`{id}` {text} the app token"), vec![]);
        }
        if old.idempotent != new.idempotent {
            let (rule_id, text) = if new.idempotent { ("operation-now-idempotent", "is now") } else { ("operation-no-longer-idempotent", "is no longer") };
            self.push(rule_id, Side::New, format!("{path}.idempotent"), format!("`{id}` {text} retried automatically"), vec![]);
        }
        if old.variant != new.variant {
            self.push("operation-variant-changed", Side::New, format!("{path}.variant"), format!("`{id}`: the condition that selects it on its route changed"), vec![]);
        }
        let per_second = |op: &Operation| f64::from(op.rate_limit.count) / op.rate_limit.per.seconds() as f64;
        let (before, after) = (per_second(old), per_second(new));
        let limit_text = |op: &Operation| format!("{} per {}", op.rate_limit.count, op.rate_limit.per.as_str());
        if after < before {
            self.push("operation-rate-limit-lowered", Side::New, format!("{path}.rate_limit"), format!("`{id}`: rate limit {} → {}", limit_text(old), limit_text(new)), vec![format!("{}::RATE_LIMIT", ir::builder_name(id))]);
        } else if after > before {
            self.push("operation-rate-limit-raised", Side::New, format!("{path}.rate_limit"), format!("`{id}`: rate limit {} → {}", limit_text(old), limit_text(new)), vec![format!("{}::RATE_LIMIT", ir::builder_name(id))]);
        }
        fn docs(op: &Operation) -> (&String, &Option<String>, &Option<String>, &String, &String, &Option<String>, bool) {
            (&op.summary, &op.description, &op.note, &op.docs_url, &op.name_zh, &op.rate_limit.note, op.rate_limit.documented)
        }
        if docs(old) != docs(new) {
            self.push("operation-docs-changed", Side::New, format!("{path}.summary"), format!("`{id}`: docs changed"), method_item.clone());
        }
        if old.examples != new.examples {
            self.push("operation-examples-changed", Side::New, format!("{path}.examples"), format!("`{id}`: examples changed"), vec![]);
        }
        self.params(old, new);
        self.bodies(old, new);
        self.paging(old, new);
    }

    fn params(&mut self, old: &Operation, new: &Operation) {
        let id = &new.id;
        for p in &old.params {
            if !new.params.iter().any(|q| q.name == p.name) {
                let rule_id = if p.deprecated.is_some() { "deprecated-param-removed" } else { "param-removed" };
                let message = format!("`{id}` no longer takes the parameter `{}`", p.name);
                self.push(rule_id, Side::Old, format!("operations.{}.params.{}", old.id, p.name), message, param_items(old, p));
            }
        }
        for p in &new.params {
            let here = format!("operations.{id}.params.{}", p.name);
            let Some(before) = old.params.iter().find(|q| q.name == p.name) else {
                let (rule_id, kind) = if p.required { ("param-added-required", "required") } else { ("param-added-optional", "optional") };
                self.push(rule_id, Side::New, here, format!("`{id}` has a new {kind} parameter `{}`", p.name), param_items(new, p));
                continue;
            };
            self.param(old, new, before, p, &here);
        }
    }

    fn param(&mut self, old_op: &Operation, op: &Operation, old: &Param, new: &Param, here: &str) {
        let (id, name) = (&op.id, &new.name);
        let items = param_items(op, new);
        if !self.same_type(&old.ty, &new.ty) {
            self.push("param-type-changed", Side::New, here, format!("`{id}` parameter `{name}` is `{}` instead of `{}`", new.ty, old.ty), items.clone());
        }
        if old.required != new.required {
            let mut both = param_items(old_op, old);
            both.extend(items.iter().cloned());
            let (rule_id, now) = if new.required { ("param-became-required", "required (an argument)") } else { ("param-became-optional", "optional (a setter)") };
            self.push(rule_id, Side::New, here, format!("`{id}` parameter `{name}` is now {now}"), both);
        }
        if old.location != new.location {
            self.push("param-location-changed", Side::New, here, format!("`{id}` sends `{name}` in the {} instead of the {}", new.location.as_str(), old.location.as_str()), vec![]);
        }
        if ir::field_ident(&old.name, old.rust_name.as_ref()) != ir::field_ident(&new.name, new.rust_name.as_ref()) {
            let mut both = param_items(old_op, old);
            both.extend(items.iter().cloned());
            self.push("param-rust-name-changed", Side::New, here, format!("`{id}` parameter `{name}` has a new Rust name"), both);
        }
        if old.default != new.default {
            self.push("param-default-changed", Side::New, here, format!("`{id}` parameter `{name}`: default {} → {}", shown(old.default.as_ref()), shown(new.default.as_ref())), vec![]);
        }
        let (tightened, loosened) = constraint_shift(&old.constraints, &new.constraints);
        if !tightened.is_empty() {
            self.push("param-constraint-tightened", Side::New, here, format!("`{id}` parameter `{name}`: {}", tightened.join(", ")), vec![]);
        }
        if !loosened.is_empty() {
            self.push("param-constraint-loosened", Side::New, here, format!("`{id}` parameter `{name}`: {}", loosened.join(", ")), vec![]);
        }
        match (&old.deprecated, &new.deprecated) {
            (None, Some(d)) => self.push("param-deprecated", Side::New, here, format!("`{id}` parameter `{name}` is deprecated{}", deprecation_text(d)), items),
            (Some(_), None) => self.push("param-docs-changed", Side::New, here, format!("`{id}` parameter `{name}` is no longer deprecated"), vec![]),
            _ if old.doc != new.doc => self.push("param-docs-changed", Side::New, here, format!("`{id}` parameter `{name}`: docs changed"), vec![]),
            _ => {}
        }
    }

    fn bodies(&mut self, old: &Operation, new: &Operation) {
        let id = &new.id;
        let here = format!("operations.{id}.request");
        let method = vec![client_method(new), server_method(new)];
        match (&old.request, &new.request) {
            (None, Some(r)) => self.push("request-body-added", Side::New, here, format!("`{id}` now takes a `{}` body", r.body), method.clone()),
            (Some(r), None) => self.push("request-body-removed", Side::New, here, format!("`{id}` no longer takes a body (was `{}`)", r.body), method.clone()),
            (Some(a), Some(b)) => {
                if !self.same_type(&a.body, &b.body) {
                    self.push("request-body-type-changed", Side::New, here.clone(), format!("`{id}` takes `{}` instead of `{}`", b.body, a.body), method.clone());
                }
                if a.encoding != b.encoding {
                    self.push("request-encoding-changed", Side::New, here, format!("`{id}` sends its body as {} instead of {}", b.encoding.content_type(), a.encoding.content_type()), vec![]);
                }
            }
            (None, None) => {}
        }
        let same = match (&old.response, &new.response) {
            (Response::Json(a), Response::Json(b)) => self.same_type(a, b),
            (a, b) => a == b,
        };
        if !same {
            let message = format!("`{id}` answers {} instead of {}", response_text(&new.response), response_text(&old.response));
            self.push("response-type-changed", Side::New, format!("operations.{id}.response"), message, method);
        }
    }

    fn paging(&mut self, old: &Operation, new: &Operation) {
        let id = &new.id;
        let here = format!("operations.{id}.paging");
        let stream = vec![format!("{}::into_stream", ir::builder_name(id))];
        match (&old.paging, &new.paging) {
            (None, Some(_)) => self.push("paging-added", Side::New, here, format!("`{id}` can be streamed page by page"), stream),
            (Some(_), None) => self.push("paging-removed", Side::New, here, format!("`{id}` is no longer paged"), stream),
            (Some(a), Some(b)) => {
                if !self.same_type(&a.item_type, &b.item_type) {
                    self.push("paging-item-type-changed", Side::New, here.clone(), format!("`{id}` streams `{}` instead of `{}`", b.item_type, a.item_type), stream);
                }
                let shape = |p: &crate::model::Paging| (p.style, p.limit.clone(), p.cursor.clone(), p.next_cursor.clone(), p.page.clone(), p.items.clone());
                if shape(a) != shape(b) {
                    self.push("paging-changed", Side::New, here, format!("`{id}` pages through other parameters or response paths"), vec![]);
                }
            }
            (None, None) => {}
        }
    }

    // ---- models ------------------------------------------------------------------

    fn pair_models(&mut self, op_pairs: &[(&'a Operation, &'a Operation, Pairing)]) -> Vec<(String, String)> {
        let (old, new) = (self.old, self.new);
        let mut pairs: Vec<(String, String)> = Vec::new();
        for name in old.models.keys().filter(|n| new.models.contains_key(*n)) {
            pairs.push((name.clone(), name.clone()));
        }
        let mut unpaired_old: BTreeSet<&'a str> = old.models.keys().map(String::as_str).filter(|n| !new.models.contains_key(*n)).collect();
        let mut unpaired_new: BTreeSet<&'a str> = new.models.keys().map(String::as_str).filter(|n| !old.models.contains_key(*n)).collect();
        let mut links: Vec<(&'a str, &'a str, Option<bool>)> = Vec::new();
        // Bodies written in place follow their operation's rename (reported with it).
        for (a, b, _) in op_pairs.iter().filter(|(_, _, p)| *p != Pairing::SameName) {
            for suffix in ["Request", "Response"] {
                let (from, to) = (format!("{}{suffix}", ir::builder_name(&a.id)), format!("{}{suffix}", ir::builder_name(&b.id)));
                if let (Some(from), Some(to)) = (unpaired_old.get(from.as_str()).copied(), unpaired_new.get(to.as_str()).copied()) {
                    unpaired_old.remove(from);
                    unpaired_new.remove(to);
                    links.push((from, to, None));
                }
            }
        }
        // Then `renamed_from` (an alias), then identical fields (a plain rename).
        for (name, model) in &new.models {
            if !unpaired_new.contains(name.as_str()) || is_inline(model) {
                continue;
            }
            let aliases = match model {
                Model::Object(m) => &m.renamed_from,
                Model::Enum(m) => &m.renamed_from,
            };
            let alias = aliases.iter().find_map(|a| unpaired_old.get(a.as_str()).copied()).map(|from| (from, true));
            let twin = || unpaired_old.iter().copied().find(|o| !is_inline(&old.models[*o]) && same_shape(&old.models[*o], model)).map(|from| (from, false));
            if let Some((from, alias)) = alias.or_else(twin) {
                unpaired_old.remove(from);
                unpaired_new.remove(name.as_str());
                links.push((from, name, Some(alias)));
            }
        }
        for (from, to, rename) in links {
            self.model_names.insert(from, to);
            pairs.push((from.to_owned(), to.to_owned()));
            if let Some(alias) = rename {
                self.renamed_model(from, to, alias);
            }
        }
        for name in unpaired_new {
            let model = &new.models[name];
            if !is_inline(model) {
                self.push("model-added", Side::New, format!("models.{name}"), format!("{} `{name}` added", kind(model)), vec![name.to_owned()]);
            }
        }
        for name in unpaired_old {
            let model = &old.models[name];
            if !is_inline(model) {
                self.push("model-removed", Side::Old, format!("models.{name}"), format!("{} `{name}` removed", kind(model)), vec![name.to_owned()]);
            }
        }
        pairs
    }

    fn renamed_model(&mut self, from: &str, to: &str, alias: bool) {
        let items = vec![from.to_owned(), to.to_owned()];
        if alias {
            self.push("model-renamed-with-alias", Side::New, format!("models.{to}"), format!("`{from}` is now `{to}`; the old name stays as a deprecated alias"), items);
        } else {
            let message = format!("`{from}` is now `{to}` (same fields); add `renamed_from: [{from}]` to keep the old name as a deprecated alias");
            self.push("model-renamed", Side::New, format!("models.{to}"), message, items);
        }
    }

    fn model(&mut self, old_name: &str, new_name: &str, dirs: Directions) {
        let (a, b) = (&self.old.models[old_name], &self.new.models[new_name]);
        let path = format!("models.{new_name}");
        match (a, b) {
            (Model::Object(a), Model::Object(b)) => {
                self.fields(new_name, &a.fields, &b.fields, dirs);
                self.accessors(new_name, a, b);
                if a.doc != b.doc {
                    self.push("model-docs-changed", Side::New, path, format!("`{new_name}`: docs changed"), vec![]);
                }
            }
            (Model::Enum(a), Model::Enum(b)) => {
                self.enum_values(new_name, a, b, dirs);
                if a.doc != b.doc {
                    self.push("model-docs-changed", Side::New, path, format!("`{new_name}`: docs changed"), vec![]);
                }
            }
            _ => self.push("model-kind-changed", Side::New, path, format!("`{new_name}` changed from {} to {}", kind(a), kind(b)), vec![new_name.to_owned()]),
        }
    }

    fn accessors(&mut self, model: &str, old: &ObjectModel, new: &ObjectModel) {
        let path = format!("models.{model}");
        for a in old.accessors.iter().filter(|a| !new.accessors.iter().any(|b| b.name == a.name)) {
            self.push("accessor-removed", Side::New, path.clone(), format!("`{model}::{}()` removed", a.name), vec![format!("{model}::{}", a.name)]);
        }
        for b in &new.accessors {
            let item = vec![format!("{model}::{}", b.name)];
            match old.accessors.iter().find(|a| a.name == b.name) {
                None => self.push("accessor-added", Side::New, path.clone(), format!("`{model}::{}()` added ({})", b.name, b.path.join(".")), item),
                Some(a) if a.path != b.path => {
                    self.push("accessor-path-changed", Side::New, path.clone(), format!("`{model}::{}()` reaches {} instead of {}", b.name, b.path.join("."), a.path.join(".")), item)
                }
                Some(_) => {}
            }
        }
    }

    fn fields(&mut self, model: &str, old: &[Field], new: &[Field], dirs: Directions) {
        let sides = directions(dirs);
        for f in old.iter().filter(|f| !new.iter().any(|g| g.name == f.name)) {
            for dir in &sides {
                let rule_id = if f.deprecated.is_some() { format!("deprecated-{dir}-field-removed") } else { format!("{dir}-field-removed") };
                self.push(&rule_id, Side::New, format!("models.{model}"), format!("`{model}` lost the field `{}`", f.name), field_items(model, f));
            }
        }
        for f in new {
            let here = format!("models.{model}.fields.{}", f.name);
            let Some(before) = old.iter().find(|g| g.name == f.name) else {
                for dir in &sides {
                    let (rule_id, kind) = if f.required { (format!("{dir}-field-added-required"), "required") } else { (format!("{dir}-field-added-optional"), "optional") };
                    self.push(&rule_id, Side::New, here.clone(), format!("`{model}` has a new {kind} field `{}`", f.name), field_items(model, f));
                }
                continue;
            };
            self.field(model, before, f, &sides, &here);
        }
    }

    fn field(&mut self, model: &str, old: &Field, new: &Field, sides: &[&str], here: &str) {
        let name = &new.name;
        let items = field_items(model, new);
        for dir in sides {
            if !self.same_type(&old.ty, &new.ty) {
                self.push(&format!("{dir}-field-type-changed"), Side::New, here, format!("`{model}.{name}` is `{}` instead of `{}`", new.ty, old.ty), items.clone());
            }
            if old.required != new.required {
                let (rule_id, now) = if new.required { (format!("{dir}-field-became-required"), "required") } else { (format!("{dir}-field-became-optional"), "optional") };
                self.push(&rule_id, Side::New, here, format!("`{model}.{name}` is now {now}"), items.clone());
            }
            let (tightened, loosened) = constraint_shift(&old.constraints, &new.constraints);
            if !tightened.is_empty() {
                self.push(&format!("{dir}-field-constraint-tightened"), Side::New, here, format!("`{model}.{name}`: {}", tightened.join(", ")), vec![]);
            }
            if !loosened.is_empty() {
                self.push(&format!("{dir}-field-constraint-loosened"), Side::New, here, format!("`{model}.{name}`: {}", loosened.join(", ")), vec![]);
            }
        }
        if ir::field_ident(&old.name, old.rust_name.as_ref()) != ir::field_ident(&new.name, new.rust_name.as_ref()) {
            let mut both = field_items(model, old);
            both.extend(items.iter().cloned());
            self.push("field-rust-name-changed", Side::New, here, format!("`{model}.{name}` has a new Rust name"), both);
        }
        if old.time != new.time {
            let shown = |t: Option<crate::model::TimeField>| match t {
                None => "an integer".to_owned(),
                Some(t) => format!("{}{}", if t.milliseconds { "milliseconds" } else { "seconds" }, if t.forever { " or forever" } else { "" }),
            };
            self.push("field-time-unit-changed", Side::New, here, format!("`{model}.{name}`: {} → {}", shown(old.time), shown(new.time)), field_items(model, new));
        }
        let default_changed = old.default != new.default;
        if default_changed && sides.contains(&"request") {
            self.push("request-field-default-changed", Side::New, here, format!("`{model}.{name}`: default {} → {}", shown(old.default.as_ref()), shown(new.default.as_ref())), vec![]);
        }
        match (&old.deprecated, &new.deprecated) {
            (None, Some(d)) => self.push("field-deprecated", Side::New, here, format!("`{model}.{name}` is deprecated{}", deprecation_text(d)), items),
            (Some(_), None) => self.push("field-docs-changed", Side::New, here, format!("`{model}.{name}` is no longer deprecated"), vec![]),
            _ if old.doc != new.doc || (default_changed && !sides.contains(&"request")) => {
                self.push("field-docs-changed", Side::New, here, format!("`{model}.{name}`: docs changed"), vec![])
            }
            _ => {}
        }
    }

    fn enum_values(&mut self, model: &str, old: &EnumModel, new: &EnumModel, dirs: Directions) {
        let sides = directions(dirs);
        let path = format!("models.{model}");
        if old.repr != new.repr {
            self.push("enum-repr-changed", Side::New, path.clone(), format!("`{model}` values changed from {} to {}", repr_name(old.repr), repr_name(new.repr)), vec![model.to_owned()]);
        }
        for v in old.values.iter().filter(|v| !new.values.iter().any(|w| w.value == v.value)) {
            let item = vec![format!("{model}::{}", ir::variant_ident(v))];
            for dir in &sides {
                let rule_id = if v.deprecated.is_some() { format!("deprecated-{dir}-enum-value-removed") } else { format!("{dir}-enum-value-removed") };
                self.push(&rule_id, Side::New, path.clone(), format!("`{model}` lost the value {}", v.value), item.clone());
            }
        }
        for v in &new.values {
            let here = format!("{path}.enum.{}", enum_value_key(&v.value));
            let item = vec![format!("{model}::{}", ir::variant_ident(v))];
            let Some(before) = old.values.iter().find(|w| w.value == v.value) else {
                for dir in &sides {
                    self.push(&format!("{dir}-enum-value-added"), Side::New, here.clone(), format!("`{model}` has a new value {}", v.value), item.clone());
                }
                continue;
            };
            if ir::variant_ident(before) != ir::variant_ident(v) {
                let items = vec![format!("{model}::{}", ir::variant_ident(before)), item[0].clone()];
                self.push("enum-variant-rust-name-changed", Side::New, here.clone(), format!("`{model}` value {} has a new Rust variant name", v.value), items);
            }
            match (&before.deprecated, &v.deprecated) {
                (None, Some(d)) => self.push("enum-value-deprecated", Side::New, here, format!("`{model}` value {} is deprecated{}", v.value, deprecation_text(d)), item),
                (Some(_), None) => self.push("enum-value-docs-changed", Side::New, here, format!("`{model}` value {} is no longer deprecated", v.value), vec![]),
                _ if before.doc != v.doc => self.push("enum-value-docs-changed", Side::New, here, format!("`{model}` value {}: docs changed", v.value), vec![]),
                _ => {}
            }
        }
    }
}

/// The rule-id prefixes of `dirs`.
fn directions(dirs: Directions) -> Vec<&'static str> {
    let mut out = Vec::new();
    if dirs.request {
        out.push("request");
    }
    if dirs.response {
        out.push("response");
    }
    out
}

fn is_inline(model: &Model) -> bool {
    matches!(model, Model::Object(m) if m.inline_for.is_some())
}

/// Same kind and same wire shape: the test for a model renamed without `renamed_from`.
fn same_shape(a: &Model, b: &Model) -> bool {
    match (a, b) {
        (Model::Object(a), Model::Object(b)) => {
            let shape = |fields: &[Field]| fields.iter().map(|f| (f.name.clone(), f.ty.clone(), f.required)).collect::<Vec<_>>();
            !a.fields.is_empty() && shape(&a.fields) == shape(&b.fields)
        }
        (Model::Enum(a), Model::Enum(b)) => {
            a.repr == b.repr && a.values.iter().map(|v| &v.value).eq(b.values.iter().map(|v| &v.value))
        }
        _ => false,
    }
}

fn kind(model: &Model) -> &'static str {
    match model {
        Model::Object(_) => "struct",
        Model::Enum(_) => "enum",
    }
}

fn route(op: &Operation) -> String {
    format!("{} {}", op.method.as_str(), op.path)
}

fn response_text(r: &Response) -> String {
    match r {
        Response::Json(ty) => format!("`{ty}`"),
        Response::Binary { content_type } => format!("a {content_type} stream"),
        Response::Empty => "nothing".into(),
    }
}

fn shown(value: Option<&Json>) -> String {
    value.map_or_else(|| "none".to_owned(), Json::to_string)
}

fn deprecation_text(d: &Deprecation) -> String {
    let mut text = String::new();
    if let Some(note) = &d.note {
        text.push_str(&format!(": {note}"));
    }
    if let Some(date) = &d.sunset {
        text.push_str(&format!(" (sunset {date})"));
    }
    text
}

/// Which bounds got narrower and which wider, each described.
fn constraint_shift(old: &Constraints, new: &Constraints) -> (Vec<String>, Vec<String>) {
    let (mut tighter, mut looser) = (Vec::new(), Vec::new());
    let fmt = |v: Option<f64>| v.map_or_else(|| "none".to_owned(), |v| if v.fract() == 0.0 { format!("{v:.0}") } else { v.to_string() });
    let whole = |v: Option<u64>| v.map(|v| v as f64);
    let bounds = [
        ("min", old.min, new.min, true),
        ("max", old.max, new.max, false),
        ("min_length", whole(old.min_length), whole(new.min_length), true),
        ("max_length", whole(old.max_length), whole(new.max_length), false),
        ("min_items", whole(old.min_items), whole(new.min_items), true),
        ("max_items", whole(old.max_items), whole(new.max_items), false),
    ];
    for (name, a, b, lower) in bounds {
        let narrower = match (a, b) {
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) if a != b => (b > a) == lower,
            _ => continue,
        };
        let text = format!("`{name}` {} → {}", fmt(a), fmt(b));
        if narrower { &mut tighter } else { &mut looser }.push(text);
    }
    (tighter, looser)
}

// ---- generated items -------------------------------------------------------------------

fn client_method(op: &Operation) -> String {
    format!("{}::{}", ir::handle_name(&op.group), ir::method_name(&op.id))
}

fn server_method(op: &Operation) -> String {
    format!("EasemobApi::{}", ir::method_name(&op.id))
}

fn operation_items(op: &Operation) -> Vec<String> {
    vec![client_method(op), ir::builder_name(&op.id), server_method(op)]
}

fn inline_models<'s>(spec: &'s Spec, op: &'s Operation) -> impl Iterator<Item = String> + 's {
    ["Request", "Response"].into_iter().map(move |s| format!("{}{s}", ir::builder_name(&op.id))).filter(|n| spec.models.get(n).is_some_and(is_inline))
}

fn param_items(op: &Operation, p: &Param) -> Vec<String> {
    let ident = ir::field_ident(&p.name, p.rust_name.as_ref());
    let client = if p.required { client_method(op) } else { format!("{}::{ident}", ir::builder_name(&op.id)) };
    vec![client, format!("{}::{ident}", ir::input_name(&op.id))]
}

fn field_items(model: &str, f: &Field) -> Vec<String> {
    let ident = ir::field_ident(&f.name, f.rust_name.as_ref());
    let mut items = vec![format!("{model}::{ident}"), format!("{model}::{}", ir::setter_name(&ident))];
    if f.required {
        items.push(format!("{model}::new"));
    }
    items
}

fn repr_name(repr: Repr) -> &'static str {
    match repr {
        Repr::String => "strings",
        Repr::Integer => "integers",
        Repr::Boolean => "booleans",
    }
}
