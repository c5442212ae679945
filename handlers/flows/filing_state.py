"""The plan-filing wizard's answers, kept as plain JSON in ``Conversation.data["filing"]``.

The router saves the conversation after every message, so everything here must be
JSON-safe: a restart of the bot loses nothing. The answers are also kept in a draft
dossier as they are given (``filing.FilingFlow._autosave``), so leaving the wizard
any way, or opening it from another channel, loses nothing either. ``Wizard`` is a
thin typed view over that dict; the steps' order, numbering and limits live here too, apart from how
the steps are shown (``filing_steps``) and what the buttons do (``filing``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from handlers.i18n import N_
from workflow.attachments import AttachedFile
from workflow.dossier import Plan, ProblemKind

KEY = "filing"

# Steps in order. The regulation and its issuer belong to step 2 (the kind of
# problem): they are asked only when the problem is "regulated but unsuited".
TITLE, KIND, REGULATION, ISSUER, PROBLEM, APPROACH, RESULTS, RISKS = (
    "title", "kind", "regulation", "issuer", "problem", "approach", "results", "risks")
COPROPOSERS, FILES, DECLARATION, SUMMARY, DRAFTS = (
    "coprop", "files", "declaration", "summary", "drafts")
ORDER = (TITLE, KIND, REGULATION, ISSUER, PROBLEM, APPROACH, RESULTS, RISKS, COPROPOSERS,
         FILES, DECLARATION)
NUMBER = {TITLE: 1, KIND: 2, REGULATION: 2, ISSUER: 2, PROBLEM: 3, APPROACH: 4, RESULTS: 5,
          RISKS: 6, COPROPOSERS: 7, FILES: 8, DECLARATION: 9}
TOTAL = 9
OPTIONAL = frozenset({ISSUER, COPROPOSERS, FILES})

STEP_TITLES = {
    TITLE: N_("Title"),
    KIND: N_("Kind of problem"),
    REGULATION: N_("Kind of problem: the regulation"),
    ISSUER: N_("Kind of problem: who issued the regulation"),
    PROBLEM: N_("The problem and its analysis"),
    APPROACH: N_("The proposed way"),
    RESULTS: N_("Expected effectiveness and results"),
    RISKS: N_("Risks and how they are contained"),
    COPROPOSERS: N_("Co-proposers (group plan)"),
    FILES: N_("Attached documents"),
    DECLARATION: N_("Common-good declaration"),
}


@dataclass(frozen=True)
class TextRule:
    """What a typed section must look like, and the plan field it fills."""

    field: str
    minimum: int
    maximum: int
    needs_number: bool = False  # a regulation is identified by its number or year


TEXT_RULES = {
    TITLE: TextRule("title", 10, 200),
    REGULATION: TextRule("regulation", 8, 500, needs_number=True),
    ISSUER: TextRule("regulation_issuer", 3, 300),
    PROBLEM: TextRule("problem", 30, 3000),
    APPROACH: TextRule("approach", 30, 3000),
    RESULTS: TextRule("expected_results", 30, 3000),
    RISKS: TextRule("risks", 30, 3000),
}

# Attachments (documents and photos). Extensions decide; a nameless photo is
# recognised by its type.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES = 10
MAX_COPROPOSERS = 20
EXTENSIONS = ("pdf", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png")
MIME_EXTENSIONS = {
    "application/pdf": "pdf", "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "image/jpeg": "jpg", "image/png": "png",
}

EMPTY_PLAN: dict[str, Any] = {
    "title": "", "problem_kind": None, "regulation": "", "regulation_issuer": "",
    "problem": "", "approach": "", "expected_results": "", "risks": "", "common_good": False,
    "progress_every": None,
}
# Progress reports during the pilot, in working days, chosen on the summary (None: 20).
CADENCES = (10, 20, 40)


class Wizard:
    """A typed view over the flow's dict; every change marks the answers unsaved."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @classmethod
    def of(cls, conversation_data: dict[str, Any]) -> Wizard:
        raw = conversation_data.get(KEY)
        if not isinstance(raw, dict):
            raw = conversation_data[KEY] = fresh()
        return cls(raw)

    # Buttons carry a token: the session id and a revision bumped whenever what the
    # buttons mean changes (another step, another search result). A button from an
    # older message, or from a wizard cancelled earlier, then no longer matches.
    @property
    def token(self) -> str:
        return f"{self.data.get('sid', '')}-{self.data.get('rev', 0)}"

    def touch(self) -> None:
        self.data["rev"] = int(self.data.get("rev", 0)) + 1

    @property
    def plan_fields(self) -> dict[str, Any]:
        fields = self.data.setdefault("plan", dict(EMPTY_PLAN))
        assert isinstance(fields, dict)
        return fields

    def get(self, name: str) -> Any:
        return self.plan_fields.get(name, EMPTY_PLAN[name])

    def set(self, name: str, value: Any) -> None:
        self.plan_fields[name] = value
        self.data["dirty"] = True

    @property
    def kind(self) -> ProblemKind | None:
        value = self.get("problem_kind")
        return ProblemKind(value) if value in {k.value for k in ProblemKind} else None

    def list_of(self, name: str) -> list[dict[str, Any]]:
        items = self.data.setdefault(name, [])
        assert isinstance(items, list)
        return items

    @property
    def co_proposers(self) -> list[dict[str, Any]]:
        return self.list_of("co")

    @property
    def files(self) -> list[dict[str, Any]]:
        return self.list_of("files")

    @property
    def found(self) -> list[dict[str, Any]]:
        return self.list_of("found")

    @property
    def dossier_id(self) -> int | None:
        value = self.data.get("dossier_id")
        return value if isinstance(value, int) else None

    @property
    def dirty(self) -> bool:
        return bool(self.data.get("dirty"))

    @property
    def editing(self) -> bool:
        """True when the step was opened from the summary: answer it, then back there."""
        return bool(self.data.get("editing"))

    def plan(self) -> Plan:
        fields = self.plan_fields
        kind = self.kind
        return Plan(
            title=str(fields.get("title", "")), problem=str(fields.get("problem", "")),
            problem_kind=kind,
            regulation=str(fields.get("regulation", "")) if kind is ProblemKind.REGULATED_UNSUITED
            else "",
            regulation_issuer=str(fields.get("regulation_issuer", ""))
            if kind is ProblemKind.REGULATED_UNSUITED else "",
            approach=str(fields.get("approach", "")),
            expected_results=str(fields.get("expected_results", "")),
            risks=str(fields.get("risks", "")),
            attachments=tuple(str(f.get("name", "")) for f in self.files),
            common_good=bool(fields.get("common_good")),
            progress_every=self.cadence,
            files=tuple(received(f) for f in self.files if f.get("file_id")),
        )

    @property
    def cadence(self) -> int | None:
        """The chosen cadence of progress reports, if one of CADENCES was chosen."""
        value = self.plan_fields.get("progress_every")
        return value if value in CADENCES else None

    def first_missing(self) -> str | None:
        """The first required step without an answer, in the wizard's order."""
        kind = self.kind
        for step in ORDER:
            if step in OPTIONAL:
                continue
            if step == KIND and kind is None:
                return step
            if step == REGULATION and (kind is not ProblemKind.REGULATED_UNSUITED
                                       or self.get("regulation").strip()):
                continue
            if step == DECLARATION and not self.get("common_good"):
                return step
            rule = TEXT_RULES.get(step)
            if rule is not None and not str(self.get(rule.field)).strip():
                return step
        return None


