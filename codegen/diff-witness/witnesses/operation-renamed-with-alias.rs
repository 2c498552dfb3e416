//! rule: operation-renamed-with-alias
//! compiles on both sides: the old names stay as deprecated aliases
#![allow(deprecated)]
pub fn witness(c: &api::Client) -> api::operations::widgets::SearchWidgets { c.widgets().search_widgets() }
