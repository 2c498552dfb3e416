//! Uploads an image file and sends it from alice to bob.
//!
//! `cargo run -p easemob-im --example send_image -- photo.jpg` (configured from `EASEMOB_*` variables: see `Client::from_env`).

use easemob_im::files::FileSource;
use easemob_im::models::{
    MessageImageBody, SendUserImageMessageRequest, UploadChatFileRequest,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: send_image PATH")?;
    let client = easemob_im::Client::from_env()?;

    let upload = client
        .files()
        .upload_chat_file(UploadChatFileRequest::new(FileSource::path(&path)))
        .restrict_access(true)
        .await?;
    let uuid = upload.uuid().ok_or("the upload returned no uuid")?;
    // The upload answers with the URI of the file collection; the file is below it.
    let collection = upload.uri.as_deref().ok_or("the upload returned no uri")?;
    let url = format!("{collection}/{uuid}");

    let mut body =
        MessageImageBody::new(url).with_filename(path.rsplit('/').next().unwrap_or(&path));
    if let Some(secret) = upload.share_secret() {
        body = body.with_secret(secret);
    }
    let message = SendUserImageMessageRequest::new(["bob"], body)
        .with_from("alice");
    let response = client.messages().send_user_image_message(message).await?;
    println!("sent: {:?}", response.message_ids());
    Ok(())
}
