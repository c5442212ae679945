"""Typed domain errors whose messages a user can understand in their language.

Each error carries a gettext msgid (English, ``str.format`` placeholders) and the
params to fill in. Some params are themselves msgids (a state or an action label);
they are named in ``labels`` so that :meth:`DomainError.render` translates them too.
``str(error)`` is the English text, for logs and tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import ClassVar

from workflow.i18n import N_


def _identity(message: str) -> str:
    return message


class DomainError(Exception):
    """Base of every refusal the domain can give; nothing was changed when it is raised."""

    default_msgid: ClassVar[str] = N_("This action is not possible.")

    def __init__(
        self,
        msgid: str | None = None,
        *,
        labels: Iterable[str] = (),
        **params: object,
    ) -> None:
        self.msgid = msgid or self.default_msgid
        self.params: Mapping[str, object] = dict(params)
        self.labels = frozenset(labels)
        super().__init__(self.render())

    def render(self, gettext: Callable[[str], str] = _identity) -> str:
        """The message in the language of ``gettext`` (e.g. a ``handlers`` Translator)."""
        values = {
            name: gettext(value) if name in self.labels and isinstance(value, str) else value
            for name, value in self.params.items()
        }
        return gettext(self.msgid).format(**values)


class TransitionNotAllowed(DomainError):
    """The dossier is not in a state where this action is possible (e.g. a stale button)."""

    default_msgid = N_("This action is not possible in the dossier's current state.")


class NotPermitted(DomainError):
    """The actor does not hold a role that may take this action on this dossier."""

    default_msgid = N_("You are not allowed to do this for this dossier.")


class ValidationError(DomainError):
    """The command's content is incomplete or inconsistent."""

    default_msgid = N_("Some information is missing or not valid.")


class NotFound(DomainError):
    """The dossier, ballot or obligation named does not exist."""

    default_msgid = N_("Nothing was found with that number.")


class StorageUnavailable(Exception):
    """The records could not be reached for a moment (the database busy, a connection
    lost): the transaction that met it was rolled back, so the step may be tried again."""


class StaleVersion(DomainError):
    """Someone changed the dossier since the actor last saw it (optimistic versioning)."""

    default_msgid = N_(
        "The dossier has changed since you opened it. Please look at it again and retry."
    )


class ConflictOfInterest(NotPermitted):
    """A proposer tried to act on their own plan in another role (workflow.conflicts)."""

    default_msgid = N_("You proposed this plan, so you cannot act on it in another role.")
