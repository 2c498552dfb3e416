//! rule: param-became-optional
//! error: E0061
pub fn witness(c: &api::Client) { let _ = c.widgets().touch_widget("w1", "token"); }
