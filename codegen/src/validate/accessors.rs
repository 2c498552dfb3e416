//! Accessors of object models (`accessors: {group_id: {path: data.groupid}}`): each step of
//! the path names a field of the model reached so far, and every step but the last holds an
//! object model (or a list of them, with `[0]` for its first item), so that the generated
//! method can follow it.

use std::collections::{BTreeMap, HashMap};

use super::{at, Ctx};
use crate::diagnostic::did_you_mean;
use crate::load::Origin;
use crate::model::{Accessor, Model, TypeRef};

impl Ctx<'_> {
    pub(super) fn accessors(&mut self, models: &BTreeMap<String, Model>, origins: &HashMap<String, Origin>) {
        for (name, model) in models {
            let (Model::Object(object), Some(origin)) = (model, origins.get(name)) else { continue };
            for accessor in &object.accessors {
                // A path through a model that lost a field to an earlier error would only repeat it.
                if self.unreliable.contains(name) {
                    continue;
                }
                let here = at(origin, &format!("accessors.{}", accessor.name));
                if accessor.name.starts_with("with_") || accessor.name == "new" || accessor.name == "into_multipart" {
                    self.error(here.clone(), format!("the accessor name `{}` is taken by the generated constructor or setters", accessor.name), "name it after the value it returns, e.g. `group_id`");
                }
                let mut current = object;
                for (i, step) in accessor.path.iter().enumerate() {
                    let (step, first) = Accessor::step(step);
                    let Some(field) = current.fields.iter().find(|f| f.name == step) else {
                        let help = did_you_mean(step, current.fields.iter().map(|f| f.name.as_str()), || format!("name a field of `{}` (wire names, dot-separated)", current.name));
                        self.error_value(at(&here, "path"), format!("`{}` has no field `{step}`", current.name), help);
                        break;
                    };
                    let ty = match (&field.ty, first) {
                        (TypeRef::Array(item), true) => item.as_ref(),
                        (other, true) => {
                            self.error_value(at(&here, "path"), format!("`{}.{step}` is {other}, not a list, so `[0]` has no first item to take", current.name), format!("write `{step}` without `[0]`"));
                            break;
                        }
                        (ty, false) => ty,
                    };
                    if i + 1 == accessor.path.len() {
                        break;
                    }
                    let next = match ty {
                        TypeRef::Model(next) => models.get(next),
                        _ => None,
                    };
                    let Some(Model::Object(next)) = next else {
                        self.error_value(
                            at(&here, "path"),
                            format!("`{}.{step}` is {ty}, so the path cannot go on to `{}`", current.name, accessor.path[i + 1]),
                            "end the path at this field, or go through fields that hold an object model (`list[0]` takes a list's first item)",
                        );
                        break;
                    };
                    if self.unreliable.contains(&next.name) {
                        break;
                    }
                    current = next;
                }
            }
        }
    }
}
