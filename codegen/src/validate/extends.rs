//! `extends`: copies each object model's inherited fields in front of its own. Each model is
//! resolved once, from its parent's resolved fields, so a chain of n models costs n steps
//! (it used to walk the whole chain again for every model: about n³ with the cycle checks).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{at, Ctx, ModelSource};
use crate::load::Origin;
use crate::model::{Field, Model};

/// How many `extends` a chain may have. The spec's deepest has 2.
pub const MAX_EXTENDS_DEPTH: usize = 16;

/// A model's fields once its chain is resolved, and how many `extends` are above it.
#[derive(Clone)]
struct Resolved {
    fields: Vec<Field>,
    depth: usize,
}

/// Where walking up from a model stopped.
enum Top {
    /// At a model without `extends`.
    Root,
    /// At a model resolved before (or found broken: None).
    Known(Option<Resolved>),
    /// At the parent named, which is an enum.
    Enum(String),
    /// At the parent named, which is not defined.
    Missing(String),
    /// At a model already on the walk: the chain from its index on is a cycle.
    Cycle(usize),
}

impl Ctx<'_> {
    /// Prepends inherited fields to every object model that extends another; a model whose
    /// chain is broken keeps only its own fields and is marked incomplete.
    pub(super) fn resolve_extends(&mut self, sources: &[ModelSource], models: &mut BTreeMap<String, Model>) {
        let origins: HashMap<&str, &Origin> = sources.iter().map(|s| (s.name.as_str(), &s.origin)).collect();
        let mut resolved: HashMap<String, Option<Resolved>> = HashMap::new();
        let names: Vec<String> = models.keys().cloned().collect();
        for name in names {
            if resolved.contains_key(&name) {
                continue;
            }
            // Walk up to the first model that is resolved, a root, or a dead end.
            let mut chain: Vec<String> = Vec::new();
            let mut on_chain: HashSet<String> = HashSet::new();
            let mut current = name.clone();
            let top = loop {
                if let Some(known) = resolved.get(&current) {
                    break Top::Known(known.clone());
                }
                if on_chain.contains(&current) {
                    break Top::Cycle(chain.iter().position(|n| *n == current).unwrap_or(0));
                }
                match models.get(&current) {
                    Some(Model::Object(object)) => {
                        chain.push(current.clone());
                        on_chain.insert(current.clone());
                        match &object.extends {
                            Some(parent) => current = parent.clone(),
                            None => break Top::Root,
                        }
                    }
                    Some(Model::Enum(_)) if !chain.is_empty() => break Top::Enum(current),
                    Some(Model::Enum(_)) => break Top::Root,
                    None => break Top::Missing(current),
                }
            };
            let extends_at = |model: &str| at(origins[model], "extends");
            // The parent of the last model on the chain, resolved.
            let mut base: Option<Resolved> = match top {
                Top::Root => {
                    if let Some(root) = chain.pop() {
                        let own = match models.get(&root) {
                            Some(Model::Object(object)) => object.fields.clone(),
                            _ => Vec::new(),
                        };
                        let root_resolved = Resolved { fields: own, depth: 0 };
                        resolved.insert(root, Some(root_resolved.clone()));
                        Some(root_resolved)
                    } else {
                        None
                    }
                }
                Top::Known(known) => known,
                Top::Enum(parent) => {
                    if let Some(child) = chain.last() {
                        self.error_value(extends_at(child), format!("`{child}` extends `{parent}`, which is an enum"), "extend an object model");
                    }
                    None
                }
                Top::Missing(parent) => {
                    if let Some(child) = chain.last() {
                        if !self.loaded.unavailable_models.contains(&parent) {
                            // One problem however many models extend it (see `follow_on`).
                            let message = format!("`{child}` extends `{parent}`, which is not defined");
                            let help = crate::diagnostic::did_you_mean(&parent, models.keys().map(String::as_str), || "define it or correct the name".into());
                            self.repeated(format!("extends {parent}"), extends_at(child), message, help);
                        }
                    }
                    None
                }
                Top::Cycle(start) => {
                    let cycle = &chain[start..];
                    for (i, member) in cycle.iter().enumerate() {
                        let mut path: Vec<&str> = cycle[i..].iter().chain(&cycle[..i]).map(String::as_str).collect();
                        path.push(member);
                        self.error_value(extends_at(member), format!("`{member}` extends itself: {}", path.join(" → ")), "remove one `extends` of the cycle");
                    }
                    None
                }
            };
            // Resolve down the chain, parents first.
            while let Some(child) = chain.pop() {
                let parent_name = match models.get(&child) {
                    Some(Model::Object(object)) => object.extends.clone().unwrap_or_default(),
                    _ => String::new(),
                };
                base = match base {
                    Some(parent) if parent.depth + 1 > MAX_EXTENDS_DEPTH => {
                        self.error_value(
                            extends_at(&child),
                            format!("`{child}` is {} `extends` away from the top of its chain, more than {MAX_EXTENDS_DEPTH}", parent.depth + 1),
                            "flatten the chain: extend a model nearer the top (spec/README.md, Limits)",
                        );
                        None
                    }
                    Some(parent) => {
                        let mut fields = parent.fields;
                        for f in &mut fields {
                            f.inherited_from.get_or_insert_with(|| parent_name.clone());
                        }
                        if let Some(Model::Object(object)) = models.get(&child) {
                            for own in &object.fields {
                                if fields.iter().any(|f| f.name == own.name) {
                                    let origin = at(origins[child.as_str()], &format!("fields.{}", own.name));
                                    self.error(origin, format!("`{}` is already a field of the model `{child}` extends", own.name), "remove it here, or stop extending");
                                }
                            }
                            fields.extend(object.fields.iter().cloned());
                        }
                        Some(Resolved { fields, depth: parent.depth + 1 })
                    }
                    None => None,
                };
                if base.is_none() {
                    self.incomplete.insert(child.clone());
                }
                resolved.insert(child, base.clone());
            }
        }
        for (name, resolved) in resolved {
            if let (Some(resolved), Some(Model::Object(object))) = (resolved, models.get_mut(&name)) {
                object.fields = resolved.fields;
            }
        }
    }
}
