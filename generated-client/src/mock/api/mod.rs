//! [`EasemobApi`] for [`MockServer`]: authentication against the tokens the mock issued,
//! and one function per modelled operation turning its input into store calls and the
//! result into the response model. Operations not listed here answer the spec's example.

mod callbacks;
mod chatrooms;
mod groups;
mod messages;
mod users;

use std::sync::MutexGuard;

use crate::models as m;
use crate::server::{inputs, Binary, EasemobApi, Fallback, RequestContext, ServerError};

use super::callbacks::Event;
use super::store::{Res, Tenant, UserRecord};
use super::MockServer;

/// The locked tenant of a request and the mock's time (Unix ms).
pub(super) struct Ctx<'a>(pub(super) MutexGuard<'a, Tenant>, pub(super) i64);

impl MockServer {
    fn ctx(&self, ctx: &RequestContext) -> Res<Ctx<'_>> {
        Ok(Ctx(
            self.store.tenant(&ctx.org_name, &ctx.app_name)?,
            self.store.now_ms(),
        ))
    }
}

impl MockServer {
    /// Tells the post-send callback rules that want it (never waits).
    pub(super) fn emit(&self, t: &Tenant, now: i64, event: Event<'_>) {
        self.callbacks
            .post_send(&format!("{}#{}", t.org, t.app), now, event);
    }

    /// `muc_presence` for each member who joined a group or chat room.
    pub(super) fn emit_joined(
        &self,
        t: &Tenant,
        now: i64,
        id: &str,
        is_chatroom: bool,
        users: &[String],
    ) {
        for user in users {
            self.emit(
                t,
                now,
                Event::Muc {
                    name: "muc_presence",
                    is_chatroom,
                    id,
                    from: user,
                    to: id,
                },
            );
        }
    }

    /// `muc_kick` then `muc_absence` for each member removed from a group or chat room, as
    /// the docs' examples show them (the same member, two milliseconds apart).
    pub(super) fn emit_removed<'a>(
        &self,
        t: &Tenant,
        now: i64,
        id: &str,
        is_chatroom: bool,
        users: impl IntoIterator<Item = &'a String>,
    ) {
        for user in users {
            self.emit(
                t,
                now,
                Event::Muc {
                    name: "muc_kick",
                    is_chatroom,
                    id,
                    from: "admin",
                    to: user,
                },
            );
            self.emit(
                t,
                now,
                Event::Muc {
                    name: "muc_absence",
                    is_chatroom,
                    id,
                    from: user,
                    to: id,
                },
            );
        }
    }
}

/// A response model with the envelope filled in (`action`, org, app, `path`, timestamp)
/// and the given fields set.
macro_rules! reply {
    ($ty:ident, $t:expr, $now:expr, $action:expr, $path:expr $(, $field:ident: $value:expr)* $(,)?) => {
    crate::models::$ty {
        action: Some(String::from($action)),
        organization: Some($t.org.clone()),
        application: Some($t.application.clone()),
        application_name: Some($t.app.clone()),
        path: Some(String::from($path)),
        timestamp: Some($now),
        duration: Some(0),
        $($field: Some($value),)*
        ..Default::default()
    }
    };
}
pub(super) use reply;

/// A user as the API shows it.
pub(super) fn user_model(user: &UserRecord) -> m::User {
    m::User {
        uuid: Some(user.uuid.clone()),
        type_: Some(m::UserEntityType::User),
        created: Some(user.created),
        modified: Some(user.modified),
        username: Some(user.username.clone()),
        activated: Some(user.activated),
        nickname: user.nickname.clone(),
        ..Default::default()
    }
}

macro_rules! delegate {
    ($($module:ident { $($op:ident($input:ident) -> $out:ty;)* })*
     @awaited $($amodule:ident { $($aop:ident($ainput:ident) -> $aout:ty;)* })*) => {
    impl EasemobApi for MockServer {
        async fn authenticate(&self, ctx: &RequestContext) -> Result<(), ServerError> {
            self.store.check_app_token(&ctx.org_name, &ctx.app_name, ctx.bearer_token.as_deref())
        }

        /// Operations without state answer the spec's example.
        fn fallback(&self, ctx: &RequestContext) -> Fallback {
            self.record(ctx.operation_id);
            Fallback::Example
        }

        $($(
            async fn $op(&self, ctx: RequestContext, input: inputs::$input) -> Result<$out, ServerError> {
                self.record(ctx.operation_id);
                $module::$op(self, &ctx, input)
            }
        )*)*

        $($(
            async fn $aop(&self, ctx: RequestContext, input: inputs::$ainput) -> Result<$aout, ServerError> {
                self.record(ctx.operation_id);
                $amodule::$aop(self, &ctx, input).await
            }
        )*)*
    }
    };
}

