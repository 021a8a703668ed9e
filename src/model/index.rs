//! A hash index from string keys (organisation ids, region names) to their positions in a
//! list, for the checks of a [`Roster`](super::Roster).
//!
//! Why not `std::collections::HashMap<Arc<str>, u32>`: its SipHash cost more than the rest of
//! the check on short ids, and each of its 24-byte entries holds a key pointer that a lookup
//! must follow. This index keeps no key at all: a slot is 4 bytes, the key's position in the
//! caller's list and, in the bits the position leaves free, a tag of the key's hash; the
//! caller lends the keys (`key_of`) when a tag matches, which for distinct keys is rare. At
//! 100 000 keys the table is 1 MiB, against about 3 MiB for the map. A whole list is inserted
//! a 4 KiB page of the table at a time ([`KeyIndex::insert_all`]), so that a table larger than
//! the caches is filled in order rather than at random. The hash is a folded 64×64→128-bit
//! multiply per 16 bytes of key (the construction of `foldhash` and `wyhash`), written here so
//! that the crate needs no new dependency.
//!
//! Why that is fine:
//!
//! - **Results never depend on the hash.** The index is only ever asked "where is this key?";
//!   it is never iterated, so no output, order or draw depends on a hash value or on the seed.
//! - **Ids come from the caller**, possibly from an untrusted document. A fixed hash would let
//!   a document choose ids that all collide and turn the linear check into a quadratic one, so
//!   each index draws its seed from the standard library's random hash keys ([`RandomState`]).
//!   This is the protection `foldhash` and `ahash` give: weaker than SipHash, a cryptographic
//!   keyed function, but a document cannot carry ids prepared to collide without knowing the
//!   seed, which never leaves the process.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

/// The most keys an index holds: 2³⁰ (its table, kept at most half full, then has 2³¹ slots,
/// and a slot's 32 bits hold position + 1).
pub(super) const MAX_KEYS: usize = 1 << 30;

/// Slots in a 4 KiB page of the table.
const PAGE_SLOTS: usize = 1024;

/// Open addressing with linear probing over a power-of-two table kept at most half full.
/// Positions are given in insertion order (0, 1, 2, …), as the caller's list numbers them.
#[derive(Clone)]
pub(super) struct KeyIndex {
    /// `tag | (position + 1)`, 0 for an empty slot. The low `shift` bits hold position + 1
    /// (at most half the table's size, so it fits), the others a tag: the same bits of the
    /// hash's high half.
    slots: Vec<u32>,
    /// log₂ of the table's size.
    shift: u32,
    len: u32,
    seed: u64,
    multiplier: u64,
}

impl std::fmt::Debug for KeyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyIndex")
            .field("len", &self.len)
            .field("slots", &self.slots.len())
            .finish_non_exhaustive()
    }
}

impl KeyIndex {
    /// An empty index with room for `capacity` keys (at most [`MAX_KEYS`]) before it grows.
    pub(super) fn with_capacity(capacity: usize) -> Self {
        let random = RandomState::new();
        let size = capacity.clamp(4, MAX_KEYS).next_power_of_two() * 2;
        KeyIndex {
            slots: vec![0; size],
            shift: size.trailing_zeros(),
            len: 0,
            seed: random.hash_one(0x6b65_795f_7365_6564_u64),
            // Odd, so that no key's bits are lost to the multiply's low half.
            multiplier: random.hash_one(0x6d75_6c74_6970_6c79_u64) | 1,
        }
    }

    /// Number of keys held: the position the next inserted key gets.
    pub(super) fn len(&self) -> usize {
        self.len as usize
    }

