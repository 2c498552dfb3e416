//! Which way each model travels: in requests (callers build it), in responses (callers read
//! it, implementations build it), or both; and which resource groups reach it. The API diff's
//! field and enum rules depend on the direction, the generated models derive only what their
//! direction needs, and a model only some groups reach compiles only with those groups' features.

use std::collections::{BTreeMap, BTreeSet};

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

/// Every model with its directions; callback bodies travel as responses. A model no operation reaches (the error body, the
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
    // Callers read the callback requests the API sends them, as they read responses.
    for event in spec.callbacks.iter().flat_map(|c| &c.events) {
        mark(spec, &TypeRef::Model(event.body.clone()), Directions { request: false, response: true }, &mut out);
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

/// The cargo feature of each model: `None` when every build of the crate needs the model,
/// else the resource groups (feature names) whose operations reach it, through parameters,
/// bodies, responses and paged items, and the models inside those. The error body, models
/// no operation reaches (the records of a downloaded history file) and everything inside
/// them are needed by every build; so is a model that every group reaches.
pub fn features(spec: &Spec) -> BTreeMap<String, Option<Vec<String>>> {
    const ALWAYS: &str = "";
    let mut reached: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut all_groups = BTreeSet::new();
    for op in &spec.operations {
        let group = crate::naming::snake(&op.group);
        all_groups.insert(group.clone());
        let mut types: Vec<&TypeRef> = op.params.iter().map(|p| &p.ty).collect();
        types.extend(op.request.as_ref().map(|r| &r.body));
        if let Response::Json(ty) = &op.response {
            types.push(ty);
        }
        types.extend(op.paging.as_ref().map(|p| &p.item_type));
        for ty in types {
            reach(spec, ty, &group, &mut reached);
        }
    }
    if let Some(callbacks) = &spec.callbacks {
        let group = crate::naming::snake(&callbacks.group);
        all_groups.insert(group.clone());
        for event in &callbacks.events {
            reach(spec, &TypeRef::Model(event.body.clone()), &group, &mut reached);
        }
    }
    reach(spec, &TypeRef::Model(spec.api.error_model.clone()), ALWAYS, &mut reached);
    let unreached: Vec<String> = spec.models.keys().filter(|name| !reached.contains_key(*name)).cloned().collect();
    for name in unreached {
        reach(spec, &TypeRef::Model(name), ALWAYS, &mut reached);
    }
    spec.models
        .keys()
        .map(|name| {
            let groups = reached.remove(name).unwrap_or_default();
            let feature = (!groups.contains(ALWAYS) && groups != all_groups).then(|| groups.into_iter().collect());
            (name.clone(), feature)
        })
        .collect()
}

fn reach(spec: &Spec, ty: &TypeRef, group: &str, out: &mut BTreeMap<String, BTreeSet<String>>) {
    match ty {
        TypeRef::Array(inner) | TypeRef::Map(inner) => reach(spec, inner, group, out),
        TypeRef::Model(name) => {
            if !out.entry(name.clone()).or_default().insert(group.to_owned()) {
                return;
            }
            if let Some(Model::Object(m)) = spec.models.get(name) {
                for f in &m.fields {
                    reach(spec, &f.ty, group, out);
                }
            }
        }
        _ => {}
    }
}
