//! `src/gen/operations/*.rs`: one module per resource group, with a handle type (got from
//! `Client::<group>()`) and one request builder per operation.

use proc_macro2::TokenStream;
use quote::quote;

use super::{deprecated, docs, feature_cfg, ident, rust_type, type_alias};
use crate::ir::{self, Crate, Group, OperationIr, ParamIr, PathPart, ResponseIr, RustType};
use crate::model::{Encoding, Location};

/// `operations/mod.rs`: the group modules and the client methods that return their handles.
pub fn emit_index(krate: &Crate) -> TokenStream {
    // Each group is compiled only with its cargo feature, named after the module.
    let modules = krate.groups.iter().map(|g| {
        let module = ident(&g.module);
        let cfg = feature_cfg(Some(std::slice::from_ref(&g.module)));
        let doc = format!(" The `{}` operations.", g.module);
        quote!(#[doc = #doc] #cfg pub mod #module;)
    });
    let accessors = krate.groups.iter().map(|g| {
        let module = ident(&g.module);
        let handle = ident(&g.handle);
        let cfg = feature_cfg(Some(std::slice::from_ref(&g.module)));
        let doc = format!(" The `{}` operations ({} of them).", g.module, g.operations.len());
        quote! {
            #[doc = #doc]
            #cfg
            pub fn #module(&self) -> #module::#handle {
                #module::#handle { client: self.clone() }
            }
        }
    });
    quote! {
        //! One module per resource group of the API.
        #(#modules)*

        impl crate::Client {
            #(#accessors)*
        }
    }
}

pub fn emit_group(group: &Group) -> TokenStream {
    let handle = ident(&group.handle);
    let handle_doc = format!(" The `{}` operations; get it from [`Client::{}`](crate::Client::{}).", group.module, group.module, group.module);
    let methods = group.operations.iter().map(emit_method);
    let builders = group.operations.iter().map(|op| emit_builder(group, op));
    let aliases = group.operations.iter().flat_map(|op| op.aliases.iter().map(|old| type_alias(&ir::builder_name(old), &op.builder)));
    quote! {
        #[doc = #handle_doc]
        #[derive(Debug, Clone)]
        pub struct #handle {
            pub(crate) client: crate::Client,
        }

        impl #handle {
            #(#methods)*
        }

        #(#builders)*

        #(#aliases)*
    }
}

