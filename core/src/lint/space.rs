//! A finite flow space and boxes in it, for exact shadowing.
//!
//! One side of one connection, as a rule sees it, is a point of five dimensions: the local endpoint
//! (an index into the design's endpoints), the peer (an index into the peer classes: workloads and
//! regions of address space), the IP protocol (0–255), the source port and the destination port. A
//! rule's match set is a union of [`FlowBox`]es (products of one set per dimension); set difference
//! of boxes is exact, so "is every flow of this rule decided earlier?" is "is the difference empty?".

use std::rc::Rc;

/// A set of small integers (endpoint or peer indices, protocol numbers).
///
/// The words are shared: boxes are cloned and cut far more often than their sets change (a box
/// difference copies five of six dimensions into each piece), so a clone is a reference count, not a
/// copy of a few hundred bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bits {
    words: Rc<[u64]>,
}

impl Bits {
    /// The empty set over `0..len`.
    pub fn empty(len: usize) -> Bits {
        Bits {
            words: std::iter::repeat_n(0, len.div_ceil(64)).collect(),
        }
    }

    /// `0..len`.
    pub fn full(len: usize) -> Bits {
        Bits {
            words: std::iter::repeat_n(u64::MAX, len.div_ceil(64)).collect(),
        }
        .truncated(len)
    }

    /// The members below `len`, as a set over `0..len`.
    pub fn truncated(&self, len: usize) -> Bits {
        let mut words: Vec<u64> = self.words.iter().take(len.div_ceil(64)).copied().collect();
        words.resize(len.div_ceil(64), 0);
        if !len.is_multiple_of(64)
            && let Some(last) = words.last_mut()
        {
            *last &= (1u64 << (len % 64)) - 1;
        }
        Bits {
            words: words.into(),
        }
    }

    pub fn insert(&mut self, i: usize) {
        if let Some(w) = Rc::make_mut(&mut self.words).get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    pub fn contains(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    pub fn and(&self, other: &Bits) -> Bits {
        Bits {
            words: self
                .words
                .iter()
                .zip(other.words.iter())
                .map(|(a, b)| a & b)
                .collect(),
        }
    }

    pub fn or(&self, other: &Bits) -> Bits {
        Bits {
            words: self
                .words
                .iter()
                .zip(other.words.iter())
                .map(|(a, b)| a | b)
                .collect(),
        }
    }

    pub fn minus(&self, other: &Bits) -> Bits {
        Bits {
            words: self
                .words
                .iter()
                .zip(other.words.iter())
                .map(|(a, b)| a & !b)
                .collect(),
        }
    }

    pub fn intersects(&self, other: &Bits) -> bool {
        self.words
            .iter()
            .zip(other.words.iter())
            .any(|(a, b)| a & b != 0)
    }

    /// Whether every member is in `other` (`self.minus(other).is_empty()`, without building it).
    pub fn is_subset(&self, other: &Bits) -> bool {
        self.words
            .iter()
            .zip(other.words.iter())
            .all(|(a, b)| a & !b == 0)
    }

    /// Adds every member of `range` (clipped to the set's words).
    pub fn insert_range(&mut self, range: std::ops::Range<usize>) {
        let words = Rc::make_mut(&mut self.words);
        for i in range {
            if let Some(w) = words.get_mut(i / 64) {
                *w |= 1 << (i % 64);
            }
        }
    }

    /// The members, ascending (a word at a time: the lowest set bit, then clear it).
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let bit = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    w * 64 + bit
                })
            })
        })
    }
}

/// A set of ports: sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ports {
    ranges: Vec<(u16, u16)>,
}

impl Ports {
    pub fn empty() -> Ports {
        Ports { ranges: Vec::new() }
    }

    pub fn full() -> Ports {
        Ports {
            ranges: vec![(0, u16::MAX)],
        }
    }