delegate! {
    callbacks {
        get_callback_storage_info(GetCallbackStorageInfoInput) -> m::CallbackStorageInfoResponse;
        retry_stored_callbacks(RetryStoredCallbacksInput) -> m::CallbackRetryResponse;
    }
    chatrooms {
        add_chatroom_admin(AddChatroomAdminInput) -> m::AddChatroomAdminResponse;
        add_chatroom_allowlist_user(AddChatroomAllowlistUserInput) -> m::AddChatroomAllowlistUserResponse;
        add_chatroom_allowlist_users(AddChatroomAllowlistUsersInput) -> m::AddChatroomAllowlistUsersResponse;
        add_chatroom_member(AddChatroomMemberInput) -> m::AddChatroomMemberResponse;
        add_chatroom_members(AddChatroomMembersInput) -> m::AddChatroomMembersResponse;
        add_chatroom_super_admin(AddChatroomSuperAdminInput) -> m::AddChatroomSuperAdminResponse;
        block_chatroom_user(BlockChatroomUserInput) -> m::BlockChatroomUserResponse;
        block_chatroom_users(BlockChatroomUsersInput) -> m::BlockChatroomUsersResponse;
        create_chatroom(CreateChatroomInput) -> m::CreateChatroomResponse;
        delete_chatroom(DeleteChatroomInput) -> m::DeleteChatroomResponse;
        delete_chatroom_metadata(DeleteChatroomMetadataInput) -> m::ChatroomMetadataResponse;
        force_delete_chatroom_metadata(ForceDeleteChatroomMetadataInput) -> m::ChatroomMetadataResponse;
        force_set_chatroom_metadata(ForceSetChatroomMetadataInput) -> m::ChatroomMetadataResponse;
        get_chatroom_announcement(GetChatroomAnnouncementInput) -> m::GetChatroomAnnouncementResponse;
        get_chatroom_metadata(GetChatroomMetadataInput) -> m::GetChatroomMetadataResponse;
        get_chatrooms(GetChatroomsInput) -> m::GetChatroomsResponse;
        list_chatroom_admins(ListChatroomAdminsInput) -> m::ListChatroomAdminsResponse;
        list_chatroom_allowlist(ListChatroomAllowlistInput) -> m::ListChatroomAllowlistResponse;
        list_chatroom_blocked_users(ListChatroomBlockedUsersInput) -> m::ListChatroomBlockedUsersResponse;
        list_chatroom_member_ids(ListChatroomMemberIdsInput) -> m::MemberIdsPage;
        list_chatroom_members(ListChatroomMembersInput) -> m::ListChatroomMembersResponse;
        list_chatroom_muted_members(ListChatroomMutedMembersInput) -> m::ListChatroomMutedMembersResponse;
        list_chatroom_super_admins(ListChatroomSuperAdminsInput) -> m::ListChatroomSuperAdminsResponse;
        list_chatrooms(ListChatroomsInput) -> m::ListChatroomsResponse;
        list_user_joined_chatrooms(ListUserJoinedChatroomsInput) -> m::ListUserJoinedChatroomsResponse;
        mute_all_chatroom_members(MuteAllChatroomMembersInput) -> m::MuteAllChatroomMembersResponse;
        mute_chatroom_members(MuteChatroomMembersInput) -> m::MuteChatroomMembersResponse;
        remove_chatroom_admin(RemoveChatroomAdminInput) -> m::RemoveChatroomAdminResponse;
        remove_chatroom_allowlist_users(RemoveChatroomAllowlistUsersInput) -> m::RemoveChatroomAllowlistUsersResponse;
        remove_chatroom_member(RemoveChatroomMemberInput) -> m::RemoveChatroomMemberResponse;
        remove_chatroom_members(RemoveChatroomMembersInput) -> m::RemoveChatroomMembersResponse;
        remove_chatroom_super_admin(RemoveChatroomSuperAdminInput) -> m::RemoveChatroomSuperAdminResponse;
        set_chatroom_metadata(SetChatroomMetadataInput) -> m::ChatroomMetadataResponse;
        unblock_chatroom_user(UnblockChatroomUserInput) -> m::UnblockChatroomUserResponse;
        unblock_chatroom_users(UnblockChatroomUsersInput) -> m::UnblockChatroomUsersResponse;
        unmute_all_chatroom_members(UnmuteAllChatroomMembersInput) -> m::UnmuteAllChatroomMembersResponse;
        unmute_chatroom_members(UnmuteChatroomMembersInput) -> m::UnmuteChatroomMembersResponse;
        update_chatroom(UpdateChatroomInput) -> m::UpdateChatroomResponse;
        update_chatroom_announcement(UpdateChatroomAnnouncementInput) -> m::UpdateChatroomAnnouncementResponse;
    }
    groups {
        add_group_admin(AddGroupAdminInput) -> m::AddGroupAdminResponse;
        add_group_blocked_user(AddGroupBlockedUserInput) -> m::AddGroupBlockedUserResponse;
        add_group_blocked_users(AddGroupBlockedUsersInput) -> m::AddGroupBlockedUsersResponse;
        add_group_member(AddGroupMemberInput) -> m::AddGroupMemberResponse;
        add_group_members(AddGroupMembersInput) -> m::AddGroupMembersResponse;
        add_group_whitelist_user(AddGroupWhitelistUserInput) -> m::AddGroupWhitelistUserResponse;
        add_group_whitelist_users(AddGroupWhitelistUsersInput) -> m::AddGroupWhitelistUsersResponse;
        add_thread_members(AddThreadMembersInput) -> m::AddThreadMembersResponse;
        batch_get_group_member_attributes(BatchGetGroupMemberAttributesInput) -> m::BatchGetGroupMemberAttributesResponse;
        check_user_joined_group(CheckUserJoinedGroupInput) -> m::CheckUserJoinedGroupResponse;
        create_group(CreateGroupInput) -> m::CreateGroupResponse;
        create_thread(CreateThreadInput) -> m::CreateThreadResponse;
        delete_group(DeleteGroupInput) -> m::DeleteGroupResponse;
        delete_group_share_file(DeleteGroupShareFileInput) -> m::DeleteGroupShareFileResponse;
        delete_thread(DeleteThreadInput) -> m::DeleteThreadResponse;
        disable_group(DisableGroupInput) -> m::DisableGroupResponse;
        download_group_share_file(DownloadGroupShareFileInput) -> Binary;
        enable_group(EnableGroupInput) -> m::EnableGroupResponse;
        get_group_announcement(GetGroupAnnouncementInput) -> m::GetGroupAnnouncementResponse;
        get_group_member_attributes(GetGroupMemberAttributesInput) -> m::GetGroupMemberAttributesResponse;
        get_groups(GetGroupsInput) -> m::GetGroupsResponse;
        list_group_admins(ListGroupAdminsInput) -> m::ListGroupAdminsResponse;
        list_group_blocked_users(ListGroupBlockedUsersInput) -> m::ListGroupBlockedUsersResponse;
        list_group_member_ids(ListGroupMemberIdsInput) -> m::MemberIdsPage;
        list_group_members(ListGroupMembersInput) -> m::ListGroupMembersResponse;
        list_group_mutes(ListGroupMutesInput) -> m::ListGroupMutesResponse;
        list_group_share_files(ListGroupShareFilesInput) -> m::ListGroupShareFilesResponse;
        list_group_whitelist(ListGroupWhitelistInput) -> m::ListGroupWhitelistResponse;
        list_groups(ListGroupsInput) -> m::ListGroupsResponse;
        list_thread_members(ListThreadMembersInput) -> m::ListThreadMembersResponse;
        list_threads(ListThreadsInput) -> m::ListThreadsResponse;
        list_user_group_threads(ListUserGroupThreadsInput) -> m::ListUserGroupThreadsResponse;
        list_user_groups(ListUserGroupsInput) -> m::ListUserGroupsResponse;
        list_user_threads(ListUserThreadsInput) -> m::ListUserThreadsResponse;
        mute_all_group_members(MuteAllGroupMembersInput) -> m::MuteAllGroupMembersResponse;
        mute_group_members(MuteGroupMembersInput) -> m::MuteGroupMembersResponse;
        remove_group_admin(RemoveGroupAdminInput) -> m::RemoveGroupAdminResponse;
        remove_group_blocked_user(RemoveGroupBlockedUserInput) -> m::RemoveGroupBlockedUserResponse;
        remove_group_blocked_users(RemoveGroupBlockedUsersInput) -> m::RemoveGroupBlockedUsersResponse;
        remove_group_member(RemoveGroupMemberInput) -> m::RemoveGroupMemberResponse;
        remove_group_members(RemoveGroupMembersInput) -> m::RemoveGroupMembersResponse;
        remove_group_whitelist_users(RemoveGroupWhitelistUsersInput) -> m::RemoveGroupWhitelistUsersResponse;
        remove_thread_members(RemoveThreadMembersInput) -> m::RemoveThreadMembersResponse;
        set_group_member_attributes(SetGroupMemberAttributesInput) -> m::SetGroupMemberAttributesResponse;
        transfer_group_owner(TransferGroupOwnerInput) -> m::TransferGroupOwnerResponse;
        unmute_all_group_members(UnmuteAllGroupMembersInput) -> m::UnmuteAllGroupMembersResponse;
        unmute_group_members(UnmuteGroupMembersInput) -> m::UnmuteGroupMembersResponse;
        update_group(UpdateGroupInput) -> m::UpdateGroupResponse;
        update_group_announcement(UpdateGroupAnnouncementInput) -> m::UpdateGroupAnnouncementResponse;
        update_thread(UpdateThreadInput) -> m::UpdateThreadResponse;
        upload_group_share_file(UploadGroupShareFileInput) -> m::UploadGroupShareFileResponse;
    }
    messages {
        broadcast_chatroom_command_message(BroadcastChatroomCommandMessageInput) -> m::MessageBroadcastResponse;
        broadcast_chatroom_custom_message(BroadcastChatroomCustomMessageInput) -> m::MessageBroadcastResponse;
        broadcast_chatroom_file_message(BroadcastChatroomFileMessageInput) -> m::MessageBroadcastResponse;
        broadcast_chatroom_image_message(BroadcastChatroomImageMessageInput) -> m::MessageBroadcastResponse;
        broadcast_chatroom_location_message(BroadcastChatroomLocationMessageInput) -> m::MessageBroadcastResponse;
        broadcast_chatroom_text_message(BroadcastChatroomTextMessageInput) -> m::MessageBroadcastResponse;
        broadcast_chatroom_video_message(BroadcastChatroomVideoMessageInput) -> m::MessageBroadcastResponse;
        broadcast_chatroom_voice_message(BroadcastChatroomVoiceMessageInput) -> m::MessageBroadcastResponse;
        delete_user_conversation(DeleteUserConversationInput) -> m::DeleteUserConversationResponse;
        download_chat_file(DownloadChatFileInput) -> Binary;
        download_chat_file_thumbnail(DownloadChatFileThumbnailInput) -> Binary;
        import_group_command_message(ImportGroupCommandMessageInput) -> m::MessageImportResponse;
        import_group_custom_message(ImportGroupCustomMessageInput) -> m::MessageImportResponse;
        import_group_file_message(ImportGroupFileMessageInput) -> m::MessageImportResponse;
        import_group_image_message(ImportGroupImageMessageInput) -> m::MessageImportResponse;
        import_group_location_message(ImportGroupLocationMessageInput) -> m::MessageImportResponse;
        import_group_text_message(ImportGroupTextMessageInput) -> m::MessageImportResponse;
        import_group_video_message(ImportGroupVideoMessageInput) -> m::MessageImportResponse;
        import_group_voice_message(ImportGroupVoiceMessageInput) -> m::MessageImportResponse;
        import_user_command_message(ImportUserCommandMessageInput) -> m::MessageImportResponse;
        import_user_custom_message(ImportUserCustomMessageInput) -> m::MessageImportResponse;
        import_user_file_message(ImportUserFileMessageInput) -> m::MessageImportResponse;
        import_user_image_message(ImportUserImageMessageInput) -> m::MessageImportResponse;
        import_user_location_message(ImportUserLocationMessageInput) -> m::MessageImportResponse;
        import_user_text_message(ImportUserTextMessageInput) -> m::MessageImportResponse;
        import_user_video_message(ImportUserVideoMessageInput) -> m::MessageImportResponse;
        import_user_voice_message(ImportUserVoiceMessageInput) -> m::MessageImportResponse;
        recall_message(RecallMessageInput) -> m::RecallMessageResponse;
        upload_chat_file(UploadChatFileInput) -> m::FileUploadResponse;
    }
    users {
        activate_user(ActivateUserInput) -> m::ResponseEnvelope;
        add_contact(AddContactInput) -> m::ContactEntitiesResponse;
        batch_get_user_metadata(BatchGetUserMetadataInput) -> m::MetadataUsersResponse;
        block_users(BlockUsersInput) -> m::BlockUsersResponse;
        deactivate_user(DeactivateUserInput) -> m::UserEntitiesResponse;
        delete_user(DeleteUserInput) -> m::UserEntitiesResponse;
        delete_user_metadata(DeleteUserMetadataInput) -> m::MetadataDeleteResponse;
        delete_users(DeleteUsersInput) -> m::UserListResponse;
        disconnect_user(DisconnectUserInput) -> m::DisconnectUserResponse;
        get_app_token(GetAppTokenInput) -> m::TokenAppResponse;
        get_group_online_count(GetGroupOnlineCountInput) -> m::PresenceOnlineCountResponse;
        get_metadata_capacity(GetMetadataCapacityInput) -> m::MetadataCapacityResponse;
        get_presence_statuses(GetPresenceStatusesInput) -> m::PresenceStatusesResponse;
        get_user(GetUserInput) -> m::UserEntitiesResponse;
        get_user_global_mute(GetUserGlobalMuteInput) -> m::GetUserGlobalMuteResponse;
        get_user_metadata(GetUserMetadataInput) -> m::MetadataUserResponse;
        get_user_offline_message_count(GetUserOfflineMessageCountInput) -> m::GetUserOfflineMessageCountResponse;
        get_user_status(GetUserStatusInput) -> m::GetUserStatusResponse;
        get_user_token(GetUserTokenInput) -> m::TokenUserResponse;
        get_user_token_with_password(GetUserTokenWithPasswordInput) -> m::TokenUserResponse;
        get_users_status(GetUsersStatusInput) -> m::GetUsersStatusResponse;
        list_all_contacts(ListAllContactsInput) -> m::ListAllContactsResponse;
        list_blocked_users(ListBlockedUsersInput) -> m::ListBlockedUsersResponse;
        list_contacts(ListContactsInput) -> m::ListContactsResponse;
        list_globally_muted_users(ListGloballyMutedUsersInput) -> m::ListGloballyMutedUsersResponse;
        list_presence_subscriptions(ListPresenceSubscriptionsInput) -> m::PresenceSubscriptionListResponse;
        list_user_online_devices(ListUserOnlineDevicesInput) -> m::ListUserOnlineDevicesResponse;
        list_users(ListUsersInput) -> m::UserListResponse;
        register_user(RegisterUserInput) -> m::UserEntitiesResponse;
        register_users(RegisterUsersInput) -> m::UserRegisterResponse;
        remove_contact(RemoveContactInput) -> m::ContactEntitiesResponse;
        set_contact_remark(SetContactRemarkInput) -> m::SetContactRemarkResponse;
        set_presence_status(SetPresenceStatusInput) -> m::PresenceResultResponse;
        set_push_nickname(SetPushNicknameInput) -> m::PushUserProfileResponse;
        set_user_global_mute(SetUserGlobalMuteInput) -> m::SetUserGlobalMuteResponse;
        set_user_metadata(SetUserMetadataInput) -> m::MetadataUserResponse;
        set_user_password(SetUserPasswordInput) -> m::ResponseEnvelope;
        subscribe_presence(SubscribePresenceInput) -> m::PresenceSubscribeResponse;
        unblock_user(UnblockUserInput) -> m::ContactEntitiesResponse;
        unsubscribe_presence(UnsubscribePresenceInput) -> m::PresenceResultResponse;
    }
    // Sending may wait for pre-send callbacks.
    @awaited
    messages {
        send_chatroom_command_message(SendChatroomCommandMessageInput) -> m::MessageSendResponse;
        send_chatroom_custom_message(SendChatroomCustomMessageInput) -> m::MessageSendResponse;
        send_chatroom_directed_command_message(SendChatroomDirectedCommandMessageInput) -> m::MessageSendResponse;
        send_chatroom_directed_custom_message(SendChatroomDirectedCustomMessageInput) -> m::MessageSendResponse;
        send_chatroom_directed_file_message(SendChatroomDirectedFileMessageInput) -> m::MessageSendResponse;
        send_chatroom_directed_image_message(SendChatroomDirectedImageMessageInput) -> m::MessageSendResponse;
        send_chatroom_directed_location_message(SendChatroomDirectedLocationMessageInput) -> m::MessageSendResponse;
        send_chatroom_directed_text_message(SendChatroomDirectedTextMessageInput) -> m::MessageSendResponse;
        send_chatroom_directed_video_message(SendChatroomDirectedVideoMessageInput) -> m::MessageSendResponse;
        send_chatroom_directed_voice_message(SendChatroomDirectedVoiceMessageInput) -> m::MessageSendResponse;
        send_chatroom_file_message(SendChatroomFileMessageInput) -> m::MessageSendResponse;
        send_chatroom_image_message(SendChatroomImageMessageInput) -> m::MessageSendResponse;
        send_chatroom_location_message(SendChatroomLocationMessageInput) -> m::MessageSendResponse;
        send_chatroom_text_message(SendChatroomTextMessageInput) -> m::MessageSendResponse;
        send_chatroom_video_message(SendChatroomVideoMessageInput) -> m::MessageSendResponse;
        send_chatroom_voice_message(SendChatroomVoiceMessageInput) -> m::MessageSendResponse;
        send_group_command_message(SendGroupCommandMessageInput) -> m::MessageSendResponse;
        send_group_custom_message(SendGroupCustomMessageInput) -> m::MessageSendResponse;
        send_group_directed_command_message(SendGroupDirectedCommandMessageInput) -> m::MessageSendResponse;
        send_group_directed_custom_message(SendGroupDirectedCustomMessageInput) -> m::MessageSendResponse;
        send_group_directed_file_message(SendGroupDirectedFileMessageInput) -> m::MessageSendResponse;
        send_group_directed_image_message(SendGroupDirectedImageMessageInput) -> m::MessageSendResponse;
        send_group_directed_location_message(SendGroupDirectedLocationMessageInput) -> m::MessageSendResponse;
        send_group_directed_text_message(SendGroupDirectedTextMessageInput) -> m::MessageSendResponse;
        send_group_directed_video_message(SendGroupDirectedVideoMessageInput) -> m::MessageSendResponse;
        send_group_directed_voice_message(SendGroupDirectedVoiceMessageInput) -> m::MessageSendResponse;
        send_group_file_message(SendGroupFileMessageInput) -> m::MessageSendResponse;
        send_group_image_message(SendGroupImageMessageInput) -> m::MessageSendResponse;
        send_group_location_message(SendGroupLocationMessageInput) -> m::MessageSendResponse;
        send_group_text_message(SendGroupTextMessageInput) -> m::MessageSendResponse;
        send_group_video_message(SendGroupVideoMessageInput) -> m::MessageSendResponse;
        send_group_voice_message(SendGroupVoiceMessageInput) -> m::MessageSendResponse;
        send_user_command_message(SendUserCommandMessageInput) -> m::MessageSendResponse;
        send_user_custom_message(SendUserCustomMessageInput) -> m::MessageSendResponse;
        send_user_file_message(SendUserFileMessageInput) -> m::MessageSendResponse;
        send_user_image_message(SendUserImageMessageInput) -> m::MessageSendResponse;
        send_user_location_message(SendUserLocationMessageInput) -> m::MessageSendResponse;
        send_user_text_message(SendUserTextMessageInput) -> m::MessageSendResponse;
        send_user_video_message(SendUserVideoMessageInput) -> m::MessageSendResponse;
        send_user_voice_message(SendUserVoiceMessageInput) -> m::MessageSendResponse;
    }
}
