//! rule: deprecated-operation-removed
//! error: E0407
//! An implementation of the server stubs that answered the removed operation.
use api::server::{inputs, EasemobApi, RequestContext, ServerError};
pub struct Impl;
impl EasemobApi for Impl {
    async fn widget_stats(&self, _: RequestContext, _: inputs::WidgetStatsInput) -> Result<std::collections::BTreeMap<String, i64>, ServerError> {
        Ok(Default::default())
    }
}
