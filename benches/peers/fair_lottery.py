#!/usr/bin/env python3
"""The fair lottery against the reference Python package `sortition-algorithms` (SPEC §8).

Same instances on both sides, from the one seeded generator (`benches/peers/fair_instance.rs`,
written out by `cargo run --release --example fair_instance`): n organisations, 4 categories
of 7 values (region and three tags), k seats, quotas within ±1 of proportional.

Setup and run (from the crate root):

    python3 -m venv /tmp/peers && /tmp/peers/bin/pip install sortition-algorithms gurobipy
    nice /tmp/peers/bin/python benches/peers/fair_lottery.py            # full, tens of minutes
    nice /tmp/peers/bin/python benches/peers/fair_lottery.py --quick    # n = 400, maximin only

For every instance and objective it:

- writes the session JSON with the example (`--out`, policy `fair_lottery`);
- converts it to the package's input (one feature per quota category, the session's min/max
  per value; one person per requesting organisation) and runs, in a child process with a
  timeout, `committee_generation.find_distribution_maximin` or `find_distribution_leximin`
  (the functions behind `run_stratification`'s `maximin` and `leximin`); their minimum is the
  least selection probability of the distribution it returns, their time that call alone
  (import and loading excluded);
- runs ours: `cargo run --release --example fair_instance -- ... --solve --runs R` (the
  solver `floorshare::fair::solve`, median of R runs) and, when `examples/allocate.rs`
  accepts the `fair_lottery` policy, the whole allocation of the session file (one run,
  wall time of the process);
- prints a side-by-side table: wall seconds, CPU seconds in brackets (the machine is shared:
  CPU time is the steadier figure), our gap = 1 − our minimum / our bound.

Leximin in the package needs Gurobi (`gurobipy`; its pip build carries a size-limited
licence: no model over 2,000 variables, and leximin's dual has one variable per person plus
one), so it is run only for n < 2,000 and only when gurobipy is installed; otherwise the row
says why.

It exits 1 if our achieved minimum exceeds our certified bound, or if the package's minimum
exceeds our certified bound by more than 1e-6 (a bound must bound every algorithm), or if our
side fails. A timeout on their side is reported, not an error.
"""

import argparse
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOLERANCE = 1e-6
# The largest model gurobipy's bundled (size-limited) licence solves.
GUROBI_SIZE_LIMIT = 2000

# (n, categories, k, seed, objectives)
FULL = [
    (400, 4, 20, 1, ["maximin", "leximin"]),
    (2000, 4, 20, 1, ["maximin", "leximin"]),
    (2000, 4, 100, 1, ["maximin", "leximin"]),
]
QUICK = [(400, 4, 20, 1, ["maximin"])]


# ----------------------------------------------------------------------------------------------
# Their side (runs in a child process: `--theirs SESSION.json`)


def to_reference_input(session):
    """The package's FeatureCollection and People for a floorshare fair_lottery session."""
    from sortition_algorithms.features import read_in_features
    from sortition_algorithms.people import read_in_people
    from sortition_algorithms.settings import Settings

    k = session["session"]["slots"]
    quotas = session["policy"]["quotas"]
    columns = []  # (feature column name, how to read it from an organisation)
    rows = []
    for quota in quotas:
        category = quota["category"]
        name = category.removeprefix("tag:")
        columns.append((name, category))
        values = sorted(set(quota.get("min", {})) | set(quota.get("max", {})))
        for value in values:
            rows.append(
                {
                    "feature": name,
                    "value": value,
                    "min": str(quota.get("min", {}).get(value, 0)),
                    "max": str(quota.get("max", {}).get(value, k)),
                }
            )
    features, _, _ = read_in_features(["feature", "value", "min", "max"], rows, k)

    def value_of(organisation, category):
        if category == "region":
            return organisation["region"]
        if category.startswith("tag:"):
            return organisation.get("tags", {})[category.removeprefix("tag:")]
        raise ValueError(f"category {category} is not converted")

    by_id = {o["id"]: o for o in session["organisations"]}
    requesting = list(dict.fromkeys(r["organisation"] for r in session["requests"]))
    head = ["id"] + [name for name, _ in columns]
    body = [
        {"id": oid, **{name: value_of(by_id[oid], category) for name, category in columns}}
        for oid in requesting
    ]
    settings = Settings(id_column="id", columns_to_keep=[])
    people, _ = read_in_people(head, body, features, settings)
    return features, people, k, requesting


