//! rule: deprecated-response-field-removed
//! error: E0609
#[allow(deprecated)]
pub fn witness(widget: api::models::Widget) -> Option<String> { widget.legacy }