    /// The key's hash, for [`KeyIndex::get`] and [`KeyIndex::insert`]. Keys of up to 16 bytes
    /// (most ids and regions) take one folded multiply of two (overlapping) words; longer keys
    /// one per 16 bytes, then one of their last 16 bytes. The length is mixed in first.
    pub(super) fn hash(&self, key: &str) -> u64 {
        let bytes = key.as_bytes();
        let len = bytes.len();
        let state = self.seed ^ len as u64;
        if len <= 16 {
            let (a, b) = if len >= 8 {
                (first_word(bytes), last_word(bytes))
            } else if len >= 4 {
                (first_half_word(bytes), last_half_word(bytes))
            } else if let Some(&last) = bytes.last() {
                let byte = |i: usize| u64::from(bytes[i]);
                (byte(0) | byte(len / 2) << 8 | u64::from(last) << 16, 0)
            } else {
                (0, 0)
            };
            return folded_multiply(a ^ state, b ^ self.multiplier);
        }
        let mut state = state;
        let (blocks, _) = bytes.as_chunks::<16>();
        for block in blocks {
            state = folded_multiply(
                first_word(block) ^ state,
                last_word(block) ^ self.multiplier,
            );
        }
        let tail = bytes.last_chunk::<16>().unwrap_or(&[0; 16]);
        folded_multiply(
            first_word(tail) ^ state,
            last_word(tail) ^ self.multiplier ^ FINAL,
        )
    }

