"""The lifecycle drawn from its table, so that the picture cannot drift from the code.

``mermaid()`` gives the ``stateDiagram-v2`` text; ``markdown()`` the whole of
``docs/lifecycle.md``. Regenerate that file with::

    .venv/bin/python -m workflow.diagram > docs/lifecycle.md
"""

from __future__ import annotations

from collections.abc import Sequence

from workflow.lifecycle import (
    ANY_STATE,
    STATE_LABELS,
    TERMINAL_STATES,
    TRANSITIONS,
    State,
    Transition,
)

REGENERATE = ".venv/bin/python -m workflow.diagram > docs/lifecycle.md"
START = "[*]"


def _label(t: Transition) -> str:
    return t.action.value + (f" ({t.when.value})" if t.when else "")


def mermaid(transitions: Sequence[Transition] = TRANSITIONS) -> str:
    """The lifecycle as a Mermaid ``stateDiagram-v2`` (rows valid in any state left out)."""
    lines = ["stateDiagram-v2"]
    lines += [f'    state "{STATE_LABELS[s]}" as {s.value}' for s in State]
    edges: dict[tuple[str, str], list[str]] = {}
    for t in transitions:
        if t.sources == ANY_STATE:
            continue
        for source in t.sources:
            start = START if source is None else source.value
            end = (t.target or source or State.DRAFT).value
            labels = edges.setdefault((start, end), [])
            if _label(t) not in labels:
                labels.append(_label(t))
    lines += [f"    {a} --> {b} : {', '.join(labels)}" for (a, b), labels in edges.items()]
    lines += [f"    {s.value} --> {START}" for s in State if s in TERMINAL_STATES]
    return "\n".join(lines) + "\n"


def _states(sources: Sequence[State | None]) -> str:
    if tuple(sources) == ANY_STATE:
        return "any state"
    return ", ".join("(new)" if s is None else f"`{s.value}`" for s in sources)


def transitions_table(transitions: Sequence[Transition] = TRANSITIONS) -> str:
    """A Markdown table of every transition with its roles and events."""
    rows = [
        "| action | from | to | when | who may | events |",
        "|---|---|---|---|---|---|",
    ]
    for t in transitions:
        target = f"`{t.target.value}`" if t.target else "(unchanged)"
        roles = ", ".join(sorted(r.value for r in t.roles))
        events = ", ".join(e.__name__ for e in t.events)
        when = t.when.value if t.when else ""
        rows.append(f"| `{t.action.value}` | {_states(t.sources)} | {target} | {when} "
                    f"| {roles} | {events} |")
    return "\n".join(rows) + "\n"


def markdown() -> str:
    """The full text of ``docs/lifecycle.md``."""
    states = "\n".join(f"| `{s.value}` | {STATE_LABELS[s]} |" for s in State)
    return f"""# Dossier lifecycle

<!-- Generated from workflow/lifecycle.py; do not edit by hand. Regenerate with:
     {REGENERATE} -->

A dossier moves through these states (DOMAIN.md §3–§8; Quy định 887-QĐ/TU Điều 4–6
and its Đức Phổ concretisation Điều 2). Every step is a row of the table in
`workflow/lifecycle.py`: the services refuse any step that is not a row from the
dossier's current state, or that the actor's role (relative to the dossier's route
bodies) does not allow. Complexity (60 working days) is a recorded flag, not a state;
the duties to report (head override, incident, unsuitable regulation, protection
request, emergency conclusion) are obligations tracked beside the dossier.
`mark_obligation_done` is valid in any state and is not drawn.

```mermaid
{mermaid()}```

## States

| state | meaning |
|---|---|
{states}

## Transitions

{transitions_table()}"""


if __name__ == "__main__":
    print(markdown(), end="")
