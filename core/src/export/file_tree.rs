//! The exported repository as an ordered map of paths to bytes, and its zip form.
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
