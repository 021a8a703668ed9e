#!/usr/bin/env python3
"""Times the Python `apportionment` package on the inputs of `benches/apportion.rs` (SPEC §8).

Setup and run (from the crate root):

    python3 -m venv /tmp/peers && /tmp/peers/bin/pip install apportionment
    /tmp/peers/bin/python benches/peers/apportion.py

It checks that the package's results equal floorshare's (the same vectors are asserted on the
Rust side by `tests/apportionment.rs::benchmark_input_matches_the_python_package` and by the
unit test `seven_regions_one_hundred_units`), prints them, and prints microseconds per call
(best of 5 repetitions of an auto-ranged timeit loop). Compare with
`cargo bench --bench apportion` (apportion/sainte_lague/200_groups, apportion/hamilton/200_groups).
"""

import json
import os
import random
import sys
import timeit

from apportionment import methods

REGIONS = [5100, 3900, 2200, 1800, 900, 700, 300]
_rng = random.Random(42)
GROUPS_200 = [_rng.randint(1, 10000) for _ in range(200)]
# The Rust bench and test read the same numbers from groups_200.json beside this script.
with open(os.path.join(os.path.dirname(__file__), "groups_200.json")) as f:
    assert json.load(f) == GROUPS_200, "groups_200.json differs from the generated groups"
UNITS = 100

# floorshare's results on the same inputs (Sainte-Laguë and Hamilton agree on both).
OURS_REGIONS = [34, 26, 15, 12, 6, 5, 2]
OURS_200 = [
    int(c)
    for c in "0000000101100000110101101110011100100101110011010111100001000111101100010100110101000110001101110000"
    "1101111100110000011011111010010101101001010111001011011100110001001010011001110101111110000101101000"
]


def per_call_us(method, votes):
    timer = timeit.Timer(lambda: methods.compute(method, votes, UNITS))
    number, _ = timer.autorange()
    best = min(timer.repeat(repeat=5, number=number))
    return best / number * 1e6


def main():
    assert sum(GROUPS_200) == 988682, "random.Random(42) sequence changed"
    ok = True
    rows = []
    for method in ["saintelague", "largest_remainder"]:
        for name, votes, ours in [
            ("7_regions", REGIONS, OURS_REGIONS),
            ("200_groups", GROUPS_200, OURS_200),
        ]:
            theirs = methods.compute(method, votes, UNITS)
            same = theirs == ours
            ok &= same
            print(f"{method}/{name}: {json.dumps(theirs)}")
            print(f"  equals floorshare: {same}")
            rows.append((method, name, per_call_us(method, votes)))
    print()
    for method, name, us in rows:
        print(f"python apportionment {method}/{name}: {us:.1f} µs per call")
    if not ok:
        print("MISMATCH with floorshare's results", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
