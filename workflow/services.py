"""The application services, one per step of the dossier lifecycle.

Each is ``async def service(cmd, uow, clock[, calendar | pack]) -> result``: it takes
a command (``workflow.commands``), a unit of work port (``workflow.ports``) and the
clock, re-checks the actor's role and the dossier's current state against the
lifecycle table (``workflow.lifecycle``), validates the command, and only then
changes the dossier and queues domain events; it commits once. A refused action
raises a ``workflow.errors.DomainError`` and leaves nothing changed or committed.

The services live in five modules by stage; this module gathers them.
"""

from __future__ import annotations

from workflow.aftercare import (
    close,
    conclude_emergency,
    file_emergency_report,
    record_evaluation,
    report_completion,
    report_incident,
    report_progress,
    request_protection,
    start_implementation,
    withdraw,
)
from workflow.appraising import (
    assign_appraisal,
    assign_legal_review,
    file_appraisal,
    file_legal_review,
)
from workflow.commands import AttachScan
from workflow.deciding import (
    cast_vote,
    close_ballot,
    close_expired_ballot,
    head_decide,
    mark_obligation_done,
    open_ballot,
    send_written_answer,
)
from workflow.evaluating import open_evaluation
from workflow.intake import (
    cell_agree,
    cell_return,
    create_draft,
    forward_beyond_authority,
    mark_complex,
    register,
    resubmit,
    return_for_completion,
    submit,
    update_draft,
)
from workflow.paperwork import attach_scan, record_document
from workflow.protection import decide_protection, record_verification

__all__ = [
    "AttachScan",
    "assign_appraisal",
    "assign_legal_review",
    "attach_scan",
    "cast_vote",
    "cell_agree",
    "cell_return",
    "close",
    "close_ballot",
    "close_expired_ballot",
    "conclude_emergency",
    "create_draft",
    "decide_protection",
    "file_appraisal",
    "file_emergency_report",
    "file_legal_review",
    "forward_beyond_authority",
    "head_decide",
    "mark_complex",
    "mark_obligation_done",
    "open_ballot",
    "open_evaluation",
    "record_document",
    "record_evaluation",
    "record_verification",
    "register",
    "report_completion",
    "report_incident",
    "report_progress",
    "request_protection",
    "resubmit",
    "return_for_completion",
    "send_written_answer",
    "start_implementation",
    "submit",
    "update_draft",
    "withdraw",
]