def received(entry: dict[str, Any]) -> AttachedFile:
    """A file kept in the wizard's JSON as the dossier keeps it."""
    size, mime, sha = entry.get("size"), entry.get("mime"), entry.get("sha256")
    return AttachedFile(channel=str(entry.get("channel") or ""),
                        file_id=str(entry.get("file_id") or ""),
                        name=str(entry.get("name") or ""),
                        mime_type=mime if isinstance(mime, str) else None,
                        size=size if isinstance(size, int) else 0,
                        sha256=sha if isinstance(sha, str) else None,
                        by=str(entry.get("by") or ""))


def entry_of(file: AttachedFile) -> dict[str, Any]:
    """The wizard's JSON for a file the dossier keeps (the inverse of ``received``)."""
    return {"name": file.name, "file_id": file.file_id, "size": file.size,
            "mime": file.mime_type, "sha256": file.sha256, "channel": file.channel,
            "by": file.by}


def fresh() -> dict[str, Any]:
    return {"sid": secrets.token_hex(2), "rev": 0, "plan": dict(EMPTY_PLAN), "co": [],
            "found": [], "files": [], "dossier_id": None, "dirty": False, "editing": False}


def next_step(step: str, kind: ProblemKind | None) -> str:
    """The step after ``step``; the regulation steps only for the 'unsuited' kind."""
    index = ORDER.index(step) + 1
    while index < len(ORDER):
        candidate = ORDER[index]
        if candidate in (REGULATION, ISSUER) and kind is not ProblemKind.REGULATED_UNSUITED:
            index += 1
            continue
        return candidate
    return SUMMARY


def previous_step(step: str, kind: ProblemKind | None) -> str | None:
    if step == SUMMARY:
        return DECLARATION
    index = ORDER.index(step) - 1
    while index >= 0:
        candidate = ORDER[index]
        if candidate in (REGULATION, ISSUER) and kind is not ProblemKind.REGULATED_UNSUITED:
            index -= 1
            continue
        return candidate
    return None


def clean_text(text: str, single_line: bool) -> str:
    """Trim; a title is one line with single spaces, long sections keep their lines."""
    if single_line:
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    return "\n".join(lines).strip()


def extension_of(name: str, mime: str | None) -> str | None:
    """The accepted extension of a file, or None when its type is not accepted."""
    _, dot, ext = name.rpartition(".")
    ext = ext.lower() if dot else ""
    if ext in EXTENSIONS:
        return ext
    if not ext and mime in MIME_EXTENSIONS:
        return MIME_EXTENSIONS[mime]
    return None
