//! rule: request-field-type-changed
//! error: E0277
pub fn witness(draft: api::models::WidgetDraft) -> api::models::WidgetDraft { draft.with_size(3i64) }
