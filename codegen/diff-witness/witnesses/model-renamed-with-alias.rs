//! rule: model-renamed-with-alias
//! compiles on both sides: the old name stays as a deprecated alias
#![allow(deprecated)]
pub fn witness() -> api::models::Priority { api::models::Priority::Low }
