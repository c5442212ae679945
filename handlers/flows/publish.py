"""Published results (prefix "pub"): 887 Điều 5 khoản 3 in the chat.

On the desk's card of an evaluated dossier the office and the head get "Publish the
results" (``publication_button``); it opens what would be made public (the title, the
unit, the outcome, the forms of encouragement: nothing about a person) with the buttons to
publish it, with or without the unit's name, or, once published, to withdraw it.
``/congbo`` (``/publish``) gives the people of a committee its published results as the
static page (index.html) and the draft notice (.docx) per committee.

Buttons (typed data, ``handlers.button_codec``; the kinds of this prefix are here, with
the flow), re-checked against the stored dossier and by the services: ``pub:s:<id>`` the
screen (``pub:s:<id>:<choice>`` with some of it left out: bits 0–7 the forms of
encouragement a–h, bit 8 the unit's name), ``pub:p:<id>:<version>:<choice>`` publish,
``pub:w:<id>:<version>`` withdraw, ``pub:f`` the files again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from handlers import menu
from handlers.button_codec import kind
from handlers.buttons import ButtonData, Home, MyTasks, OpenDossier
from handlers.context import Turn
from handlers.i18n import Translator
from handlers.messages import Attachment, Button, rows
from reports.public_notice import forms_text, outcome_text
from workflow.actors import Role
from workflow.conflicts import acting_roles
from workflow.dossier import ENCOURAGEMENT_LABELS, Dossier, EncouragementForm
from workflow.errors import DomainError
from workflow.lifecycle import Action
from workflow.permissions import may
from workflow.publishing import (
    CommitteeResults,
    Publication,
    PublishingUnitOfWork,
    PublishResults,
    WithdrawPublication,
    publication_steps,
    publish_results,
    withdraw_publication,
)

PREFIX = "pub"
HTML = "text/html"
DOCUMENT_LANGUAGE = "vi"  # the page and the notice are for the Vietnamese public
FORMS = tuple(EncouragementForm)
NO_UNIT = 1 << len(FORMS)  # the bit of "leave the unit's name out"
ALL_BITS = (NO_UNIT << 1) - 1


@kind(PREFIX, "s")
@dataclass(frozen=True)
class ShowPublication(ButtonData):
    dossier_id: int
    choice: int | None = None  # what is left out (see the module); None: nothing


@kind(PREFIX, "p")
@dataclass(frozen=True)
class Publish(ButtonData):
    dossier_id: int
    version: int
    choice: int


@kind(PREFIX, "w")
@dataclass(frozen=True)
class Withdraw(ButtonData):
    dossier_id: int
    version: int


@kind(PREFIX, "f")
@dataclass(frozen=True)
class PublishedFiles(ButtonData):
    pass


def publication_button(dossier: Dossier, roles: frozenset[Role], t: Translator
                       ) -> list[tuple[Button, ...]]:
    """The desk's row for an evaluated dossier, for those who may publish or withdraw."""
    if dossier.evaluation is None or not (
            may(dossier, roles, Action.PUBLISH_RESULTS)
            or may(dossier, roles, Action.WITHDRAW_PUBLICATION)):
        return []
    return [(Button(t("Publish the results / withdraw"), ShowPublication(dossier.id)),)]


