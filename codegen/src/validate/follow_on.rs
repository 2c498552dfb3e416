//! Problems that only follow from another: a model whose file did not load, whose field
//! type is wrong, or whose `extends` is broken is incomplete, and so is every model that
//! contains one. Checking a value against an incomplete model would report its missing
//! fields once per example, so those checks are skipped; the cause is reported once.
//!
//! Likewise a value that has a field its model lacks, or lacks a required one, says more
//! about the model than the value when many examples agree, and a model that is not
//! defined is one problem however often it is named: the first place is reported, with how
//! many others there are.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::load::Origin;
use crate::model::{Model, TypeRef};

use super::{types, Ctx};

/// The first place a problem was found, what it is, and how many more places have it.
pub struct Repeat {
    origin: Origin,
    message: String,
    help: String,
    more: usize,
}

/// Whether a conformance message is about the model's fields (the same for every value
/// of it) rather than about one value.
pub fn is_about_the_model(message: &str) -> bool {
    message.contains("is not a field of") || message.contains("lacks the required field")
}

impl Ctx<'_> {
    /// Records a problem that many places may share; reported by `report_repeats`.
    /// `key` names the cause: problems with the same key are one problem.
    pub(super) fn repeated(&mut self, key: String, origin: Origin, message: String, help: String) {
        self.repeats.entry(key).and_modify(|r| r.more += 1).or_insert(Repeat { origin, message, help, more: 0 });
    }

    /// Reports each shared problem once, at its first place.
    pub(super) fn report_repeats(&mut self) {
        for repeat in std::mem::take(&mut self.repeats).into_values() {
            let help = match repeat.more {
                0 => repeat.help,
                1 => format!("{} (1 more place has this problem)", repeat.help),
                n => format!("{} ({n} more places have this problem)", repeat.help),
            };
            self.error_value(repeat.origin, repeat.message, help);
        }
    }
}

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
