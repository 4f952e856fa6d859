//! The exported repository as an ordered map of paths to bytes, and its zip form (written, and read
//! back with limits against zip bombs).
//!
//! Determinism is the point of this type: paths are sorted (a `BTreeMap`), the zip writes entries in
//! that order with one fixed timestamp and fixed permissions, so the same tree always gives the same
//! bytes and a pull request shows only real changes.

use std::collections::BTreeMap;
use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// Files of an export: `/`-separated relative paths (no leading `/`, no `..`) to their contents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileTree {
    files: BTreeMap<String, Vec<u8>>,
}

impl FileTree {
    /// An empty tree.
    pub fn new() -> FileTree {
        FileTree::default()
    }

    /// Adds (or replaces) a file.
    pub fn insert(&mut self, path: impl Into<String>, contents: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), contents.into());
    }

    /// The contents of a file, if present.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// The contents of a file as text, if present and valid UTF-8.
    pub fn get_str(&self, path: &str) -> Option<&str> {
        self.get(path)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
    }

    /// Every file in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files
            .iter()
            .map(|(path, bytes)| (path.as_str(), bytes.as_slice()))
    }

    /// Every path in order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// No file at all.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Why a tree could not be zipped (only an I/O failure of the in-memory writer, in practice).
#[derive(Debug, thiserror::Error)]
#[error("cannot write the zip archive: {0}")]
pub struct ZipError(#[from] zip::result::ZipError);

/// The tree as a zip archive: entries in path order, deflated, all dated 1980-01-01 00:00:00 (the
/// zip epoch) with mode 0644, so that the bytes depend on the contents only.
pub fn to_zip(tree: &FileTree) -> Result<Vec<u8>, ZipError> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(DateTime::default())
        .system(zip::System::Unix)
        .unix_permissions(0o644);
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (path, bytes) in tree.iter() {
        writer.start_file(path, options)?;
        writer.write_all(bytes).map_err(zip::result::ZipError::Io)?;
    }
    Ok(writer.finish()?.into_inner())
}

/// The most a zip may expand to, and the most files it may hold: a repository of network policies is
/// far smaller, and a zip bomb must not exhaust memory.
const MAX_UNZIPPED_BYTES: u64 = 256 * 1024 * 1024;
const MAX_FILES: usize = 20_000;

/// The files of a zip archive. A single top folder holding everything is kept (see
/// [`super::read::read`], which strips it); directories, absolute paths and `..` are refused.
pub fn unzip(bytes: &[u8]) -> Result<FileTree, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable zip archive: {e}"))?;
    if archive.len() > MAX_FILES {
        return Err(format!(
            "the archive holds {} entries; at most {MAX_FILES} are read",
            archive.len()
        ));
    }
    let mut tree = FileTree::new();
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut file = archive
            .by_index(i)
            .map_err(|e| format!("cannot read entry {i} of the archive: {e}"))?;
        if file.is_dir() {
            continue;
        }
        let name = file.name().unwrap_or_default().replace('\\', "/");
        if name.starts_with('/') || name.split('/').any(|part| part == "..") {
            return Err(format!("entry `{name}` points outside the archive"));
        }
        let mut contents = Vec::new();
        let limit = MAX_UNZIPPED_BYTES - total;
        let read = std::io::Read::read_to_end(
            &mut std::io::Read::take(&mut file, limit + 1),
            &mut contents,
        )
        .map_err(|e| format!("cannot read `{name}` in the archive: {e}"))?;
        total += read as u64;
        if total > MAX_UNZIPPED_BYTES {
            return Err(format!(
                "the archive expands to more than {} MiB",
                MAX_UNZIPPED_BYTES / (1024 * 1024)
            ));
        }
        tree.insert(name, contents);
    }
    Ok(tree)
}

/// A tree whose every file lies in one top folder (a zipped folder), moved up to the root.
pub(super) fn strip_single_top_folder(tree: FileTree) -> (FileTree, String) {
    let mut top: Option<String> = None;
    for path in tree.paths() {
        let Some((first, _)) = path.split_once('/') else {
            top = None;
            break;
        };
        match &top {
            None => top = Some(first.to_owned()),
            Some(t) if t == first => {}
            Some(_) => {
                top = None;
                break;
            }
        }
    }
    let Some(top) = top else {
        return (tree, String::new());
    };
    let prefix = format!("{top}/");
    let mut out = FileTree::new();
    for (path, bytes) in tree.iter() {
        out.insert(&path[prefix.len()..], bytes);
    }
    (out, prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> FileTree {
        let mut tree = FileTree::new();
        tree.insert("b/second.yaml", "kind: Tier\n");
        tree.insert("a.md", "# title\n");
        tree
    }

    #[test]
    fn paths_come_out_sorted() {
        assert_eq!(
            sample().paths().collect::<Vec<_>>(),
            ["a.md", "b/second.yaml"]
        );
    }

    #[test]
    fn zipping_twice_gives_identical_bytes() {
        let first = to_zip(&sample()).unwrap();
        let second = to_zip(&sample()).unwrap();
        assert_eq!(first, second);
        assert_eq!(&first[..4], b"PK\x03\x04");
    }

    #[test]
    fn the_zip_holds_every_file_in_order_with_the_fixed_date() {
        let bytes = to_zip(&sample()).unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), 2);
        let mut contents = String::new();
        let mut first = archive.by_index(0).unwrap();
        assert_eq!(first.name().unwrap(), "a.md");
        assert_eq!(first.last_modified(), Some(DateTime::default()));
        std::io::Read::read_to_string(&mut first, &mut contents).unwrap();
        assert_eq!(contents, "# title\n");
    }

    #[test]
    fn insertion_order_does_not_change_the_zip() {
        let mut reversed = FileTree::new();
        reversed.insert("a.md", "# title\n");
        reversed.insert("b/second.yaml", "kind: Tier\n");
        assert_eq!(to_zip(&reversed).unwrap(), to_zip(&sample()).unwrap());
    }
}
