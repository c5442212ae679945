"""Files received with a dossier (tài liệu kèm theo): the plan's attached documents and
the files of the appraisal report.

The chat platform keeps a file's bytes; the dossier keeps where it was received (the
channel and the platform's file id, so that it can be sent on to those who must read
it) and what it was (name, type, size, SHA-256), so that a copy shown later can be
checked against the one received. The channel is an opaque name here: the workflow
does not know what a chat platform is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from workflow.lifecycle import Action

PLAN, APPRAISAL = "plan", "appraisal"  # what a file was received with


@dataclass(frozen=True)
class AttachedFile:
    """One file received with the dossier."""

    channel: str  # where it was received ("telegram", "zalo", ...); "" when unknown
    file_id: str  # the platform's id: the file can be sent again on that channel only
    name: str
    mime_type: str | None = None
    size: int = 0
    sha256: str | None = None
    by: str = ""  # the person who sent it

    def fingerprint(self) -> dict[str, Any]:
        """What the audit trail keeps of the file: enough to recognise a changed copy."""
        return {"name": self.name, "size": self.size, "sha256": self.sha256,
                "channel": self.channel, "file_id": self.file_id}


def unique(files: Iterable[AttachedFile]) -> tuple[AttachedFile, ...]:
    """``files`` without repeats (the same file id, or the same content), first kept."""
    seen: set[str] = set()
    out: list[AttachedFile] = []
    for file in files:
        keys = {f"id:{file.channel}:{file.file_id}"} | (
            {f"sha:{file.sha256}"} if file.sha256 else set())
        if keys & seen:
            continue
        seen |= keys
        out.append(file)
    return tuple(out)


# The steps that send files on with the dossier, and which files each one sends: the
# plan's when it is submitted (again), the report's when the appraisal is filed.
CARRIED_BY: dict[str, str] = {
    Action.SUBMIT.value: PLAN,
    Action.RESUBMIT.value: PLAN,
    Action.FILE_APPRAISAL.value: APPRAISAL,
}
