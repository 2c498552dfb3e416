//! The callback store (callback.md). The mock delivers no callbacks, so none ever fails and
//! the store is always empty: the listing is empty and a resend of a well-formed date key
//! has nothing to send.

use super::{reply, Ctx};
use crate::mock::store::{illegal, Res};
use crate::mock::MockServer;
use crate::models as m;
use crate::server::{inputs as i, RequestContext};

pub(super) fn get_callback_storage_info(
    s: &MockServer,
    ctx: &RequestContext,
    _input: i::GetCallbackStorageInfoInput,
) -> Res<m::CallbackStorageInfoResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    Ok(reply!(CallbackStorageInfoResponse, t, now, "get", "/callbacks", data: Vec::new()))
}

pub(super) fn retry_stored_callbacks(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::RetryStoredCallbacksInput,
) -> Res<m::CallbackRetryResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let date = &input.body.date;
    // `yyyyMMddHHmm` at the start of a ten-minute period.
    if !date.bytes().all(|b| b.is_ascii_digit()) || !date.ends_with('0') {
        return Err(illegal(format!("{date} is not a date key (yyyyMMddHHmm, ten-minute start)")));
    }
    Ok(reply!(CallbackRetryResponse, t, now, "post", "/callbacks", data: String::from("success")))
}