/// How a builder argument is taken: strings and string lists generically, the rest as is.
fn arg(ty: &RustType) -> (TokenStream, Box<dyn Fn(TokenStream) -> TokenStream>) {
    match ty {
        RustType::String => (quote!(impl ::std::convert::Into<::std::string::String>), Box::new(|v| quote!(#v.into()))),
        RustType::Vec(inner) if **inner == RustType::String => (
            quote!(impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<::std::string::String>>),
            Box::new(|v| quote!(#v.into_iter().map(::std::convert::Into::into).collect())),
        ),
        other => (rust_type(other), Box::new(|v| v)),
    }
}

fn emit_method(op: &OperationIr) -> TokenStream {
    let method = ident(&op.method_name);
    let builder = ident(&op.builder);
    let doc = docs(&method_docs(op));
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for p in &op.required {
        let name = ident(&p.ident);
        let (ty, convert) = arg(&p.ty);
        args.push(quote!(#name: #ty));
        let value = convert(quote!(#name));
        inits.push(if name == value.to_string() { quote!(#name,) } else { quote!(#name: #value,) });
    }
    for p in &op.optional {
        let name = ident(&p.ident);
        inits.push(quote!(#name: ::std::option::Option::None,));
    }
    if let Some(body) = &op.body {
        let ty = rust_type(&body.ty);
        args.push(quote!(body: #ty));
        inits.push(quote!(body,));
    }
    let deprecated = deprecated(op.deprecated.as_ref());
    let forwarded: Vec<_> = op.required.iter().map(|p| ident(&p.ident)).chain(op.body.as_ref().map(|_| ident("body"))).collect();
    let aliases = op.aliases.iter().map(|old| {
        let old = ident(&ir::method_name(old));
        let doc = format!(" Former name of [`{}`](Self::{}).", op.method_name, op.method_name);
        let note = format!("renamed to `{}`", op.method_name);
        quote! {
            #[doc = #doc]
            #[deprecated(note = #note)]
            pub fn #old(&self, #(#args),*) -> #builder {
                self.#method(#(#forwarded),*)
            }
        }
    });
    quote! {
        #doc
        #deprecated
        pub fn #method(&self, #(#args),*) -> #builder {
            #builder { client: self.client.clone(), #(#inits)* }
        }
        #(#aliases)*
    }
}

/// The operation's docs, then its arguments and, for lists, how to page through them.
fn method_docs(op: &OperationIr) -> Vec<String> {
    let mut lines = op.docs.clone();
    let mut args: Vec<String> = op
        .required
        .iter()
        .map(|p| format!(" - `{}`: {}", p.ident, p.docs.first().map_or("", |d| d.trim())))
        .collect();
    if op.body.is_some() {
        args.push(" - `body`: the request body.".to_owned());
    }
    if !args.is_empty() {
        lines.push(String::new());
        lines.push(" # Arguments".to_owned());
        lines.push(String::new());
        lines.extend(args);
    }
    if !op.optional.is_empty() {
        let setters: Vec<String> = op.optional.iter().map(|p| format!("[`{}`]({}::{})", p.ident, op.builder, p.ident)).collect();
        lines.push(String::new());
        lines.push(format!(" Optional parameters are set on the returned builder: {}.", setters.join(", ")));
    }
    if let Some((_, message)) = &op.batch_list {
        lines.push(String::new());
        lines.push(format!(" {}.", message.replace("needs", "takes")));
    }
    if op.paging.is_some() {
        lines.push(String::new());
        lines.push(format!(" Paged: [`{}::into_stream`] yields every item of every page.", op.builder));
    }
    lines
}

fn output_type(op: &OperationIr) -> TokenStream {
    match &op.response {
        ResponseIr::Json(ty) => rust_type(ty),
        ResponseIr::Binary => quote!(crate::files::ByteStream),
        ResponseIr::Empty => quote!(()),
    }
}

/// The value of a parameter as sent: text, lists comma-separated.
fn wire_text(value: TokenStream, ty: &RustType) -> TokenStream {
    match ty {
        RustType::String => quote!(#value.clone()),
        RustType::Vec(_) => quote!(#value.iter().map(::std::string::ToString::to_string).collect::<::std::vec::Vec<_>>().join(",")),
        _ => quote!(#value.to_string()),
    }
}

fn emit_builder(group: &Group, op: &OperationIr) -> TokenStream {
    let builder = ident(&op.builder);
    let handle_method = format!(" Request for [`{}::{}`]: set optional parameters, then `.await` it (or call `send`).", group.handle, op.method_name);
    let has_file_body = op.body.as_ref().is_some_and(|b| matches!(b.encoding, Encoding::Multipart));
    let derive = if has_file_body { quote!(#[derive(Debug)]) } else { quote!(#[derive(Debug, Clone)]) };
    let mut fields = vec![quote!(client: crate::Client,)];
    for p in &op.required {
        let name = ident(&p.ident);
        let ty = rust_type(&p.ty);
        fields.push(quote!(#name: #ty,));
    }
    for p in &op.optional {
        let name = ident(&p.ident);
        let ty = rust_type(&p.ty);
        fields.push(quote!(#name: ::std::option::Option<#ty>,));
    }
    if let Some(body) = &op.body {
        let ty = rust_type(&body.ty);
        fields.push(quote!(body: #ty,));
    }
    let setters = op.optional.iter().map(setter);
    let count = proc_macro2::Literal::u32_unsuffixed(op.rate_count);
    let seconds = proc_macro2::Literal::u64_unsuffixed(op.rate_seconds);
    let rate_doc = format!(" The documented rate limit: {} per {} s.", op.rate_count, op.rate_seconds);
    let output = output_type(op);
    let call = call_type(op);
    let send = emit_send(op);
    let stream = op.paging.as_ref().map(|_| emit_stream(op));
    quote! {
        #[doc = #handle_method]
        #derive
        #[must_use = "a request does nothing until it is awaited or sent"]
        pub struct #builder {
            #(#fields)*
        }

        impl #builder {
            #[doc = #rate_doc]
            pub const RATE_LIMIT: crate::request::RateLimit = crate::request::RateLimit { count: #count, per: ::std::time::Duration::from_secs(#seconds) };
            #(#setters)*
            #send
            #stream
        }

        impl ::std::future::IntoFuture for #builder {
            type Output = ::std::result::Result<#output, crate::Error>;
            type IntoFuture = #call;

            fn into_future(self) -> Self::IntoFuture {
                self.send()
            }
        }
    }
}

fn setter(p: &ParamIr) -> TokenStream {
    let name = ident(&p.ident);
    let doc = docs(&p.docs);
    let (ty, convert) = arg(&p.ty);
    let value = convert(quote!(value));
    let deprecated = deprecated(p.deprecated.as_ref());
    quote! {
        #doc
        #deprecated
        pub fn #name(mut self, value: #ty) -> Self {
            self.#name = ::std::option::Option::Some(#value);
            self
        }
    }
}

fn emit_send(op: &OperationIr) -> TokenStream {
    let id = &op.id;
    let template = &op.path_template;
    let method = ident(op.http_method);
    let mut fmt = String::new();
    let mut path_args = Vec::new();
    for part in &op.path {
        fmt.push('/');
        match part {
            PathPart::Literal(text) => fmt.push_str(text),
            PathPart::Param { ident: name, list } => {
                fmt.push_str("{}");
                let is_string = op.required.iter().any(|p| p.ident == *name && matches!(p.ty, RustType::String));
                let name = ident(name);
                path_args.push(if *list {
                    quote!(crate::path::encode_list(&self.#name.iter().map(::std::string::ToString::to_string).collect::<::std::vec::Vec<_>>()))
                } else if is_string {
                    quote!(crate::path::encode_segment(&self.#name))
                } else {
                    quote!(crate::path::encode_segment(&self.#name.to_string()))
                });
            }
        }
    }
    let path = if path_args.is_empty() { quote!(#fmt.to_owned()) } else { quote!(format!(#fmt, #(#path_args),*)) };
    let mut parts = Vec::new();
    let push = |location: Location, wire: &str, value: TokenStream| match location {
        Location::Query => quote!(request.query.push((#wire, #value));),
        _ => quote!(request.headers.push((#wire, #value));),
    };
    for p in op.required.iter().filter(|p| p.location != Location::Path) {
        let name = ident(&p.ident);
        parts.push(push(p.location, &p.wire, wire_text(quote!(self.#name), &p.ty)));
    }
    for p in &op.optional {
        let name = ident(&p.ident);
        let value = wire_text(quote!(value), &p.ty);
        let line = push(p.location, &p.wire, value);
        parts.push(quote!(if let ::std::option::Option::Some(value) = &self.#name { #line }));
    }
    for (wire, location, value) in &op.fixed {
        parts.push(push(*location, wire, quote!(#value.to_owned())));
    }
    if let Some(body) = &op.body {
        parts.push(match body.encoding {
            Encoding::Json => quote!(request.body = crate::request::Body::json(&self.body)?;),
            Encoding::Form => quote!(request.body = crate::request::Body::form(&self.body)?;),
            // Multipart bodies are structs whose fields become parts in order (see `models`).
            Encoding::Multipart => quote!(request.body = crate::request::Body::Multipart(self.body.into_multipart());),
        });
    }
    let (idempotent, auth) = (op.idempotent, op.auth);
    let call = call_type(op);
    let execute = match &op.response {
        ResponseIr::Json(_) => quote!(client.call_json(self.into_request())),
        ResponseIr::Binary => quote!(client.call_binary(self.into_request())),
        ResponseIr::Empty => quote!(client.call_empty(self.into_request())),
    };
    let guard = op.batch_list.as_ref().map(|(list, message)| {
        let list = ident(list);
        quote! {
            if self.#list.len() < 2 {
                return ::std::result::Result::Err(crate::Error::encode(#message));
            }
        }
    });
    let items_guard = items_guard(op);
    quote! {
        /// Sends the request; the same as `.await`ing the builder.
        pub fn send(self) -> #call {
            let client = self.client.clone();
            #execute
        }

        /// The request as plain data, or why it cannot be made: to send with
        /// [`Client::execute`](crate::Client::execute) and read the answer as received.
        pub fn into_request(self) -> ::std::result::Result<crate::request::OperationRequest, crate::Error> {
            #guard
            #items_guard
            let mut request = crate::request::OperationRequest::new(#id, ::reqwest::Method::#method, #template, #path);
            request.idempotent = #idempotent;
            request.auth = #auth;
            request.rate_limit = Self::RATE_LIMIT;
            #(#parts)*
            ::std::result::Result::Ok(request)
        }
    }
}

/// The future a builder's `send` returns.
fn call_type(op: &OperationIr) -> TokenStream {
    match &op.response {
        ResponseIr::Json(ty) => {
            let ty = rust_type(ty);
            quote!(crate::call::JsonCall<#ty>)
        }
        ResponseIr::Binary => quote!(crate::call::BinaryCall),
        ResponseIr::Empty => quote!(crate::call::EmptyCall),
    }
}

/// Refuses, before anything is sent, an array body outside its documented item limits.
/// The item-count checks of the request's lists: an array body, list parameters and the
/// list fields of an object body that have `min_items` or `max_items`.
fn items_guard(op: &OperationIr) -> TokenStream {
    let bound = |n: Option<u64>| match n {
        Some(n) => {
            let n = proc_macro2::Literal::usize_unsuffixed(n as usize);
            quote!(::std::option::Option::Some(#n))
        }
        None => quote!(::std::option::Option::None),
    };
    let check = |name: String, count: TokenStream, min: Option<u64>, max: Option<u64>| {
        let (min, max) = (bound(min), bound(max));
        quote!(crate::request::check_items(#name, #count, #min, #max)?;)
    };
    let mut checks = Vec::new();
    if let Some(body) = &op.body {
        if body.items.0.is_some() || body.items.1.is_some() {
            checks.push(check("the body".to_owned(), quote!(self.body.len()), body.items.0, body.items.1));
        }
        for field in &body.field_items {
            let ident = ident(&field.ident);
            let name = format!("`{}`", field.wire);
            checks.push(if field.required {
                check(name, quote!(self.body.#ident.len()), field.min, field.max)
            } else {
                let inner = check(name, quote!(value.len()), field.min, field.max);
                quote!(if let ::std::option::Option::Some(value) = &self.body.#ident { #inner })
            });
        }
    }
    for (p, required) in op.required.iter().map(|p| (p, true)).chain(op.optional.iter().map(|p| (p, false))) {
        let (min, max) = (p.constraints.min_items, p.constraints.max_items);
        if !matches!(p.ty, RustType::Vec(_)) || (min.is_none() && max.is_none()) {
            continue;
        }
        let ident = ident(&p.ident);
        let name = format!("`{}`", p.wire);
        checks.push(if required {
            check(name, quote!(self.#ident.len()), min, max)
        } else {
            let inner = check(name, quote!(value.len()), min, max);
            quote!(if let ::std::option::Option::Some(value) = &self.#ident { #inner })
        });
    }
    quote!(#(#checks)*)
}

fn emit_stream(op: &OperationIr) -> TokenStream {
    let paging = op.paging.as_ref().expect("called for paged operations");
    let item = rust_type(&paging.item_type);
    let walk = |steps: &[(String, bool)]| {
        let mut expr = quote!(::std::option::Option::Some(page));
        for (field, optional) in steps {
            let field = ident(field);
            expr = if *optional { quote!(#expr.and_then(|v| v.#field)) } else { quote!(#expr.map(|v| v.#field)) };
        }
        expr
    };
    let required = |name: &str| op.required.iter().any(|p| p.ident == name);
    let position = ident(&paging.position_ident);
    let position_required = required(&paging.position_ident);
    if paging.cursor_style {
        let items = walk(&paging.items);
        let mut next = quote!(::std::option::Option::Some(&page));
        for (field, optional) in &paging.next_cursor {
            let field = ident(field);
            next = if *optional { quote!(#next.and_then(|v| v.#field.as_ref())) } else { quote!(#next.map(|v| &v.#field)) };
        }
        let next = if paging.next_cursor_json { quote!(#next.and_then(crate::paging::cursor_text)) } else { quote!(#next.cloned()) };
        let set = if position_required {
            quote!(builder.#position = cursor;)
        } else {
            quote!(builder.#position = ::std::option::Option::Some(cursor);)
        };
        cursor_body(&items, &next, &set, &item)
    } else {
        let items = walk(&paging.items);
        let first = if position_required {
            quote!(self.#position as u64)
        } else {
            quote!(self.#position.map_or(1, |page| page as u64))
        };
        let set = if position_required {
            quote!(builder.#position = number as i64;)
        } else {
            quote!(builder.#position = ::std::option::Option::Some(number as i64);)
        };
        let size = match &paging.limit_ident {
            Some(limit) if required(limit) => {
                let limit = ident(limit);
                quote!(::std::option::Option::Some(builder.#limit as u64))
            }
            Some(limit) => {
                let limit = ident(limit);
                quote!(builder.#limit.map(|size| size as u64))
            }
            None => quote!(::std::option::Option::None),
        };
        quote! {
            /// Every item of every page, fetching the next page only when needed; the stream
            /// ends after a short or empty page, or the first error.
            pub fn into_stream(self) -> impl ::futures_core::Stream<Item = ::std::result::Result<#item, crate::Error>> + ::std::marker::Send {
                let first = #first;
                crate::paging::page_stream(self, first, |mut builder: Self, number: u64| async move {
                    #set
                    let size = #size;
                    let page = builder.send().await?;
                    let items = #items.unwrap_or_default();
                    ::std::result::Result::Ok((items, size))
                })
            }
        }
    }
}

fn cursor_body(items: &TokenStream, next: &TokenStream, set: &TokenStream, item: &TokenStream) -> TokenStream {
    quote! {
        /// Every item of every page, fetching the next page only when needed; the stream
        /// ends after the last page or the first error.
        pub fn into_stream(self) -> impl ::futures_core::Stream<Item = ::std::result::Result<#item, crate::Error>> + ::std::marker::Send {
            crate::paging::cursor_stream(self, |mut builder: Self, cursor: ::std::option::Option<::std::string::String>| async move {
                if let ::std::option::Option::Some(cursor) = cursor {
                    #set
                }
                let page = builder.send().await?;
                let next: ::std::option::Option<::std::string::String> = #next;
                let items = #items.unwrap_or_default();
                ::std::result::Result::Ok((items, next))
            })
        }
    }
}
