//! rule: operation-renamed
//! error: E0599
pub fn witness(c: &api::Client) { let _ = c.widgets().retire_widget("w1"); }
