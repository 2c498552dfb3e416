//! Which way each model travels: in requests (callers build it), in responses (callers read
//! it, implementations build it), or both. The API diff's field and enum rules depend on
//! the direction, and the generated models derive only what their direction needs.

use std::collections::BTreeMap;

use crate::model::{Model, Response, Spec, TypeRef};

/// The directions a model is used in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Directions {
    pub request: bool,
    pub response: bool,
}

impl Directions {
    pub fn union(self, other: Directions) -> Directions {
        Directions { request: self.request || other.request, response: self.response || other.response }
    }
}

/// Every model with its directions. A model no operation reaches (the error body, the
/// records of a downloaded history file) counts as a response, and so do the models inside it.
pub fn directions(spec: &Spec) -> BTreeMap<String, Directions> {
    let mut out: BTreeMap<String, Directions> = BTreeMap::new();
    for op in &spec.operations {
        let mut request = Vec::new();
        request.extend(op.request.as_ref().map(|r| &r.body));
        request.extend(op.params.iter().map(|p| &p.ty));
        for ty in request {
            mark(spec, ty, Directions { request: true, response: false }, &mut out);
        }
        let mut response = Vec::new();
        if let Response::Json(ty) = &op.response {
            response.push(ty);
        }
        response.extend(op.paging.as_ref().map(|p| &p.item_type));
        for ty in response {
            mark(spec, ty, Directions { request: false, response: true }, &mut out);
        }
    }
    let unreached: Vec<String> = spec.models.keys().filter(|name| !out.contains_key(*name)).cloned().collect();
    for name in unreached {
        mark(spec, &TypeRef::Model(name), Directions { request: false, response: true }, &mut out);
    }
    out
}

fn mark(spec: &Spec, ty: &TypeRef, dir: Directions, out: &mut BTreeMap<String, Directions>) {
    match ty {
        TypeRef::Array(inner) | TypeRef::Map(inner) => mark(spec, inner, dir, out),
        TypeRef::Model(name) => {
            let before = out.get(name).copied().unwrap_or_default();
            let after = before.union(dir);
            if after == before {
                return;
            }
            out.insert(name.clone(), after);
            if let Some(Model::Object(m)) = spec.models.get(name) {
                for f in &m.fields {
                    mark(spec, &f.ty, dir, out);
                }
            }
        }
        _ => {}
    }
}