class FileProgress:
    """Writes the package's latest progress event (phase, count, elapsed) to a file, so that
    the parent can say how far a run got when it times out."""

    def __init__(self, path, start):
        self.path, self.start, self.phase, self.total, self.last = path, start, None, None, 0.0

    def _write(self, current, message):
        now = time.perf_counter()
        if now - self.last < 1.0 and current is not None:
            return
        self.last = now
        with open(self.path, "w") as f:
            json.dump(
                {
                    "phase": self.phase,
                    "current": current,
                    "total": self.total,
                    "message": message,
                    "elapsed": round(now - self.start, 1),
                },
                f,
            )

    def start_phase(self, name, total=None, *, message=None):
        self.phase, self.total = name, total
        self._write(None, message)

    def update(self, current, *, message=None):
        self._write(current, message)

    def end_phase(self):
        pass


def theirs_child(args):
    import logging

    logging.disable(logging.INFO)
    from sortition_algorithms import committee_generation as cg

    with open(args.theirs) as f:
        session = json.load(f)
    features, people, k, ids = to_reference_input(session)
    find = {
        "maximin": cg.find_distribution_maximin,
        "leximin": cg.find_distribution_leximin,
    }[args.objective]
    start, cpu = time.perf_counter(), time.process_time()
    progress = FileProgress(args.progress_file, start) if args.progress_file else None
    committees, probabilities, _report = find(
        features, people, k, [], args.backend, progress_reporter=progress
    )
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    marginal = dict.fromkeys(ids, 0.0)
    for committee, p in zip(committees, probabilities):
        for person in committee:
            marginal[person] += p
    print(
        json.dumps(
            {
                "minimum": min(marginal.values()),
                "maximum": max(marginal.values()),
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "committees": sum(1 for p in probabilities if p > 0),
                "probability_sum": sum(probabilities),
            }
        )
    )


# ----------------------------------------------------------------------------------------------
# The parent: both sides, the table


def example_args(n, categories, k, seed, objective):
    return [
        "--n", str(n), "--categories", str(categories), "--k", str(k),
        "--seed", str(seed), "--objective", objective,
    ]  # fmt: skip


