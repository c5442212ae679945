"""A commit's tree written out beside the repository, for benchmarks that run the code
before a change in the same run as the code now (``--before REV``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def export(rev: str, folder: Path) -> Path:
    """The tree of ``rev``, written into ``folder`` (the repository is left as it is)."""
    tree = folder / f"tree-{rev}"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree
