//! rule: request-field-added-required
//! error: E0061
pub fn witness() -> api::models::WidgetDraft { api::models::WidgetDraft::new("w") }
