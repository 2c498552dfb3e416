//! rule: response-field-became-required
//! error: E0308
pub fn witness(widget: api::models::Widget) -> Option<String> { widget.name }
