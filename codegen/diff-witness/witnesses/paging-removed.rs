//! rule: paging-removed
//! error: E0599
pub fn witness(c: &api::Client) { let _ = c.widgets().list_widgets().into_stream(); }
