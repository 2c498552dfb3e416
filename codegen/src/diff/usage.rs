//! Which way each model travels: in requests (callers build it), in responses (callers read
//! it, implementations build it), or both. Field and enum rules depend on the direction.

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

    /// The directions to report in; a model no operation uses (such as the error body) is
    /// treated as a response.
    pub fn or_response(self) -> Directions {
        if self.request || self.response {
            self
        } else {
            Directions { request: false, response: true }
        }
    }
}

/// Every model reachable from an operation, with its directions.
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
