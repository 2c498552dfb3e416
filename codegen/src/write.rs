//! The one way generated text reaches the disk: normalised line endings, compared with
//! what is there, written only when different, and written atomically (a temporary file
//! in the same folder, then a rename) so that no half-written file is ever left behind.

use std::io::Write as _;
use std::path::Path;

/// What happened to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Written,
    Unchanged,
}

/// Writes `contents` to `path` unless the file already holds exactly that text.
pub fn write_file(path: &Path, contents: &str) -> std::io::Result<Outcome> {
    let contents = normalize(contents);
    if std::fs::read_to_string(path).is_ok_and(|old| normalize(&old) == contents) {
        return Ok(Outcome::Unchanged);
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(contents.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map(|()| Outcome::Written)
}

/// Whether `path` holds `contents` (line endings aside).
pub fn is_fresh(path: &Path, contents: &str) -> bool {
    std::fs::read_to_string(path).is_ok_and(|old| normalize(&old) == normalize(contents))
}

fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_only_when_changed_and_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("codegen-write-{}", std::process::id()));
        let path = dir.join("a.rs");
        assert_eq!(write_file(&path, "x\r\n").unwrap(), Outcome::Written);
        assert_eq!(write_file(&path, "x\n").unwrap(), Outcome::Unchanged);
        assert_eq!(write_file(&path, "y\n").unwrap(), Outcome::Written);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "y\n");
        let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(entries, vec![std::ffi::OsString::from("a.rs")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
