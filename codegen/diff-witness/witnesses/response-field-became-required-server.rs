//! rule: response-field-became-required
//! error: E0061
//! An implementation of the server stubs building the response.
pub fn witness() -> api::models::Widget { api::models::Widget::new("w1") }
