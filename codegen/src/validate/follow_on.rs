//! Problems that only follow from another: a model whose file did not load, whose field
//! type is wrong, or whose `extends` is broken is incomplete, and so is every model that
//! contains one. Checking a value against an incomplete model would report its missing
//! fields once per example, so those checks are skipped; the cause is reported once.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::{Model, TypeRef};

use super::types;

/// `start` and every model that reaches one of them through its fields or `extends`.
pub fn closure(models: &BTreeMap<String, Model>, start: BTreeSet<String>) -> BTreeSet<String> {
    let mut users: HashMap<&str, Vec<&str>> = HashMap::new();
    for (name, model) in models {
        if let Model::Object(object) = model {
            for field in &object.fields {
                for used in types::model_names(&field.ty) {
                    users.entry(used).or_default().push(name);
                }
            }
            if let Some(parent) = &object.extends {
                users.entry(parent).or_default().push(name);
            }
        }
    }
    let mut out = start;
    let mut queue: Vec<String> = out.iter().cloned().collect();
    while let Some(name) = queue.pop() {
        for &user in users.get(name.as_str()).into_iter().flatten() {
            if out.insert(user.to_owned()) {
                queue.push(user.to_owned());
            }
        }
    }
    out
}

/// Whether `ty` mentions a model of `set`.
pub fn mentions(ty: &TypeRef, set: &BTreeSet<String>) -> bool {
    !set.is_empty() && types::model_names(ty).iter().any(|name| set.contains(*name))
}
