//! rule: request-enum-value-removed
//! error: E0599
pub fn witness() -> api::models::Colour { api::models::Colour::Green }
