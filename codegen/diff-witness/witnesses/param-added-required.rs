//! rule: param-added-required
//! error: E0061
pub fn witness(c: &api::Client) { let _ = c.widgets().get_widget("w1"); }
