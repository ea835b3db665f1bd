//! The bytes of attached files: checked by content (not by the name's
//! extension), stored once under `<data>/attachments/<hash prefix>/<hash>`,
//! and copied out to the exports folder under a cleaned-up name. A name
//! from the user never becomes a path into the store.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The largest file one may attach.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// Why a file was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    Empty,
    TooLarge,
    /// Not a drawing or document kind we keep.
    Kind,
}

/// The kinds of file kept, recognised by their first bytes: (media type, extension).
pub fn kind_of(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    let text_start = String::from_utf8_lossy(&bytes[..bytes.len().min(64)]);
    let trimmed = text_start.trim_start();
    if bytes.starts_with(b"%PDF-") {
        Some(("application/pdf", "pdf"))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", "png"))
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", "jpg"))
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some(("image/tiff", "tif"))
    } else if bytes.starts_with(b"AC10") {
        Some(("image/vnd.dwg", "dwg"))
    } else if trimmed.starts_with("ISO-10303-21;") {
        Some(("model/step", "step"))
    } else if trimmed.starts_with('0') && trimmed[1..].trim_start().starts_with("SECTION") {
        Some(("image/vnd.dxf", "dxf"))
    } else {
        None
    }
}

/// Checks a file and returns its hash (lower-case hex) and media type.
pub fn check(bytes: &[u8]) -> Result<(String, &'static str), Refused> {
    if bytes.is_empty() {
        return Err(Refused::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(Refused::TooLarge);
    }
    let (media_type, _) = kind_of(bytes).ok_or(Refused::Kind)?;
    let hash = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    Ok((hash, media_type))
}

/// Where a file with this hash lives; `None` for anything but a hash.
pub fn path_of(root: &Path, sha256: &str) -> Option<PathBuf> {
    let is_hash = sha256.len() == 64 && sha256.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'));
    is_hash.then(|| root.join(&sha256[..2]).join(sha256))
}

/// Stores the bytes under their hash (once: the same file twice is one copy).
pub fn store(root: &Path, sha256: &str, bytes: &[u8]) -> std::io::Result<()> {
    let path = path_of(root, sha256).ok_or_else(|| std::io::Error::other("not a hash"))?;
    if path.exists() {
        return Ok(());
    }
    let dir = path.parent().unwrap_or(root);
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!("{sha256}.part"));
    std::fs::write(&tmp, bytes)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, &path)
}

/// A user's file name made safe to create in a folder: the last part only,
/// without characters Windows or Linux refuse, and never empty or hidden.
pub fn safe_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| {
            if c.is_control() || r#"<>:"|?*"#.contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        "file".into()
    } else {
        cleaned.chars().take(150).collect()
    }
}

/// (base, extension) of a safe name, the extension from the file's kind.
pub fn copy_name(name: &str, ext: &str) -> (String, String) {
    let safe = safe_name(name);
    let base = match safe.rsplit_once('.') {
        Some((base, e))
            if e.eq_ignore_ascii_case(ext) || matches!((ext, e), ("jpg", "jpeg") | ("tif", "tiff")) =>
        {
            base.to_owned()
        }
        _ => safe,
    };
    (if base.is_empty() { "file".into() } else { base }, ext.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_content_not_names() {
        assert_eq!(kind_of(b"%PDF-1.7\n...").unwrap().0, "application/pdf");
        assert_eq!(
            kind_of(b"  0\r\nSECTION\r\n  2\r\nHEADER").unwrap().0,
            "image/vnd.dxf"
        );
        assert_eq!(kind_of(b"ISO-10303-21;\nHEADER;").unwrap().1, "step");
        assert_eq!(kind_of(b"AC1032\0\0").unwrap().1, "dwg");
        assert_eq!(kind_of(b"MZ\x90\0 an executable"), None);
        assert_eq!(check(b""), Err(Refused::Empty));
        assert_eq!(check(&vec![b'%'; MAX_BYTES + 1]), Err(Refused::TooLarge));
        assert_eq!(check(b"#!/bin/sh\nrm -rf /"), Err(Refused::Kind));
        let (hash, media) = check(b"%PDF-1.4 drawing").unwrap();
        assert_eq!((hash.len(), media), (64, "application/pdf"));
    }

    #[test]
    fn names_never_become_paths() {
        let root = Path::new("/data/attachments");
        assert_eq!(path_of(root, "../../etc/passwd"), None);
        assert_eq!(path_of(root, &"A".repeat(64)), None, "lower-case hex only");
        let h = "0f".repeat(32);
        assert_eq!(path_of(root, &h).unwrap(), root.join("0f").join(&h));
        assert_eq!(safe_name("..\\..\\Windows\\system.ini"), "system.ini");
        assert_eq!(safe_name("/etc/.."), "file");
        assert_eq!(safe_name("도면:A*1?.pdf"), "도면_A_1_.pdf");
        assert_eq!(safe_name(".bashrc"), "bashrc");
        assert_eq!(
            copy_name("BRK-1 rev.B.pdf", "pdf"),
            ("BRK-1 rev.B".into(), "pdf".into())
        );
        assert_eq!(copy_name("drawing", "dxf"), ("drawing".into(), "dxf".into()));
        assert_eq!(copy_name("rev.B", "dxf"), ("rev.B".into(), "dxf".into()));
    }

    #[test]
    fn the_same_file_is_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let (hash, _) = check(b"%PDF-1.4 one").unwrap();
        store(dir.path(), &hash, b"%PDF-1.4 one").unwrap();
        store(dir.path(), &hash, b"%PDF-1.4 one").unwrap();
        let path = path_of(dir.path(), &hash).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"%PDF-1.4 one");
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }
}
