//! The type space of a fair lottery instance.

/// A fair-lottery instance in type space: `k` seats, types with their sizes and their value in
/// each constrained category, and per (category, value) the least and most seats.
///
/// Categories are numbered `0..categories()`, the values of category `j` `0..values(j)`; types
/// `0..types()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeSpace {
    /// Seats to fill.
    k: u32,
    /// Number of values of each category.
    values: Vec<u32>,
    /// Where category `j`'s values start in `min` and `max`.
    offsets: Vec<usize>,
    /// Per type, its value in each category: `type_values[t * categories + j]`.
    type_values: Vec<u32>,
    /// Members of each type.
    sizes: Vec<u32>,
    /// Least seats per (category, value), at `offsets[j] + v`.
    min: Vec<u32>,
    /// Most seats per (category, value), at `offsets[j] + v`.
    max: Vec<u32>,
}

impl TypeSpace {
    /// An instance: `k` seats; `values[j]` values in category `j`; each type given by its
    /// size and its value in every category (`type_values[t]` has one entry per category);
    /// `bounds[j][v] = (min, max)` seats for value `v` of category `j`.
    ///
    /// # Panics
    ///
    /// If the lengths do not agree, a type's value is out of range, or a type is empty.
    pub fn new(
        k: u32,
        values: Vec<u32>,
        types: &[(u32, Vec<u32>)],
        bounds: &[Vec<(u32, u32)>],
    ) -> Self {
        let categories = values.len();
        assert_eq!(bounds.len(), categories, "one bound list per category");
        let mut offsets = Vec::with_capacity(categories);
        let mut min = Vec::new();
        let mut max = Vec::new();
        for (j, list) in bounds.iter().enumerate() {
            assert_eq!(
                list.len(),
                values[j] as usize,
                "one bound per value of category {j}"
            );
            offsets.push(min.len());
            for &(lo, hi) in list {
                min.push(lo);
                max.push(hi);
            }
        }
        let mut type_values = Vec::with_capacity(types.len() * categories);
        let mut sizes = Vec::with_capacity(types.len());
        for (size, vals) in types {
            assert!(*size > 0, "a type has members");
            assert_eq!(vals.len(), categories, "a value per category");
            for (j, &v) in vals.iter().enumerate() {
                assert!(v < values[j], "value {v} of category {j} out of range");
            }
            type_values.extend_from_slice(vals);
            sizes.push(*size);
        }
        TypeSpace {
            k,
            values,
            offsets,
            type_values,
            sizes,
            min,
            max,
        }
    }

    /// Seats to fill.
    pub fn k(&self) -> u32 {
        self.k
    }

    /// Number of constrained categories.
    pub fn categories(&self) -> usize {
        self.values.len()
    }

    /// Number of values of category `j`.
    pub fn values(&self, j: usize) -> u32 {
        self.values[j]
    }

    /// Number of types.
    pub fn types(&self) -> usize {
        self.sizes.len()
    }

    /// Members of type `t`.
    pub fn size(&self, t: usize) -> u32 {
        self.sizes[t]
    }

    /// Type `t`'s value in category `j`.
    pub fn value_of(&self, t: usize, j: usize) -> u32 {
        self.type_values[t * self.categories() + j]
    }

    /// Least seats for value `v` of category `j`.
    pub fn min(&self, j: usize, v: u32) -> u32 {
        self.min[self.offsets[j] + v as usize]
    }

    /// Most seats for value `v` of category `j`.
    pub fn max(&self, j: usize, v: u32) -> u32 {
        self.max[self.offsets[j] + v as usize]
    }

    /// Whether the type counts `counts` (one per type) form a quota-feasible panel.
    pub fn is_feasible(&self, counts: &[u32]) -> bool {
        if counts.len() != self.types()
            || counts.iter().zip(&self.sizes).any(|(c, m)| c > m)
            || counts.iter().map(|&c| u64::from(c)).sum::<u64>() != u64::from(self.k)
        {
            return false;
        }
        (0..self.categories()).all(|j| {
            let mut seats = vec![0u64; self.values[j] as usize];
            for (t, &c) in counts.iter().enumerate() {
                seats[self.value_of(t, j) as usize] += u64::from(c);
            }
            seats.iter().enumerate().all(|(v, &s)| {
                u64::from(self.min(j, v as u32)) <= s && s <= u64::from(self.max(j, v as u32))
            })
        })
    }
}
