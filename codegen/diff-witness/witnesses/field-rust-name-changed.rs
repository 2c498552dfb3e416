//! rule: field-rust-name-changed
//! error: E0599
pub fn witness(draft: api::models::WidgetDraft) -> api::models::WidgetDraft { draft.with_colour(api::models::Colour::Red) }
