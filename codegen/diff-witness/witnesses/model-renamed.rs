//! rule: model-renamed
//! error: E0425
pub fn witness(spare: api::models::Spare) -> Option<String> { spare.id }
