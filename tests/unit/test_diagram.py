"""The lifecycle picture is generated from the table, and the committed copy is current."""

from __future__ import annotations

from pathlib import Path

from workflow.diagram import REGENERATE, markdown, mermaid
from workflow.lifecycle import TRANSITIONS, State

DOC = Path(__file__).resolve().parents[2] / "docs" / "lifecycle.md"


def test_docs_lifecycle_md_is_the_generated_text():
    assert DOC.read_text(encoding="utf-8") == markdown(), (
        f"docs/lifecycle.md is out of date with workflow/lifecycle.py; regenerate it with:\n"
        f"    {REGENERATE}"
    )


def test_the_diagram_is_a_mermaid_state_diagram_with_every_state():
    text = mermaid()
    assert text.startswith("stateDiagram-v2\n")
    for state in State:
        assert f" as {state.value}\n" in text


def test_every_transition_of_the_table_is_drawn_or_listed():
    text, doc = mermaid(), markdown()
    for t in TRANSITIONS:
        assert f"`{t.action.value}`" in doc
        if len(t.sources) < len(State):
            assert t.action.value in text


def test_entries_and_exits_are_drawn():
    text = mermaid()
    assert "[*] --> draft : create_draft" in text
    assert "[*] --> emergency_reported : file_emergency_report" in text
    assert "closed --> [*]" in text
    assert "withdrawn --> [*]" in text
