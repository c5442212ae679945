"""``cadrebot rules``: list, show, validate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from workflow.rules.loader import bundled_pack_texts


def test_list_marks_the_pack_in_force_for_the_place_and_day(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in rows if r["selected"]} == {"two-level-2025"}
    assert len(rows) == 4
    assert main(["rules", "list", "--json", "--jurisdiction", "quang-ngai/duc-pho",
                 "--on", "2024-05-06"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in rows if r["selected"]} == {"duc-pho-2022"}
    assert main(["rules", "list", "--on", "2026-12-04"]) == 0
    assert "two-level-2025 (có hiệu lực tại quang-ngai/xa-phuong ngày 04/12/2026)" in \
        capsys.readouterr().out


def test_show_lists_kinds_deadlines_and_bodies(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "show", "duc-pho-2022"]) == 0
    out = capsys.readouterr().out
    assert "commune_school [b]" in out and "answer: 30" in out and "Văn phòng Thị ủy" in out
    assert main(["rules", "show", "nope"]) == 2


def test_validate_accepts_a_good_pack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(bundled_pack_texts()["duc-pho-2022.yaml"], encoding="utf-8")
    assert main(["rules", "validate", str(path)]) == 0
    assert "duc-pho-2022" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("head: commune_party_secretary", "head: commune_secretary", "unknown body"),
        ("      appraisal_assigned_by: null\n", "", "missing route field"),
        ("id: duc-pho-2022\n", "id: duc-pho-2099\n", "overlaps"),
        ("unit_kinds:\n", "unit_kinds: [\n", "not valid YAML"),
    ],
)
def test_validate_refuses_a_broken_pack_in_one_line(
        old: str, new: str, needle: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(bundled_pack_texts()["duc-pho-2022.yaml"].replace(old, new, 1),
                    encoding="utf-8")
    assert main(["rules", "validate", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1 and str(path) in err


def test_validate_a_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "validate", "/nonexistent/pack.yaml"]) == 2
    assert "cannot read" in capsys.readouterr().err
