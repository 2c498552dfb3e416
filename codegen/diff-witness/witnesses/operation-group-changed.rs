//! rule: operation-group-changed
//! error: E0599
pub fn witness(c: &api::Client) { let _ = c.widgets().create_widget(api::models::WidgetDraft::new("w")); }
