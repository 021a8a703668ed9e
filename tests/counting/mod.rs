//! A counting global allocator for the tests that prove a hot path allocates nothing: each
//! integration test that declares `mod counting;` gets it as its global allocator, and counts
//! the allocations its own test thread makes inside [`allocations_in`].

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    /// Whether this thread's allocations are counted: only the test's own, not those of the
    /// test harness or of other tests running at the same time.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    /// Calls to `alloc`, `alloc_zeroed` and `realloc` this thread made while counting: one
    /// counter per thread, so that two tests counting at the same time do not count each
    /// other's allocations.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// [`System`], counting allocations.
struct CountingAllocator;

impl CountingAllocator {
    fn count() {
        // `try_with`: the thread-local may be gone while a thread shuts down.
        if COUNTING.try_with(Cell::get).unwrap_or(false) {
            let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        }
    }
}

// SAFETY: every call is forwarded unchanged to `System`, which upholds the contract.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::count();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::count();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        Self::count();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// The allocations made by `f` on this thread.
pub fn allocations_in(f: impl FnOnce()) -> usize {
    COUNTING.with(|c| c.set(true));
    let before = ALLOCATIONS.with(Cell::get);
    f();
    let after = ALLOCATIONS.with(Cell::get);
    COUNTING.with(|c| c.set(false));
    after - before
}
