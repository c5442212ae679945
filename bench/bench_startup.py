"""Start-up of the quick commands: ``cadrebot deadline``, ``route`` and ``ask``.

    .venv/bin/python bench/bench_startup.py [--runs N] [--before REV]

Each command runs ``--runs`` times as a subprocess (the installed ``cadrebot`` script, in
an empty folder, no CADREBOT_* variables); printed: the median wall time and the median
CPU time (user + system, from the kernel's accounting of the child), against the goal
of issue 18 (0.3 s), with the load average before and after. For reference, in the same
run: the interpreter alone, and reading the settings alone (what every command does
first).

With ``--before REV`` the same commands also run from that commit's tree (exported with
``git archive`` into a temporary folder, run as ``python -m bot.cli`` with it first on
the path, in this virtualenv), alternating run by run with this tree run the same way,
so that the before and after share the machine's load. Figures only, no assertions;
not run by the test suite.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from git_tree import export  # this folder, first on the path

GOAL_SECONDS = 0.3
CADREBOT = shutil.which("cadrebot", path=str(Path(sys.executable).parent)) or "cadrebot"
COMMANDS: list[tuple[str, list[str]]] = [
    ("cadrebot deadline", [CADREBOT, "deadline", "--from", "2026-11-23",
                           "--working-days", "30"]),
    ("cadrebot route", [CADREBOT, "route", "--unit-kind", "commune"]),
    ("cadrebot ask", [CADREBOT, "ask", "Tôi là hiệu trưởng trường mầm non xã Tân Phước, "
                                       "gửi kế hoạch cho ai?"]),
]
REFERENCES: list[tuple[str, list[str]]] = [
    ("python -c pass", [sys.executable, "-c", "pass"]),
    ("the settings alone", [sys.executable, "-c",
                            "from bot.settings import load_settings; load_settings()"]),
]
ROOT = Path(__file__).resolve().parent.parent


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one run; a failing command stops the benchmark."""
    cpu, wall = child_cpu(), time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - wall, child_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    return wall, cpu


def as_module(argv: list[str]) -> list[str]:
    """The same command as ``python -m bot.cli`` (to run a tree given by PYTHONPATH)."""
    return [sys.executable, "-m", "bot.cli", *argv[1:]]


def main(runs: int, before: str | None) -> None:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="cadrebot-bench-startup-") as tmp:
        folder = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CADREBOT_")}
        env["CADREBOT_DATA_DIR"] = str(folder / "data")
        rows: list[tuple[str, float, float, bool]] = []
        for name, argv in COMMANDS + REFERENCES:
            timed(argv, env, folder)  # warm the page cache and the bytecode caches
            samples = [timed(argv, env, folder) for _ in range(runs)]
            rows.append((name, statistics.median(w for w, _ in samples),
                         statistics.median(c for _, c in samples), (name, argv) in COMMANDS))
        if before:
            tree = export(before, folder)
            trees = {"this tree": env | {"PYTHONPATH": str(ROOT)},
                     before: env | {"PYTHONPATH": str(tree)}}
            for name, argv in COMMANDS:
                samples_of: dict[str, list[tuple[float, float]]] = {t: [] for t in trees}
                for tree_env in trees.values():
                    timed(as_module(argv), tree_env, folder)  # warm, compile the tree
                for _ in range(runs):  # alternating: both under the same load
                    for label, tree_env in trees.items():
                        samples_of[label].append(timed(as_module(argv), tree_env, folder))
                for label, samples in samples_of.items():
                    rows.append((f"{name} ({label}, -m)",
                                 statistics.median(w for w, _ in samples),
                                 statistics.median(c for _, c in samples), False))
    print(f"load average (1, 5, 15 min): {load_before} before, {os.getloadavg()} after; "
          f"{os.cpu_count()} CPUs")
    print(f"median of {runs} runs; goal for the commands: <= {GOAL_SECONDS} s")
    print(f"{'':48s} {'wall s':>7s} {'CPU s':>7s}")
    for name, wall, cpu, is_command in rows:
        verdict = ("" if not is_command else
                   "  goal met" if max(wall, cpu) <= GOAL_SECONDS else "  goal NOT met")
        print(f"{name:48s} {wall:7.3f} {cpu:7.3f}{verdict}")


if __name__ == "__main__":
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--runs", type=int, default=7, help="runs of each (default 7)")
    options.add_argument("--before", metavar="REV",
                         help="also run the commands of this commit, alternating with these")
    parsed = options.parse_args()
    main(parsed.runs, parsed.before)