def cargo_example(name, args, timeout):
    """`cargo run --release --example NAME -- ARGS`; on a timeout the whole process group
    (cargo and the example it started) is killed and None returned."""
    command = ["cargo", "run", "--quiet", "--release", "--example", name, "--"] + args
    with subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    ) as process:  # fmt: skip
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return None
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_theirs(session_path, objective, n, args, workdir):
    if objective == "leximin":
        try:
            import gurobipy  # noqa: F401
        except ImportError:
            return {"skipped": "needs gurobipy (Gurobi)"}
        if n + 1 > GUROBI_SIZE_LIMIT:
            return {
                "skipped": f"Gurobi size-limited licence: leximin's dual has {n + 1} "
                f"variables (> {GUROBI_SIZE_LIMIT})"
            }
    progress_file = os.path.join(workdir, "progress.json")
    if os.path.exists(progress_file):
        os.remove(progress_file)
    command = [
        sys.executable, os.path.abspath(__file__), "--theirs", session_path,
        "--objective", objective, "--backend", args.backend,
        "--progress-file", progress_file,
    ]  # fmt: skip
    if args.nice:
        command = ["nice", "-n", str(args.nice)] + command
    started = time.perf_counter()
    children_cpu = children_cpu_seconds()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=args.timeout_theirs
        )
    except subprocess.TimeoutExpired:
        last = None
        if os.path.exists(progress_file):
            with open(progress_file) as f:
                last = json.load(f)
        return {
            "timeout": args.timeout_theirs,
            "wall": time.perf_counter() - started,
            # The killed child's CPU time (import and loading included).
            "cpu_seconds": children_cpu_seconds() - children_cpu,
            "progress": last,
        }
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["?"]
        return {"error": f"exit {done.returncode}: {tail[0]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_ours_solve(n, categories, k, seed, objective, args):
    done = cargo_example(
        "fair_instance",
        example_args(n, categories, k, seed, objective)
        + ["--solve", "--runs", str(args.runs)],
        args.timeout_ours,
    )
    if done is None:
        return {"error": f"timeout after {args.timeout_ours:.0f} s"}
    if done.returncode != 0:
        return {"error": done.stderr.strip()}
    return json.loads(done.stdout)


def run_ours_allocate(session_path, args):
    """The whole allocation of the session by `examples/allocate.rs`, when it knows the policy."""
    started = time.perf_counter()
    done = cargo_example("allocate", [session_path], args.timeout_ours)
    seconds = time.perf_counter() - started
    if done is None:
        return {"error": f"timeout after {args.timeout_ours:.0f} s"}
    if done.returncode != 0:
        return {"unavailable": done.stderr.strip().splitlines()[-1:][0][:100]}
    lottery = json.loads(done.stdout).get("lottery")
    if lottery is None:
        return {"unavailable": "no lottery object in the output"}
    return {
        "bound": lottery["certified_upper_bound"],
        "minimum": lottery["minimum_probability"],
        "panels": lottery["panels"],
        "seconds": seconds,
    }


def fmt(x, digits=6):
    return "—" if x is None else f"{x:.{digits}f}"


def seconds_cell(ours):
    if "seconds" not in ours:
        return "—"
    cpu = ours.get("cpu_seconds")
    return f"{ours['seconds']:.2f}" + ("" if cpu is None else f" ({cpu:.2f})")


def theirs_cells(theirs):
    if "minimum" in theirs:
        return fmt(theirs["minimum"]), f"{theirs['seconds']:.1f} ({theirs['cpu_seconds']:.1f})"
    if "timeout" in theirs:
        p = theirs.get("progress") or {}
        where = ""
        if p.get("phase"):
            where = f" ({p['phase']} {p.get('current')}/{p.get('total')})"
        cpu = theirs.get("cpu_seconds")
        cpu = "" if cpu is None else f" ({cpu:.0f})"
        return "—", f">{theirs['timeout']:.0f}{cpu}{where}"
    return "—", "n/a: " + theirs.get("skipped", theirs.get("error", "?"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="n = 400, k = 20, maximin only")
    parser.add_argument("--timeout-theirs", type=float, default=1800.0,
                        help="seconds per run of the package (default 1800)")
    parser.add_argument("--timeout-ours", type=float, default=1800.0,
                        help="seconds per invocation of our example (default 1800)")
    parser.add_argument("--runs", type=int, default=None,
                        help="runs of our solve per case, median reported (default 3; 1 with --quick)")
    parser.add_argument("--backend", default="highspy",
                        help="the package's solver backend (highspy, its default; or mip)")
    parser.add_argument("--nice", type=int, default=10,
                        help="niceness of the package's child process (0: none)")
    parser.add_argument("--only", choices=["ours", "theirs"], help="run one side only")
    parser.add_argument("--case", action="append", metavar="N,C,K,SEED",
                        help="run this instance instead of the default list (repeatable)")
    parser.add_argument("--objectives", default="maximin,leximin",
                        help="objectives of every --case (default maximin,leximin)")
    parser.add_argument("--out", help="also append one JSON line per case to this file")
    parser.add_argument("--theirs", help=argparse.SUPPRESS)
    parser.add_argument("--objective", help=argparse.SUPPRESS)
    parser.add_argument("--progress-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.theirs:
        theirs_child(args)
        return 0
    if args.runs is None:
        args.runs = 1 if args.quick else 3

    try:
        from importlib.metadata import version

        package = version("sortition-algorithms")
    except Exception:
        package = "not installed"
    print(f"sortition-algorithms {package}, backend {args.backend}; our runs per case: {args.runs}")
    build = subprocess.run(
        ["cargo", "build", "--quiet", "--release", "--example", "fair_instance",
         "--example", "allocate"],
        cwd=ROOT,
    )  # fmt: skip
    if build.returncode != 0:
        print("cargo build failed", file=sys.stderr)
        return 1

    failures, rows = [], []
    with tempfile.TemporaryDirectory(prefix="fair_peers_") as workdir:
        if args.case:
            cases = [
                (*map(int, case.split(",")), args.objectives.split(",")) for case in args.case
            ]
        else:
            cases = QUICK if args.quick else FULL
        for n, categories, k, seed, objectives in cases:
            for objective in objectives:
                name = f"n={n} c={categories} k={k} seed={seed}"
                session_path = os.path.join(workdir, f"session_{n}_{k}_{objective}.json")
                made = cargo_example(
                    "fair_instance",
                    example_args(n, categories, k, seed, objective) + ["--out", session_path],
                    600,
                )
                if made is None or made.returncode != 0:
                    print(made.stderr, file=sys.stderr)
                    return 1
                theirs = ours = allocate = {"skipped": "--only"}
                if args.only != "ours":
                    print(f"[{time.strftime('%H:%M:%S')}] {name} {objective}: theirs …", flush=True)
                    theirs = run_theirs(session_path, objective, n, args, workdir)
                if args.only != "theirs":
                    print(f"[{time.strftime('%H:%M:%S')}] {name} {objective}: ours …", flush=True)
                    ours = run_ours_solve(n, categories, k, seed, objective, args)
                    allocate = run_ours_allocate(session_path, args)
                row = {
                    "instance": name, "objective": objective, "theirs": theirs,
                    "ours": ours, "allocate": allocate, "package": package,
                    "backend": args.backend, "date": time.strftime("%Y-%m-%d %H:%M"),
                    "load": os.getloadavg(),
                }  # fmt: skip
                print(json.dumps(row), flush=True)
                if args.out:
                    with open(args.out, "a") as f:
                        f.write(json.dumps(row) + "\n")
                rows.append(row)
                for side, result in [("solve", ours), ("allocate", allocate)]:
                    if "error" in result:
                        failures.append(f"{name} {objective}: our {side} failed: {result['error']}")
                for side, result in [("solve", ours), ("allocate", allocate)]:
                    if "bound" in result and result["minimum"] > result["bound"] * (1 + 1e-12):
                        failures.append(
                            f"{name} {objective}: our minimum {result['minimum']} exceeds our "
                            f"bound {result['bound']} ({side})"
                        )
                bound = ours.get("bound")
                if bound is not None and "minimum" in theirs and theirs["minimum"] > bound + TOLERANCE:
                    failures.append(
                        f"{name} {objective}: their minimum {theirs['minimum']} exceeds our "
                        f"certified bound {bound} by more than {TOLERANCE}"
                    )

    header = ("instance", "objective", "their min", "their s (cpu)", "our bound", "our min",
              "gap", "our s (cpu)", "allocate min / s")  # fmt: skip
    table = []
    for row in rows:
        their_min, their_s = theirs_cells(row["theirs"])
        ours, alloc = row["ours"], row["allocate"]
        table.append((
            row["instance"], row["objective"], their_min, their_s,
            fmt(ours.get("bound")), fmt(ours.get("minimum")),
            f"{100 * ours['gap']:.2f}%" if "gap" in ours else "—",
            seconds_cell(ours),
            f"{alloc['minimum']:.6f} / {alloc['seconds']:.2f}" if "minimum" in alloc
            else "n/a",
        ))  # fmt: skip
    widths = [max(len(str(r[i])) for r in [header] + table) for i in range(len(header))]
    print()
    for r in [header] + table:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    unavailable = {row["allocate"].get("unavailable") for row in rows} - {None}
    if unavailable:
        print(f"\nallocate: n/a ({'; '.join(sorted(unavailable))})")
    if failures:
        print("\nFAILED:", *failures, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
