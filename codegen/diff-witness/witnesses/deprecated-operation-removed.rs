//! rule: deprecated-operation-removed
//! error: E0599
pub fn witness(c: &api::Client) { let _ = c.widgets().widget_stats("w1"); }
