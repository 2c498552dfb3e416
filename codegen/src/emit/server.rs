//! `src/gen/server.rs` (feature `server`): the `EasemobApi` trait with one method per
//! operation, an input struct per operation, and the dispatch that routes, decodes and
//! validates requests for an implementation of the trait.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{deprecated, docs, ident, rust_type, type_alias};
use crate::ir::{self, Crate, ModelIr, OperationIr, ParamIr, RustType, StructIr};
use crate::model::{self, Encoding, Location, Response, Segment, Shape, Spec, When};
use crate::naming;

pub fn emit(spec: &Spec, krate: &Crate) -> TokenStream {
    let ops: BTreeMap<&str, &OperationIr> =
        krate.groups.iter().flat_map(|g| g.operations.iter()).map(|o| (o.id.as_str(), o)).collect();
    let inputs = spec.operations.iter().map(|op| emit_input(ops[op.id.as_str()]));
    let methods = spec.operations.iter().map(|op| emit_trait_method(op, ops[op.id.as_str()]));
    let early = authenticated_before_body(spec);
    let calls = spec.operations.iter().map(|op| emit_call(op, ops[op.id.as_str()], early.contains(op.id.as_str())));
    let dispatch = emit_dispatch(spec);
    let impls = krate.models.iter().map(emit_model_impls);
    quote! {
        //! The server side of the API: implement [`EasemobApi`] and serve it with
        //! [`crate::server::router`].

        use crate::server::{RequestContext, ServerError};

        /// The decoded, validated input of each operation.
        pub mod inputs {
            #(#inputs)*
        }

        /// One method per operation of the API. Every method has a default that answers
        /// according to [`EasemobApi::fallback`] (501 unless the implementation says otherwise),
        /// so an implementation provides only what it needs.
        pub trait EasemobApi: ::std::marker::Send + ::std::marker::Sync + 'static {
            /// Checks the caller before every operation that needs the app token, from the
            /// request's head: the body is read only once this succeeds. Accepts every
            /// request by default.
            fn authenticate(&self, ctx: &RequestContext) -> impl ::std::future::Future<Output = ::std::result::Result<(), ServerError>> + ::std::marker::Send {
                let _ = ctx;
                async { ::std::result::Result::Ok(()) }
            }

            /// What an operation this implementation leaves out answers; `ctx` names it.
            fn fallback(&self, ctx: &RequestContext) -> crate::server::Fallback {
                let _ = ctx;
                crate::server::Fallback::NotImplemented
            }

            #(#methods)*
        }

        #dispatch

        #(#calls)*

        #(#impls)*
    }
}

fn input_name(op: &OperationIr) -> proc_macro2::Ident {
    ident(&ir::input_name(&op.id))
}

fn output_type(op: &model::Operation) -> TokenStream {
    match &op.response {
        Response::Json(ty) => rust_type(&RustType::from(ty)),
        Response::Binary { .. } => quote!(crate::server::Binary),
        Response::Empty => quote!(()),
    }
}

