//! What repeats in a flow log, recognised by its bytes: Felix writes the same label and policy
//! objects on every record of an endpoint or a flow.

/// The label and policy objects of earlier lines, byte for byte. Felix repeats them on every record of
/// an endpoint or a flow. If the text at the cursor starts with a cached object, that object is the
/// value there (the walk that found its end would stop at the same byte), so its extent is known
/// without walking it.
#[derive(Debug, Default)]
pub(crate) struct TextCache {
    /// By [`TextCache::key`].
    texts: rustc_hash::FxHashMap<u64, Vec<Box<[u8]>>>,
    bytes: usize,
}

impl TextCache {
    /// Bytes of the objects kept.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    /// Objects shorter than this are walked every time (they are quick to walk).
    const MIN_BYTES: usize = 48;
    /// At most this many bytes are kept: a file of ever-new objects stops filling it.
    const MAX_BYTES: usize = 4 << 20;

    fn key(text: &[u8]) -> Option<u64> {
        (text.len() >= Self::MIN_BYTES).then(|| fingerprint(text))
    }

    /// The length of the cached object `rest` starts with. Label and policy objects hold flat lists
    /// of strings, so their first `}` is usually their end: the one length looked up.
    pub(crate) fn known(&self, rest: &[u8]) -> Option<usize> {
        let len = memchr::memchr(b'}', rest)? + 1;
        let text = &rest[..len];
        self.texts
            .get(&Self::key(text)?)?
            .iter()
            .any(|cached| same_bytes(cached, text))
            .then_some(len)
    }

    pub(crate) fn remember(&mut self, text: &[u8]) {
        if self.bytes + text.len() > Self::MAX_BYTES {
            return;
        }
        if let Some(key) = Self::key(text) {
            self.bytes += text.len();
            self.texts.entry(key).or_default().push(text.into());
        }
    }
}

/// A hash of all of a text, eight bytes at a time with 64-bit arithmetic (Fx's step). A hash of a
/// few windows of it was tried: label lists of thousands of workloads differ only in a name or a
/// pod-template hash, and then collide by the hundred. `FxHasher::write` mixes with a 128-bit
/// multiply, which wasm32 emulates.
pub(crate) fn fingerprint(text: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |h: u64, word: u64| (h.rotate_left(5) ^ word).wrapping_mul(K);
    let mut words = text.chunks_exact(8);
    let mut h = step(0, text.len() as u64);
    for word in &mut words {
        h = step(h, u64::from_le_bytes(word.try_into().unwrap_or_default()));
    }
    let mut last = [0u8; 8];
    last[..words.remainder().len()].copy_from_slice(words.remainder());
    step(h, u64::from_le_bytes(last))
}

/// Whether two byte strings are equal, sixteen bytes at a time. Slice equality calls `memcmp`, which
/// in wasm is a byte loop: comparing the label and policy texts of every record that way was the
/// wasm import's largest cost.
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut a16, mut b16) = (a.chunks_exact(16), b.chunks_exact(16));
    let word = |c: &[u8]| u128::from_ne_bytes(c.try_into().unwrap_or_default());
    a16.by_ref()
        .zip(b16.by_ref())
        .all(|(x, y)| word(x) == word(y))
        && a16
            .remainder()
            .iter()
            .zip(b16.remainder())
            .all(|(x, y)| x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_see_every_byte_and_the_length() {
        let text: Vec<u8> = (0..70u8).collect();
        for len in 0..text.len() {
            let a = &text[..len];
            assert_ne!(fingerprint(a), fingerprint(&text[..len + 1]), "len {len}");
            for at in 0..len {
                let mut b = a.to_vec();
                b[at] ^= 0x40;
                assert_ne!(fingerprint(a), fingerprint(&b), "len {len} at {at}");
            }
        }
        assert_ne!(fingerprint(b"ab"), fingerprint(b"ab\0"));
    }

    #[test]
    fn same_bytes_is_slice_equality() {
        let text: Vec<u8> = (0..70u8).collect();
        for len in 0..text.len() {
            let a = &text[..len];
            assert!(same_bytes(a, a));
            assert!(!same_bytes(a, &text[..len + 1]));
            for at in 0..len {
                let mut b = a.to_vec();
                b[at] ^= 1;
                assert!(!same_bytes(a, &b), "len {len} at {at}");
            }
        }
    }
}