class PublishFlow:
    def __init__(self) -> None:
        self.name = "publish"
        self.prefix = PREFIX
        self.commands = {"congbo": "", "publish": ""}

    async def start(self, turn: Turn, argument: str = "", mode: str = "") -> None:
        if await self._committee(turn):
            await self._files(turn)

    async def on_action(self, turn: Turn, data: ButtonData | None) -> None:
        if not await self._linked(turn):
            return
        match data:
            case ShowPublication(dossier_id=dossier_id, choice=choice) if (
                    choice is None or choice <= ALL_BITS):
                await self._screen(turn, dossier_id, choice or 0)
            case Publish(dossier_id=dossier_id, version=version, choice=choice) if (
                    choice <= ALL_BITS):
                await self._publish(turn, dossier_id, version, choice)
            case Withdraw(dossier_id=dossier_id, version=version):
                await self._withdraw(turn, dossier_id, version)
            case PublishedFiles():
                if await self._committee(turn):
                    await self._files(turn)
            case _:
                self._malformed(turn)

    async def on_text(self, turn: Turn, text: str) -> None:
        await self.start(turn)

    async def on_attachments(self, turn: Turn) -> None:
        await self.start(turn)

    async def prompt(self, turn: Turn) -> None:
        await self.start(turn)

    # One dossier ------------------------------------------------------------------------

    async def _load(self, turn: Turn, dossier_id: int
                    ) -> tuple[Dossier, Publication | None, frozenset[Role]] | None:
        uow = cast(PublishingUnitOfWork, turn.services.uow())
        async with uow:  # read only: left without commit
            dossier = await uow.dossiers.get(dossier_id)
            publication = await uow.publications.get(dossier_id) if dossier else None
        actor = await turn.actor()
        if dossier is None or not dossier.roles_of(actor):
            turn.say(turn.t("I cannot find that dossier among your tasks."),
                     rows(Button(turn.t("‹ Back to my tasks"), MyTasks())))
            return None
        return dossier, publication, acting_roles(dossier, actor)

    async def _screen(self, turn: Turn, dossier_id: int, choice: int = 0) -> None:
        loaded = await self._load(turn, dossier_id)
        if loaded is None:
            return
        dossier, publication, roles = loaded
        t = turn.t
        steps = publication_steps(dossier, roles, publication)
        back = Button(t("‹ Back to the dossier"), OpenDossier(dossier.id))
        if not steps:
            turn.say(_refusal(t, dossier), rows(back))
            return
        if Action.WITHDRAW_PUBLICATION in steps and publication is not None:
            when = publication.published_at.astimezone(turn.services.clock.now().tzinfo)
            text = "\n".join([t("Published on {day}:", day=when.strftime("%d/%m/%Y")),
                              *_content(t, publication.title, publication.unit, publication)])
            turn.say(text, rows(Button(t("The page and the notice"), PublishedFiles()),
                                Button(t("Withdraw the publication"),
                                       Withdraw(dossier.id, dossier.version)), back))
            return
        unit = await self._unit(turn, dossier)
        preview = _preview(dossier, unit, choice)
        text = "\n".join([
            t("What would be made public: the plan's title, the "
              "unit, the outcome and the forms of encouragement; nothing about a person. "
              "Press a line to leave it out or put it back."),
            *_content(t, preview.title, preview.unit, preview)])
        assert dossier.evaluation is not None  # publication_steps offers nothing without
        keys = [Button(f"{'✓ ' if not choice >> FORMS.index(f) & 1 else ''}{f.value}) "
                       f"{t(ENCOURAGEMENT_LABELS[f])}",
                       ShowPublication(dossier.id, choice ^ (1 << FORMS.index(f))))
                for f in dossier.evaluation.forms]
        if unit:
            keys.append(Button(("" if choice & NO_UNIT else "✓ ")
                               + t("Name the unit: {unit}", unit=unit),
                               ShowPublication(dossier.id, choice ^ NO_UNIT)))
        keys.append(Button(t("Publish the results"),
                           Publish(dossier.id, dossier.version, choice)))
        turn.say(text, rows(*keys, back))

    async def _publish(self, turn: Turn, dossier_id: int, version: int, choice: int
                       ) -> None:
        loaded = await self._load(turn, dossier_id)
        if loaded is None:
            return
        dossier = loaded[0]
        cmd = PublishResults(actor=await turn.actor(), dossier_id=dossier_id,
                             expected_version=version, unit=await self._unit(turn, dossier),
                             name_unit=not choice & NO_UNIT, forms=_kept(dossier, choice))
        try:
            await publish_results(cmd, cast(PublishingUnitOfWork, turn.services.uow()),
                                  turn.services.clock)
        except DomainError as error:
            turn.say(error.render(turn.t))
        else:
            turn.say(turn.t("The results are published. The committee's page and notice "
                            "now list them: /congbo."))
        await self._screen(turn, dossier_id, choice)

    async def _withdraw(self, turn: Turn, dossier_id: int, version: int) -> None:
        if await self._load(turn, dossier_id) is None:
            return
        cmd = WithdrawPublication(actor=await turn.actor(), dossier_id=dossier_id,
                                  expected_version=version)
        try:
            await withdraw_publication(cmd, cast(PublishingUnitOfWork, turn.services.uow()),
                                       turn.services.clock)
        except DomainError as error:
            turn.say(error.render(turn.t))
        else:
            turn.say(turn.t("The publication is withdrawn: the page and the notice no longer "
                            "list these results."))
        await self._screen(turn, dossier_id)

    async def _unit(self, turn: Turn, dossier: Dossier) -> str:
        info = await turn.services.directory.person(dossier.proposer)
        return info.unit_name or "" if info else ""

    # The committee's files ---------------------------------------------------------------

    async def _files(self, turn: Turn) -> None:
        assert turn.person is not None and turn.services.statistics is not None
        t = turn.t
        today = turn.services.clock.now().date()
        committees = await turn.services.statistics.committees_of(turn.person.id, today)
        uow = cast(PublishingUnitOfWork, turn.services.uow())
        async with uow:
            results = await uow.publications.public([body for body, _ in committees])
        if not results:
            turn.say(t("Your committee has published no results yet. On the desk, an "
                       "evaluated dossier has the button “Publish the results”."),
                     rows(Button(t("Main menu"), Home())))
            return
        lines = [t("Published results:")]
        for committee in results:
            lines.append(committee.name)
            lines += [f"- {p.title}" + (f" ({p.unit})" if p.unit else "")
                      for p in committee.publications]
        lines.append(t("The page (index.html) can be put on the committee's portal; the "
                       "notice (.docx) is a draft for the office to number and sign."))
        turn.say("\n".join(lines), rows(Button(t("Main menu"), Home())),
                 files=_attachments(turn, results))

    async def _committee(self, turn: Turn) -> bool:
        if not await self._linked(turn):
            return False
        t = turn.t
        assert turn.person is not None
        if turn.services.statistics is None:
            turn.say(t("The published results are not available in this installation."))
            return False
        if not await turn.services.directory.has_committee_role(turn.person.id):
            turn.say(t("The published results are drawn up by the committee's office, its "
                       "head and its members; you hold no role at a committee. The public "
                       "page is on the committee's portal."))
            return False
        return True

    async def _linked(self, turn: Turn) -> bool:
        if turn.person is not None:
            return True
        t = turn.t
        menu.ask_to_link(turn, t(
            "Please link your account first with the invitation code your "
            "committee's office gave you."))
        return False

    def _malformed(self, turn: Turn) -> None:
        turn.say(turn.t("That button is no longer valid. Here is where we are now."),
                 rows(Button(turn.t("‹ Back to my tasks"), MyTasks())))