fn emit_input(op: &OperationIr) -> TokenStream {
    let name = input_name(op);
    let doc = format!(" Input of [`EasemobApi::{}`](super::EasemobApi::{}).", op.method_name, op.method_name);
    let params = op.required.iter().map(|p| (p, true)).chain(op.optional.iter().map(|p| (p, false))).map(|(p, required)| {
        let field = ident(&p.ident);
        let ty = rust_type(&p.ty);
        let ty = if required { ty } else { quote!(::std::option::Option<#ty>) };
        let doc = docs(&p.docs);
        let deprecated = deprecated(p.deprecated.as_ref());
        quote!(#doc #deprecated pub #field: #ty,)
    });
    let body = op.body.as_ref().map(|b| {
        let ty = rust_type(&b.ty);
        quote!(#[doc = " The request body."] pub body: #ty,)
    });
    let mut args: Vec<TokenStream> = op
        .required
        .iter()
        .map(|p| {
            let field = ident(&p.ident);
            let ty = rust_type(&p.ty);
            quote!(#field: #ty)
        })
        .collect();
    let mut inits: Vec<TokenStream> = op.required.iter().map(|p| {
        let field = ident(&p.ident);
        quote!(#field,)
    }).collect();
    inits.extend(op.optional.iter().map(|p| {
        let field = ident(&p.ident);
        quote!(#field: ::std::option::Option::None,)
    }));
    if let Some(b) = &op.body {
        let ty = rust_type(&b.ty);
        args.push(quote!(body: #ty));
        inits.push(quote!(body,));
    }
    let setters = op.optional.iter().map(|p| {
        let field = ident(&p.ident);
        let setter = ident(&ir::setter_name(&p.ident));
        let ty = rust_type(&p.ty);
        let doc = format!(" Sets `{}`.", p.wire);
        let deprecated = deprecated(p.deprecated.as_ref());
        quote! {
            #[doc = #doc]
            #deprecated
            pub fn #setter(mut self, value: #ty) -> Self {
                self.#field = ::std::option::Option::Some(value);
                self
            }
        }
    });
    let derive = if args.is_empty() { quote!(#[derive(Debug, Default)]) } else { quote!(#[derive(Debug)]) };
    let aliases = op.aliases.iter().map(|old| type_alias(&ir::input_name(old), &ir::input_name(&op.id)));
    quote! {
        #(#aliases)*
        #[doc = #doc]
        #derive
        #[non_exhaustive]
        pub struct #name {
            #(#params)*
            #body
        }

        impl #name {
            /// An input with the required parameters (and body); optional ones start empty.
            /// The router builds inputs; this is for calling an implementation directly, as
            /// its unit tests do.
            #[allow(clippy::too_many_arguments)]
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits)* }
            }
            #(#setters)*
        }
    }
}

fn emit_trait_method(op: &model::Operation, ir: &OperationIr) -> TokenStream {
    let method = ident(&ir.method_name);
    let input = input_name(ir);
    let output = output_type(op);
    let doc = docs(&ir.docs);
    let id = &op.id;
    let answer = match &op.response {
        Response::Binary { content_type } => quote!(crate::server::fallback_binary(self.fallback(&ctx), #id, #content_type)),
        _ => {
            let example = op.examples.iter().find_map(|e| e.response.as_ref()).map(|v| Literal::string(&v.to_string()));
            let example = match example {
                Some(text) => quote!(::std::option::Option::Some(#text)),
                None => quote!(::std::option::Option::None),
            };
            quote!(crate::server::fallback(self.fallback(&ctx), #id, #example))
        }
    };
    let signature = |name: &proc_macro2::Ident| {
        quote!(fn #name(&self, ctx: RequestContext, input: inputs::#input) -> impl ::std::future::Future<Output = ::std::result::Result<#output, ServerError>> + ::std::marker::Send)
    };
    let fallback = quote! {
        let _ = input;
        let answer = #answer;
        async move { answer }
    };
    let deprecated = deprecated(ir.deprecated.as_ref());
    // A renamed operation keeps its former trait methods (newest first in the chain):
    // implementations that still provide one keep working, because each default calls the
    // next former name and the last answers the fallback.
    let mut names = vec![method.clone()];
    names.extend(ir.aliases.iter().rev().map(|old| ident(&ir::method_name(old))));
    let note = format!("renamed to `{}`", ir.method_name);
    let old_doc = format!(" Former name of [`{}`](Self::{}); implement that one instead.", ir.method_name, ir.method_name);
    let methods = names.iter().enumerate().map(|(i, name)| {
        let signature = signature(name);
        let body = match names.get(i + 1) {
            Some(next) => quote!(#[allow(deprecated)] self.#next(ctx, input)),
            None => fallback.clone(),
        };
        let attrs = if i == 0 { quote!(#doc #deprecated) } else { quote!(#[doc = #old_doc] #[deprecated(note = #note)]) };
        quote!(#attrs #signature { #body })
    });
    quote!(#(#methods)*)
}

/// A path shape: literal segments as text, parameters as None.
type PathShape = Vec<Option<String>>;

/// The operations of one path shape, by method.
type ByMethod<'a> = BTreeMap<model::Method, Vec<&'a model::Operation>>;

fn shape(spec: &Spec, op: &model::Operation) -> PathShape {
    let base = spec.api.base_path.split('/').skip(1).map(|s| if s.starts_with('{') { None } else { Some(s.to_owned()) });
    let path = op.segments.iter().map(|s| match s {
        Segment::Literal(l) => Some(l.clone()),
        Segment::Param(_) => None,
    });
    base.chain(path).collect()
}

/// The operations of each path shape, by method, keyed so that literal segments sort
/// before parameters.
fn routes(spec: &Spec) -> BTreeMap<Vec<(u8, String)>, (PathShape, ByMethod<'_>)> {
    let mut shapes: BTreeMap<Vec<(u8, String)>, (PathShape, ByMethod)> = BTreeMap::new();
    for op in &spec.operations {
        let s = shape(spec, op);
        let key = s.iter().map(|seg| seg.as_ref().map_or((1, String::new()), |l| (0, l.clone()))).collect();
        shapes.entry(key).or_insert_with(|| (s.clone(), BTreeMap::new())).1.entry(op.method).or_default().push(op);
    }
    shapes
}

/// The operations whose route (method and path) needs the app token for every operation on
/// it: the dispatch authenticates those from the head, before reading the body, and their
/// `call_` functions do not authenticate again. On a route shared with an operation that
/// needs no token (`POST /token`), the operation is known only from the body, so its
/// `call_` function authenticates after the body is read.
fn authenticated_before_body(spec: &Spec) -> BTreeSet<&str> {
    routes(spec)
        .into_values()
        .flat_map(|(_, by_method)| by_method.into_values())
        .filter(|ops| ops.iter().all(|op| op.auth))
        .flatten()
        .map(|op| op.id.as_str())
        .collect()
}

fn emit_dispatch(spec: &Spec) -> TokenStream {
    let base_count = spec.api.base_path.split('/').skip(1).filter(|s| s.starts_with('{')).count();
    let shapes = routes(spec);
    // More segments first is irrelevant to slice patterns; literal-before-parameter order is
    // what makes `/chatrooms/super_admin` win over `/chatrooms/{id}`.
    let arms = shapes.values().map(|(s, by_method)| {
        let mut params = 0usize;
        let mut bases = 0usize;
        let pattern: Vec<TokenStream> = s
            .iter()
            .map(|seg| match seg {
                Some(literal) => quote!(#literal),
                None if bases < base_count => {
                    let name = ident(&format!("b{bases}"));
                    bases += 1;
                    quote!(#name)
                }
                None => {
                    let name = ident(&format!("p{params}"));
                    params += 1;
                    quote!(#name)
                }
            })
            .collect();
        let path_args: Vec<_> = (0..params).map(|i| ident(&format!("p{i}"))).collect();
        let base_args: Vec<_> = (0..bases).map(|i| ident(&format!("b{i}"))).collect();
        let branches = by_method.iter().map(|(method, ops)| {
            let method = ident(method.as_str());
            let body = variant_chain(ops, &path_args);
            let all_auth = ops.iter().all(|op| op.auth);
            // What `authenticate` sees as the operation: the one operation of the route, or
            // the name of the variant set when the body decides among several.
            let name = match ops.as_slice() {
                [op] => op.id.clone(),
                _ => ops.iter().find_map(|op| op.variant.as_ref().map(|v| v.set.clone())).unwrap_or_else(|| ops[0].id.clone()),
            };
            let authenticate = all_auth.then(|| {
                quote! {
                    if let ::std::result::Result::Err(response) = incoming.authenticate(api, #name, base).await {
                        return response;
                    }
                }
            });
            let limit = if all_auth { quote!(crate::server::BodyLimit::Authenticated) } else { quote!(crate::server::BodyLimit::Anonymous) };
            quote! {
                if method == ::axum::http::Method::#method {
                    #authenticate
                    if let ::std::result::Result::Err(response) = incoming.read_body(#limit).await {
                        return response;
                    }
                    return #body;
                }
            }
        });
        let mut allowed: Vec<&str> = by_method.keys().map(|m| m.as_str()).collect();
        allowed.sort_unstable();
        quote! {
            [#(#pattern),*] => {
                let path: &[&str] = &[#(#path_args),*];
                let base: &[&str] = &[#(#base_args),*];
                let _ = (path, base);
                #(#branches)*
                crate::server::no_route(&[#(#allowed),*])
            }
        }
    });
    quote! {
        /// Routes one request to its operation: by path and method, then authentication
        /// from the head, then the body, then the variant.
        pub(crate) async fn dispatch<A: EasemobApi>(api: &A, mut incoming: crate::server::Incoming) -> ::axum::response::Response {
            let method = incoming.method().clone();
            let raw_segments = incoming.take_segments();
            let segments: ::std::vec::Vec<&str> = raw_segments.iter().map(::std::string::String::as_str).collect();
            match segments.as_slice() {
                #(#arms)*
                _ => crate::server::no_route(&[]),
            }
        }
    }
}

/// Calls the first variant whose condition holds (the fallback variant last).
fn variant_chain(ops: &[&model::Operation], path_args: &[proc_macro2::Ident]) -> TokenStream {
    let call = |op: &model::Operation| {
        let f = ident(&format!("call_{}", naming::snake(&op.id)));
        quote!(#f(api, &incoming, base, path).await)
    };
    if ops.len() == 1 {
        return call(ops[0]);
    }
    let mut ordered: Vec<&model::Operation> = ops.to_vec();
    ordered.sort_by_key(|o| matches!(o.variant.as_ref().map(|v| &v.when), Some(When::Default) | None));
    let mut chain = quote!(crate::server::no_variant(&incoming));
    for op in ordered.iter().rev() {
        let when = op.variant.as_ref().map(|v| &v.when);
        let condition = match when {
            None | Some(When::Default) => None,
            Some(When::BodyShape(Shape::Array)) => Some(quote!(incoming.body_is_array())),
            Some(When::BodyShape(Shape::Object)) => Some(quote!(incoming.body_is_object())),
            Some(When::BodyField { field, equals }) => {
                let equals = option_text(equals.as_ref().map(|v| v.to_string()));
                Some(quote!(incoming.body_field_matches(&[#(#field),*], #equals)))
            }
            Some(When::Header { name, equals }) => {
                let equals = option_text(equals.as_ref().map(plain));
                Some(quote!(crate::server::value_matches(incoming.header(#name), #equals)))
            }
            Some(When::Query { name, equals }) => {
                let equals = option_text(equals.as_ref().map(plain));
                Some(quote!(crate::server::value_matches(incoming.query(#name), #equals)))
            }
            Some(When::PathList { param }) => {
                let index = op
                    .segments
                    .iter()
                    .filter(|s| matches!(s, Segment::Param(_)))
                    .position(|s| s == &Segment::Param(param.clone()))
                    .unwrap_or(0);
                let arg = &path_args[index.min(path_args.len().saturating_sub(1))];
                Some(quote!(#arg.contains(',')))
            }
        };
        let this = call(op);
        chain = match condition {
            Some(condition) => quote!(if #condition { #this } else { #chain }),
            None => this,
        };
    }
    chain
}

fn plain(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn option_text(text: Option<String>) -> TokenStream {
    match text {
        Some(text) => quote!(::std::option::Option::Some(#text)),
        None => quote!(::std::option::Option::None),
    }
}

fn emit_call(op: &model::Operation, ir: &OperationIr, authenticated_early: bool) -> TokenStream {
    let call = ident(&format!("call_{}", ir.method_name));
    let decode = ident(&format!("decode_{}", ir.method_name));
    let method = ident(&ir.method_name);
    let input = input_name(ir);
    let id = &op.id;
    let authenticate = (op.auth && !authenticated_early).then(|| {
        quote! {
            if let ::std::result::Result::Err(error) = api.authenticate(&ctx).await {
                return ::axum::response::IntoResponse::into_response(error);
            }
        }
    });
    let respond = match &op.response {
        Response::Json(_) => quote!(crate::server::respond_json(api.#method(ctx, input).await)),
        Response::Binary { .. } => quote!(crate::server::respond_binary(api.#method(ctx, input).await)),
        Response::Empty => quote!(crate::server::respond_empty(api.#method(ctx, input).await)),
    };
    let mut path_index = 0usize;
    let mut reads = Vec::new();
    let mut finish = Vec::new();
    for p in &ir.required {
        let name = ident(&p.ident);
        let ty = rust_type(&p.ty);
        let wire = &p.wire;
        let parse = parse_param(p);
        let text = match p.location {
            Location::Path => {
                let i = path_index;
                path_index += 1;
                if p.ty == RustType::Vec(Box::new(RustType::String)) {
                    reads.push(quote!(let #name: ::std::option::Option<#ty> = ::std::option::Option::Some(crate::server::path_list(path[#i])?);));
                    reads.push(bounds(&quote!(#name), wire, &p.constraints, &p.ty));
                    finish.push(quote!(let #name = #name.ok_or_else(|| crate::server::ServerError::bad_request(format!("the parameter `{}` is required", #wire)))?;));
                    continue;
                } else {
                    quote!(::std::option::Option::Some(crate::server::path_text(path[#i])?))
                }
            }
            Location::Query => quote!(incoming.query(#wire).map(::std::borrow::ToOwned::to_owned)),
            Location::Header => quote!(incoming.header(#wire).map(::std::borrow::ToOwned::to_owned)),
        };
        let location = p.location.as_str();
        reads.push(quote! {
            let #name: ::std::option::Option<#ty> = {
                let text: ::std::option::Option<::std::string::String> = #text;
                match text {
                    ::std::option::Option::Some(text) => #parse,
                    ::std::option::Option::None => {
                        problems.push(format!("the {} parameter `{}` is required", #location, #wire));
                        ::std::option::Option::None
                    }
                }
            };
        });
        reads.push(bounds(&quote!(#name), wire, &p.constraints, &p.ty));
        finish.push(quote!(let #name = #name.ok_or_else(|| crate::server::ServerError::bad_request(format!("the parameter `{}` is required", #wire)))?;));
    }
    for p in &ir.optional {
        let name = ident(&p.ident);
        let ty = rust_type(&p.ty);
        let wire = &p.wire;
        let parse = parse_param(p);
        let text = match p.location {
            Location::Query => quote!(incoming.query(#wire)),
            _ => quote!(incoming.header(#wire)),
        };
        reads.push(quote! {
            let #name: ::std::option::Option<#ty> = match #text {
                ::std::option::Option::Some(text) => { let text = text.to_owned(); #parse }
                ::std::option::Option::None => ::std::option::Option::None,
            };
        });
        reads.push(bounds(&quote!(#name), wire, &p.constraints, &p.ty));
    }
    let body = op.request.as_ref().map(|request| {
        let ty = rust_type(&RustType::from(&request.body));
        match request.encoding {
            Encoding::Json => quote!(let body: #ty = crate::server::json_body(incoming)?;),
            Encoding::Form => quote!(let body: #ty = crate::server::form_body(incoming)?;),
            Encoding::Multipart => quote!(let body: #ty = <#ty>::from_parts(&crate::server::Parts::read(incoming).await?)?;),
        }
    });
    let validate_body = op.request.as_ref().map(|request| {
        let items = limits(&request.constraints, &RustType::from(&request.body))
            .map(|(low, high, what)| quote!(crate::server::check_bounds("body", &body, #low, #high, #what, &mut problems);));
        quote!(#items crate::server::Validate::validate(&body, "", &mut problems);)
    });
    let mut fields: Vec<TokenStream> = ir.required.iter().chain(ir.optional.iter()).map(|p| {
        let name = ident(&p.ident);
        quote!(#name,)
    }).collect();
    if op.request.is_some() {
        fields.push(quote!(body,));
    }
    quote! {
        async fn #call<A: EasemobApi>(api: &A, incoming: &crate::server::Incoming, base: &[&str], path: &[&str]) -> ::axum::response::Response {
            let ctx = match incoming.context(#id, base[0], base[1]) {
                ::std::result::Result::Ok(ctx) => ctx,
                ::std::result::Result::Err(error) => return ::axum::response::IntoResponse::into_response(error),
            };
            #authenticate
            let input = match #decode(incoming, path).await {
                ::std::result::Result::Ok(input) => input,
                ::std::result::Result::Err(error) => return ::axum::response::IntoResponse::into_response(error),
            };
            #respond
        }

        #[allow(unused_variables, unused_mut)]
        async fn #decode(incoming: &crate::server::Incoming, path: &[&str]) -> ::std::result::Result<inputs::#input, ServerError> {
            let mut problems: ::std::vec::Vec<::std::string::String> = ::std::vec::Vec::new();
            #(#reads)*
            #body
            #validate_body
            crate::server::problems_to_error(problems)?;
            #(#finish)*
            ::std::result::Result::Ok(inputs::#input { #(#fields)* })
        }
    }
}

/// Parses `text` (a `String` in scope) as the parameter's type, collecting a problem.
fn parse_param(p: &ParamIr) -> TokenStream {
    let wire = &p.wire;
    let ty = rust_type(&p.ty);
    quote!(crate::server::optional::<#ty>(#wire, ::std::option::Option::Some(&text), &mut problems))
}

/// The documented bounds that apply to a value of type `ty`: low, high, and what is measured.
fn limits(c: &model::Constraints, ty: &RustType) -> Option<(TokenStream, TokenStream, &'static str)> {
    let opt = |v: Option<f64>| match v {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    };
    let (low, high, what) = match ty {
        RustType::String if c.min_length.is_some() || c.max_length.is_some() => (c.min_length.map(|v| v as f64), c.max_length.map(|v| v as f64), "a length"),
        RustType::I64 | RustType::F64 if c.min.is_some() || c.max.is_some() => (c.min, c.max, "a value"),
        RustType::Vec(_) if c.min_items.is_some() || c.max_items.is_some() => (c.min_items.map(|v| v as f64), c.max_items.map(|v| v as f64), "a count"),
        _ => return None,
    };
    Some((opt(low), opt(high), what))
}

/// Checks the documented limits of a parameter (an `Option` in scope as `value`).
fn bounds(value: &TokenStream, wire: &str, c: &model::Constraints, ty: &RustType) -> TokenStream {
    match limits(c, ty) {
        Some((low, high, what)) => quote!(crate::server::check_bounds(#wire, &#value, #low, #high, #what, &mut problems);),
        None => quote!(),
    }
}

/// `Validate` for every model, `FromParam` for enums, `from_parts` for multipart bodies.
fn emit_model_impls(model: &ModelIr) -> TokenStream {
    match model {
        ModelIr::Enum(e) => {
            let name = ident(&e.name);
            let parse = if e.integer {
                quote!(<i64 as crate::server::FromParam>::from_param(name, text).map(Self::from))
            } else if e.boolean {
                quote!(<bool as crate::server::FromParam>::from_param(name, text).map(Self::from_bool))
            } else {
                quote!({ let _ = name; ::std::result::Result::Ok(Self::from(text)) })
            };
            quote! {
                impl crate::server::Validate for crate::gen::models::#name {
                    fn validate(&self, _: &str, _: &mut ::std::vec::Vec<::std::string::String>) {}
                }
                impl crate::server::FromParam for crate::gen::models::#name {
                    fn from_param(name: &str, text: &str) -> ::std::result::Result<Self, ::std::string::String> {
                        #parse
                    }
                }
            }
        }
        ModelIr::Struct(s) => {
            let name = ident(&s.name);
            let checks = s.fields.iter().map(|f| {
                let field = ident(&f.ident);
                let wire = &f.wire;
                let bound = field_bounds(f);
                // The runtime's `Validate` has no impl for `Box`: validate what it holds.
                let validate = match (f.boxed, f.required) {
                    (false, _) => quote!(crate::server::Validate::validate(&self.#field, &crate::server::child(path, #wire), problems);),
                    (true, true) => quote!(crate::server::Validate::validate(&*self.#field, &crate::server::child(path, #wire), problems);),
                    (true, false) => quote! {
                        if let ::std::option::Option::Some(value) = &self.#field {
                            crate::server::Validate::validate(&**value, &crate::server::child(path, #wire), problems);
                        }
                    },
                };
                quote! {
                    #bound
                    #validate
                }
            });
            let multipart = s.has_file.then(|| from_parts(s));
            quote! {
                impl crate::server::Validate for crate::gen::models::#name {
                    fn validate(&self, path: &str, problems: &mut ::std::vec::Vec<::std::string::String>) {
                        #(#checks)*
                    }
                }
                #multipart
            }
        }
    }
}

/// Checks the documented limits of a struct field inside `Validate::validate`.
fn field_bounds(f: &crate::ir::FieldIr) -> TokenStream {
    // A `Duration` cannot be negative, and `Lasting` has its one sentinel: the type is the limit.
    if f.time.is_some() {
        return quote!();
    }
    let Some((low, high, what)) = limits(&f.constraints, &f.ty) else { return quote!() };
    let field = ident(&f.ident);
    let wire = &f.wire;
    quote!(crate::server::check_bounds(&crate::server::child(path, #wire), &self.#field, #low, #high, #what, problems);)
}

fn from_parts(s: &StructIr) -> TokenStream {
    let name = ident(&s.name);
    let reads = s.fields.iter().map(|f| {
        let field = ident(&f.ident);
        let wire = &f.wire;
        let required = f.required;
        let read = match &f.ty {
            RustType::File => quote!(parts.file(#wire, #required, &mut problems)),
            other => {
                let ty = rust_type(other);
                if required {
                    quote!({
                        let value = parts.text::<#ty>(#wire, &mut problems);
                        if value.is_none() { problems.push(format!("the multipart part `{}` is required", #wire)); }
                        value
                    })
                } else {
                    quote!(parts.text::<#ty>(#wire, &mut problems))
                }
            }
        };
        quote!(let #field = #read;)
    });
    let finish = s.fields.iter().map(|f| {
        let field = ident(&f.ident);
        let wire = &f.wire;
        if f.required {
            quote!(#field: #field.ok_or_else(|| crate::server::ServerError::bad_request(format!("the multipart part `{}` is required", #wire)))?,)
        } else {
            quote!(#field,)
        }
    });
    quote! {
        impl crate::gen::models::#name {
            pub(crate) fn from_parts(parts: &crate::server::Parts) -> ::std::result::Result<Self, ServerError> {
                let mut problems: ::std::vec::Vec<::std::string::String> = ::std::vec::Vec::new();
                #(#reads)*
                crate::server::problems_to_error(problems)?;
                ::std::result::Result::Ok(Self { #(#finish)* })
            }
        }
    }
}
