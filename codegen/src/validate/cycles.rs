//! Models that require themselves: when every field of a cycle of models is required and
//! holds the next model by value, no finite JSON value has the type (each one needs
//! another inside), so no example can conform and the generated `new` cannot be called.
//! A cycle with an optional field, an array or a map is fine (the generator boxes it).

use std::collections::{BTreeMap, HashMap};

use super::{at, Ctx};
use crate::load::Origin;
use crate::model::{Model, TypeRef};

impl Ctx<'_> {
    /// Reports each cycle of required, by-value model fields once, at its closing field.
    pub(super) fn required_cycles(&mut self, models: &BTreeMap<String, Model>, origins: &HashMap<String, Origin>) {
        // Required fields holding an object model, with the model that declares them.
        let edges = |name: &str| -> Vec<(String, String, String)> {
            let Some(Model::Object(object)) = models.get(name) else { return Vec::new() };
            object
                .fields
                .iter()
                .filter(|f| f.required)
                .filter_map(|f| match &f.ty {
                    TypeRef::Model(target) if matches!(models.get(target), Some(Model::Object(_))) => {
                        Some((f.name.clone(), target.clone(), f.inherited_from.clone().unwrap_or_else(|| name.to_owned())))
                    }
                    _ => None,
                })
                .collect()
        };
        let mut done: BTreeMap<&str, bool> = BTreeMap::new();
        for root in models.keys() {
            if done.contains_key(root.as_str()) {
                continue;
            }
            done.insert(root, false);
            let mut stack = vec![(root.as_str(), edges(root), 0usize)];
            while let Some((model, fields, next)) = stack.last_mut() {
                let model: &str = model;
                let Some((field, target, declared_in)) = fields.get(*next).cloned() else {
                    done.insert(model, true);
                    stack.pop();
                    continue;
                };
                *next += 1;
                let Some((target, _)) = models.get_key_value(&target) else { continue };
                match done.get(target.as_str()) {
                    Some(false) => {
                        let start = stack.iter().position(|(m, _, _)| *m == target).unwrap_or(0);
                        let mut path: Vec<&str> = stack[start..].iter().map(|(m, _, _)| *m).collect();
                        path.push(target);
                        let Some(origin) = origins.get(&declared_in) else { continue };
                        self.error(
                            at(origin, &format!("fields.{field}")),
                            format!("every value of `{target}` would contain another: {} (each field required)", path.join(" → ")),
                            "make one field of the cycle optional, or an array, so that a value can end",
                        );
                    }
                    Some(true) => {}
                    None => {
                        done.insert(target, false);
                        stack.push((target.as_str(), edges(target), 0));
                    }
                }
            }
        }
    }
}