    /// The union of the ranges, in any order.
    pub fn from_ranges(mut ranges: Vec<(u16, u16)>) -> Ports {
        ranges.sort_unstable();
        let mut out: Vec<(u16, u16)> = Vec::with_capacity(ranges.len());
        for (lo, hi) in ranges {
            match out.last_mut() {
                Some(last) if u32::from(lo) <= u32::from(last.1) + 1 => last.1 = last.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
        Ports { ranges: out }
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn and(&self, other: &Ports) -> Ports {
        let mut out = Vec::new();
        for &(a, b) in &self.ranges {
            for &(c, d) in &other.ranges {
                let (lo, hi) = (a.max(c), b.min(d));
                if lo <= hi {
                    out.push((lo, hi));
                }
            }
        }
        Ports::from_ranges(out)
    }

    pub fn complement(&self) -> Ports {
        let mut out = Vec::new();
        let mut next: u32 = 0;
        for &(lo, hi) in &self.ranges {
            if u32::from(lo) > next {
                out.push((next as u16, lo - 1));
            }
            next = u32::from(hi) + 1;
        }
        if next <= u32::from(u16::MAX) {
            out.push((next as u16, u16::MAX));
        }
        Ports { ranges: out }
    }

    pub fn minus(&self, other: &Ports) -> Ports {
        self.and(&other.complement())
    }

    /// Whether some port is in both (a merge of the sorted ranges, without building the intersection).
    pub fn intersects(&self, other: &Ports) -> bool {
        let (mut i, mut j) = (0, 0);
        while let (Some(&(alo, ahi)), Some(&(blo, bhi))) = (self.ranges.get(i), other.ranges.get(j))
        {
            if alo.max(blo) <= ahi.min(bhi) {
                return true;
            }
            if ahi < bhi {
                i += 1;
            } else {
                j += 1;
            }
        }
        false
    }
}

/// A product of one set per dimension.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FlowBox {
    pub local: Bits,
    /// The peer's identity: a workload whose address is unknown, or none (see `match_space`).
    pub peer: Bits,
    /// The peer's address: a region of address space.
    pub addr: Bits,
    /// Protocol numbers (256 bits).
    pub proto: Bits,
    pub src_port: Ports,
    pub dst_port: Ports,
}

impl FlowBox {
    /// Every flow of a space with `locals` endpoints, `peers` identities and `addrs` addresses.
    #[cfg(test)]
    pub fn full(locals: usize, peers: usize, addrs: usize) -> FlowBox {
        FlowBox {
            local: Bits::full(locals),
            peer: Bits::full(peers),
            addr: Bits::full(addrs),
            proto: Bits::full(256),
            src_port: Ports::full(),
            dst_port: Ports::full(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.local.is_empty()
            || self.peer.is_empty()
            || self.addr.is_empty()
            || self.proto.is_empty()
            || self.src_port.is_empty()
            || self.dst_port.is_empty()
    }

    pub fn intersects(&self, other: &FlowBox) -> bool {
        self.local.intersects(&other.local)
            && self.peer.intersects(&other.peer)
            && self.addr.intersects(&other.addr)
            && self.proto.intersects(&other.proto)
            && self.src_port.intersects(&other.src_port)
            && self.dst_port.intersects(&other.dst_port)
    }

    pub fn and(&self, other: &FlowBox) -> FlowBox {
        FlowBox {
            local: self.local.and(&other.local),
            peer: self.peer.and(&other.peer),
            addr: self.addr.and(&other.addr),
            proto: self.proto.and(&other.proto),
            src_port: self.src_port.and(&other.src_port),
            dst_port: self.dst_port.and(&other.dst_port),
        }
    }

    /// `self ∖ other` as disjoint boxes (at most six).
    #[cfg(test)]
    pub fn minus(&self, other: &FlowBox) -> Vec<FlowBox> {
        if !self.intersects(other) {
            return vec![self.clone()];
        }
        self.minus_intersecting(other)
    }

    /// [`FlowBox::minus`] of a box known to intersect `self`.
    fn minus_intersecting(&self, other: &FlowBox) -> Vec<FlowBox> {
        let mut out = Vec::new();
        let mut rest = self.clone();
        let local = rest.local.minus(&other.local);
        if !local.is_empty() {
            out.push(FlowBox {
                local,
                ..rest.clone()
            });
        }
        rest.local = rest.local.and(&other.local);
        let peer = rest.peer.minus(&other.peer);
        if !peer.is_empty() {
            out.push(FlowBox {
                peer,
                ..rest.clone()
            });
        }
        rest.peer = rest.peer.and(&other.peer);
        let addr = rest.addr.minus(&other.addr);
        if !addr.is_empty() {
            out.push(FlowBox {
                addr,
                ..rest.clone()
            });
        }
        rest.addr = rest.addr.and(&other.addr);
        let proto = rest.proto.minus(&other.proto);
        if !proto.is_empty() {
            out.push(FlowBox {
                proto,
                ..rest.clone()
            });
        }
        rest.proto = rest.proto.and(&other.proto);
        let src_port = rest.src_port.minus(&other.src_port);
        if !src_port.is_empty() {
            out.push(FlowBox {
                src_port,
                ..rest.clone()
            });
        }
        rest.src_port = rest.src_port.and(&other.src_port);
        let dst_port = rest.dst_port.minus(&other.dst_port);
        if !dst_port.is_empty() {
            out.push(FlowBox { dst_port, ..rest });
        }
        out
    }
}

/// A union of boxes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Region {
    pub boxes: Vec<FlowBox>,
}

/// Past this many boxes a difference is abandoned (the caller treats the result as non-empty, which
/// errs on the side of reporting nothing).
pub const MAX_BOXES: usize = 4096;

impl Region {
    pub fn new(boxes: Vec<FlowBox>) -> Region {
        Region {
            boxes: boxes.into_iter().filter(|b| !b.is_empty()).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.boxes.is_empty()
    }

    pub fn intersects(&self, other: &Region) -> bool {
        self.boxes
            .iter()
            .any(|a| other.boxes.iter().any(|b| a.intersects(b)))
    }

    /// The part inside `other`.
    pub fn and(&self, other: &Region) -> Region {
        let mut out = Vec::new();
        for a in &self.boxes {
            for b in &other.boxes {
                if a.intersects(b) {
                    out.push(a.and(b));
                }
            }
        }
        Region { boxes: out }
    }

    /// Removes `other`; returns false when the result grew past [`MAX_BOXES`] (then `self` is left
    /// over-approximated, never under-approximated).
    pub fn subtract(&mut self, other: &Region) -> bool {
        for b in &other.boxes {
            if !self.boxes.iter().any(|a| a.intersects(b)) {
                continue;
            }
            // Boxes `b` misses move over as they are; only those it cuts are split.
            let mut next = Vec::with_capacity(self.boxes.len());
            let mut rest = std::mem::take(&mut self.boxes).into_iter();
            while let Some(a) = rest.next() {
                if a.intersects(b) {
                    next.extend(a.minus_intersecting(b));
                } else {
                    next.push(a);
                }
                if next.len() > MAX_BOXES {
                    // What is done and what is left: still a superset of the difference.
                    next.extend(rest);
                    self.boxes = next;
                    return false;
                }
            }
            self.boxes = next;
        }
        true
    }

    /// Restricts the local dimension.
    pub fn restrict_local(&self, locals: &Bits) -> Region {
        Region::new(
            self.boxes
                .iter()
                .map(|b| FlowBox {
                    local: b.local.and(locals),
                    ..b.clone()
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_members_ranges_and_subsets() {
        let mut a = Bits::empty(200);
        a.insert_range(62..66);
        a.insert(199);
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![62, 63, 64, 65, 199]);
        let mut b = a.clone();
        b.insert(0);
        // A clone shares its words until one side changes: the change is the clone's alone.
        assert!(!a.contains(0) && b.contains(0));
        assert!(a.is_subset(&b) && !b.is_subset(&a));
        assert_eq!(a.is_subset(&b), a.minus(&b).is_empty());
        assert!(Bits::empty(200).is_subset(&a));
    }

    #[test]
    fn ports_complement_and_difference() {
        let p = Ports::from_ranges(vec![(80, 80), (443, 443), (81, 90)]);
        assert_eq!(p.ranges, vec![(80, 90), (443, 443)]);
        assert_eq!(p.complement().complement(), p);
        assert!(Ports::full().minus(&Ports::full()).is_empty());
        assert_eq!(Ports::full().minus(&p).and(&p), Ports::empty());
    }

    #[test]
    fn box_difference_is_exact() {
        let a = FlowBox::full(3, 4, 2);
        let mut b = FlowBox::full(3, 4, 2);
        b.dst_port = Ports::from_ranges(vec![(0, 100)]);
        b.local = Bits::empty(3);
        b.local.insert(1);
        let pieces = a.minus(&b);
        assert!(pieces.iter().all(|p| !p.intersects(&b)));
        let mut region = Region::new(vec![a]);
        assert!(region.subtract(&Region::new(vec![b])));
        let mut rest = FlowBox::full(3, 4, 2);
        rest.local = Bits::empty(3);
        rest.local.insert(1);
        rest.dst_port = Ports::from_ranges(vec![(101, u16::MAX)]);
        let mut full_cover = region.clone();
        assert!(full_cover.subtract(&Region::new(vec![rest])));
        let mut others = FlowBox::full(3, 4, 2);
        others.local.minus(&Bits::empty(3));
        let mut zero_two = Bits::empty(3);
        zero_two.insert(0);
        zero_two.insert(2);
        others.local = zero_two;
        assert!(full_cover.subtract(&Region::new(vec![others])));
        assert!(full_cover.is_empty());
    }
}