    /// The position of `key`, whose hash is `hash`; `key_of(p)` is the key at position `p`.
    pub(super) fn get<'k>(
        &self,
        hash: u64,
        key: &str,
        key_of: impl Fn(u32) -> &'k str,
    ) -> Option<u32> {
        self.find(hash, key, &key_of).ok()
    }

    /// Inserts `key` (whose hash is `hash`) at the next position, [`KeyIndex::len`], and
    /// returns `Ok` with it; or, when the index holds the key already, returns `Err` with its
    /// position. `key_of(p)` is the key at position `p`, for every position inserted before.
    /// The index must hold fewer than [`MAX_KEYS`] keys.
    pub(super) fn insert<'k>(
        &mut self,
        hash: u64,
        key: &str,
        key_of: impl Fn(u32) -> &'k str,
    ) -> Result<u32, u32> {
        debug_assert!(self.len() < MAX_KEYS);
        let mut slot = match self.find(hash, key, &key_of) {
            Ok(held) => return Err(held),
            Err(slot) => slot,
        };
        if 2 * (self.len() + 1) > self.slots.len() {
            self.grow(&key_of);
            slot = self.empty_slot(hash);
        }
        let position = self.len;
        self.slots[slot] = self.tag(hash) | (position + 1);
        self.len += 1;
        Ok(position)
    }

    /// Fills an empty index with keys `0..hashes.len()` (`hashes[p]` is the hash of key `p`,
    /// `key_of(p)` the key), a 4 KiB page of the table at a time: the keys are first grouped,
    /// stably, by the page where their probes start, so that a large table is filled from the
    /// cache rather than from memory at random. Returns the first repeat in list order (the
    /// smallest position whose key is also at a smaller position), which is not inserted.
    /// There must be at most [`MAX_KEYS`] keys.
    pub(super) fn insert_all<'k>(
        &mut self,
        hashes: &[u64],
        key_of: impl Fn(u32) -> &'k str,
    ) -> Option<u32> {
        debug_assert!(self.len == 0 && hashes.len() <= MAX_KEYS);
        if 2 * hashes.len() > self.slots.len() {
            // Larger, with the same seed (the hashes were made with it).
            let resized = KeyIndex::with_capacity(hashes.len());
            self.slots = resized.slots;
            self.shift = resized.shift;
        }
        let mask = self.slots.len() - 1;
        let page_shift = PAGE_SLOTS.trailing_zeros().min(self.shift);
        let pages = self.slots.len() >> page_shift;
        let page = |hash: u64| (hash as usize & mask) >> page_shift;
        // A counting sort by page.
        let mut starts = vec![0u32; pages + 1];
        for &hash in hashes {
            starts[page(hash) + 1] += 1;
        }
        for i in 1..=pages {
            starts[i] += starts[i - 1];
        }
        let mut grouped = vec![(0u64, 0u32); hashes.len()];
        for (position, &hash) in hashes.iter().enumerate() {
            let at = &mut starts[page(hash)];
            grouped[*at as usize] = (hash, position as u32);
            *at += 1;
        }
        let mut first_repeat: Option<u32> = None;
        for (hash, position) in grouped {
            match self.find_by(hash, |held| key_of(held) == key_of(position)) {
                // Within a page keys come in list order, so `position` is the later one.
                Ok(_) => first_repeat = Some(first_repeat.map_or(position, |r| r.min(position))),
                Err(slot) => {
                    self.slots[slot] = self.tag(hash) | (position + 1);
                    self.len += 1;
                }
            }
        }
        first_repeat
    }

    /// `Ok(position)` when `key` is held, else `Err(slot)`: the empty slot where it belongs.
    fn find<'k>(
        &self,
        hash: u64,
        key: &str,
        key_of: &impl Fn(u32) -> &'k str,
    ) -> Result<u32, usize> {
        self.find_by(hash, |held| key_of(held) == key)
    }

    /// `Ok(position)` of the held key for which `is_key(position)` is true, else `Err(slot)`:
    /// the empty slot where the key belongs. `is_key` is only asked when the tag matches.
    fn find_by(&self, hash: u64, is_key: impl Fn(u32) -> bool) -> Result<u32, usize> {
        let mask = self.slots.len() - 1;
        let tag = self.tag(hash);
        let low = self.low_mask();
        let mut slot = hash as usize & mask;
        loop {
            let entry = self.slots[slot];
            if entry == 0 {
                return Err(slot);
            }
            if entry & !low == tag {
                let position = (entry & low) - 1;
                if is_key(position) {
                    return Ok(position);
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    /// The bits of a slot that hold position + 1.
    fn low_mask(&self) -> u32 {
        ((1u64 << self.shift) - 1) as u32
    }

    /// The tag of `hash`: the bits of its high half above the position's.
    fn tag(&self, hash: u64) -> u32 {
        (hash >> 32) as u32 & !self.low_mask()
    }

    /// Doubles the table and puts every key back.
    fn grow<'k>(&mut self, key_of: &impl Fn(u32) -> &'k str) {
        let doubled = vec![0; 2 * self.slots.len()];
        let old = std::mem::replace(&mut self.slots, doubled);
        let old_low = self.low_mask();
        self.shift += 1;
        for entry in old.into_iter().filter(|&e| e != 0) {
            let position = (entry & old_low) - 1;
            let hash = self.hash(key_of(position));
            let slot = self.empty_slot(hash);
            self.slots[slot] = self.tag(hash) | (position + 1);
        }
    }

    /// The first empty slot on `hash`'s probe sequence.
    fn empty_slot(&self, hash: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut slot = hash as usize & mask;
        while self.slots[slot] != 0 {
            slot = (slot + 1) & mask;
        }
        slot
    }
}

/// Mixed into the multiplier of the last step, so that it differs from the others.
const FINAL: u64 = 0x2d35_8dcc_aa6c_78a5;

/// The first 8 bytes of `bytes` (at least 8), little-endian.
fn first_word(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(*bytes.first_chunk::<8>().unwrap_or(&[0; 8]))
}

/// The last 8 bytes of `bytes` (at least 8), little-endian.
fn last_word(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(*bytes.last_chunk::<8>().unwrap_or(&[0; 8]))
}

/// The first 4 bytes of `bytes` (at least 4), little-endian.
fn first_half_word(bytes: &[u8]) -> u64 {
    u64::from(u32::from_le_bytes(
        *bytes.first_chunk::<4>().unwrap_or(&[0; 4]),
    ))
}

/// The last 4 bytes of `bytes` (at least 4), little-endian, in the high half.
fn last_half_word(bytes: &[u8]) -> u64 {
    u64::from(u32::from_le_bytes(
        *bytes.last_chunk::<4>().unwrap_or(&[0; 4]),
    )) << 32
}

/// The 128-bit product of `x` and `y`, its two halves xored: every bit of the result depends
/// on every bit of both.
fn folded_multiply(x: u64, y: u64) -> u64 {
    let product = u128::from(x) * u128::from(y);
    (product as u64) ^ ((product >> 64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insert_all<'k>(index: &mut KeyIndex, keys: &'k [&'k str]) {
        for (i, key) in keys.iter().enumerate() {
            let hash = index.hash(key);
            assert_eq!(index.insert(hash, key, |p| keys[p as usize]), Ok(i as u32));
        }
    }

    #[test]
    fn finds_what_it_holds_and_reports_repeats() {
        let owned: Vec<String> = (0..1000).map(|i| format!("org-{i}")).collect();
        let keys: Vec<&str> = owned.iter().map(String::as_str).collect();
        // A small start, so that the table grows several times.
        let mut index = KeyIndex::with_capacity(1);
        insert_all(&mut index, &keys);
        assert_eq!(index.len(), 1000);
        for (i, key) in keys.iter().enumerate() {
            let hash = index.hash(key);
            assert_eq!(index.get(hash, key, |p| keys[p as usize]), Some(i as u32));
            assert_eq!(index.insert(hash, key, |p| keys[p as usize]), Err(i as u32));
        }
        assert_eq!(index.len(), 1000);
        for missing in ["", "org-", "org-1000", "org-00", "Org-1", "org-1\0"] {
            let hash = index.hash(missing);
            assert_eq!(
                index.get(hash, missing, |p| keys[p as usize]),
                None,
                "{missing:?}"
            );
        }
    }

    #[test]
    fn keys_that_differ_only_in_length_or_tail_differ() {
        let keys = [
            "",
            "\0",
            "\0\0",
            "abcdefgh",
            "abcdefgh\0",
            "abcdefghi",
            "é",
            "e",
        ];
        let mut index = KeyIndex::with_capacity(keys.len());
        insert_all(&mut index, &keys);
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(
                index.get(index.hash(key), key, |p| keys[p as usize]),
                Some(i as u32)
            );
        }
    }

    #[test]
    fn insert_all_finds_what_insert_finds() {
        let owned: Vec<String> = (0..5000).map(|i| format!("org-{}", i % 4000)).collect();
        let keys: Vec<&str> = owned.iter().map(String::as_str).collect();
        let mut index = KeyIndex::with_capacity(0);
        let hashes: Vec<u64> = keys.iter().map(|k| index.hash(k)).collect();
        // Keys 4000.. repeat keys 0..; the first repeat in list order is 4000.
        assert_eq!(index.insert_all(&hashes, |p| keys[p as usize]), Some(4000));
        assert_eq!(index.len(), 4000);
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(
                index.get(index.hash(key), key, |p| keys[p as usize]),
                Some(i as u32 % 4000)
            );
        }
        let mut index = KeyIndex::with_capacity(4000);
        let hashes: Vec<u64> = keys[..4000].iter().map(|k| index.hash(k)).collect();
        assert_eq!(index.insert_all(&hashes, |p| keys[p as usize]), None);
        assert_eq!(index.len(), 4000);
        // Repeats far apart in the list and in a small table.
        let keys = ["b", "a", "c", "d", "a", "c"];
        let mut index = KeyIndex::with_capacity(keys.len());
        let hashes: Vec<u64> = keys.iter().map(|k| index.hash(k)).collect();
        assert_eq!(index.insert_all(&hashes, |p| keys[p as usize]), Some(4));
    }

    #[test]
    fn similar_keys_spread_over_the_table() {
        // Ids that differ in a digit or two, as generated ids do, must not pile up: linear
        // probing at most half full keeps every key a few slots from where it hashes.
        let owned: Vec<String> = (0..100_000).map(|i| format!("org-{i}")).collect();
        let mut index = KeyIndex::with_capacity(owned.len());
        let hashes: Vec<u64> = owned.iter().map(|k| index.hash(k)).collect();
        assert_eq!(index.insert_all(&hashes, |p| &owned[p as usize]), None);
        let mask = index.slots.len() - 1;
        let low = index.low_mask();
        let (mut total, mut longest) = (0, 0);
        for (slot, &entry) in index.slots.iter().enumerate().filter(|(_, e)| **e != 0) {
            let position = (entry & low) - 1;
            let distance = slot.wrapping_sub(hashes[position as usize] as usize) & mask;
            total += distance;
            longest = longest.max(distance);
        }
        assert!(total < owned.len(), "mean distance {}", total as f64 / 1e5);
        assert!(longest < 64, "longest distance {longest}");
    }

    #[test]
    fn the_table_stays_at_most_half_full() {
        for capacity in [0, 1, 4, 5, 100, 100_000] {
            let index = KeyIndex::with_capacity(capacity);
            assert!(index.slots.len() >= 2 * capacity, "{capacity}");
            assert!(index.slots.len().is_power_of_two());
        }
    }
}