def _refusal(t: Translator, dossier: Dossier) -> str:
    if dossier.evaluation is None:
        return t("Only results the collective has evaluated can be published.")
    return t("Only the committee's office and its head publish results or withdraw them.")


def _kept(dossier: Dossier, choice: int) -> tuple[EncouragementForm, ...]:
    """The decided forms the choice keeps."""
    assert dossier.evaluation is not None
    return tuple(f for f in dossier.evaluation.forms if not choice >> FORMS.index(f) & 1)


def _preview(dossier: Dossier, unit: str, choice: int) -> Publication:
    """What publishing now would make public (the service builds the same)."""
    evaluation = dossier.evaluation
    assert evaluation is not None
    forms = _kept(dossier, choice)
    return Publication(dossier_id=dossier.id, body="", pack_id=dossier.pack_id,
                       title=" ".join(dossier.plan.title.split()),
                       unit="" if choice & NO_UNIT else unit,
                       effective=evaluation.effective, forms=forms,
                       proposed_upward=evaluation.proposed_upward and bool(forms),
                       evaluated_on=evaluation.at, published_by="", published_at=evaluation.at)


def _content(t: Translator, title: str, unit: str, publication: Publication) -> list[str]:
    return [t("Plan: {title}", title=title),
            t("Unit: {unit}", unit=unit or t("(not named)")),
            t("Result: {result}", result=outcome_text(t, publication)),
            t("Forms of encouragement: {forms}", forms=forms_text(t, publication))]


def _attachments(turn: Turn, results: list[CommitteeResults]) -> tuple[Attachment, ...]:
    """The page and one notice per committee (python-docx loaded only when asked)."""
    from documents.render import render, template_for
    from reports.public_html import PAGE, public_page
    from reports.public_notice import DOCX, notice_name, public_notice

    t = turn.t
    elsewhere = t("This app cannot receive files: the page and the notice are on Telegram, "
                  "in the console, or with `cadrebot report public`.")
    vi = Translator(DOCUMENT_LANGUAGE)
    page = public_page(vi, results, turn.services.clock.now().date(), DOCUMENT_LANGUAGE)
    files = [Attachment.made(PAGE, page.encode("utf-8"), HTML, elsewhere=elsewhere)]
    for committee in results:
        doc = public_notice(vi, committee)
        content = render(doc, template_for(doc.layout, turn.services.document_templates))
        files.append(Attachment.made(notice_name(committee), content, DOCX,
                                     elsewhere=elsewhere))
    return tuple(files)
