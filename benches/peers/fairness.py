"""Group selection-rate disparity over 100 000 decisions: fairlearn against floorshare.

Builds the same decisions as `benches/metrics.rs` (row i is in group 7919*i mod 7 and is
granted when (2654435761*i mod 2**32) / 2**32 < 0.1 + 0.05*group), checks that fairlearn's
`demographic_parity_difference` gives floorshare's answer, and times it.

    python3 -m venv /tmp/peers && /tmp/peers/bin/pip install fairlearn
    /tmp/peers/bin/python benches/peers/fairness.py     # theirs
    cargo bench --bench metrics                          # ours: metrics/selection_rate_difference
"""

import sys
import timeit

import numpy as np
from fairlearn.metrics import demographic_parity_difference

N = 100_000
# What `cargo bench --bench metrics` prints for the same decisions.
FLOORSHARE = 0.300223995520090

groups = [(i * 7919) % 7 for i in range(N)]
granted = [((i * 2654435761) % 2**32) / 2**32 < 0.1 + 0.05 * g for i, g in enumerate(groups)]
y_pred = np.array(granted, dtype=int)
y_true = np.zeros(N, dtype=int)  # demographic parity reads only the predictions
sensitive = np.array(groups)

value = demographic_parity_difference(y_true, y_pred, sensitive_features=sensitive)
print(f"fairlearn demographic_parity_difference: {value:.15f}")
if abs(value - FLOORSHARE) > 1e-12:
    print(f"differs from floorshare's {FLOORSHARE}", file=sys.stderr)
    sys.exit(1)

runs = 10
seconds = min(timeit.repeat(
    lambda: demographic_parity_difference(y_true, y_pred, sensitive_features=sensitive),
    number=1, repeat=runs))
print(f"fairlearn: {seconds * 1e3:.1f} ms per call (best of {runs}, {N} decisions, numpy arrays in)")
