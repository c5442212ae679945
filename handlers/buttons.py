"""Every kind of button press, as typed data, by flow; ``handlers.button_codec`` turns
them into action strings and back (``encode``/``decode``, re-exported here).

A flow builds ``Button(label, OpenDossier(dossier.id))`` and its ``on_action`` receives the
decoded data (or None for a press under its prefix that does not decode). The actions
keep the short form people's old messages carry: ``k:v:12``, ``k:rg:12:3``, ``d:p:2``.
Ints are never negative; what a field may hold beyond its type (a page that exists, a
language we speak) is checked by the flow against what is stored, on every press.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from handlers.button_codec import (
    MAX_ACTION_BYTES,
    MAX_INT,
    ButtonData,
    ButtonDataError,
    decode,
    encode,
    kind,
    registered,
)

__all__ = ["MAX_ACTION_BYTES", "MAX_INT", "ButtonData", "ButtonDataError", "decode",
           "encode", "registered"]

# The desk's steps (``handlers.flows.desk_view.CODES``): ``k:<code>:<dossier>:<version>``.
DeskCode = Literal["ca", "cr", "rg", "rc", "cx", "fw", "aa", "fy", "fn", "lr", "fl", "ob",
                   "cb", "hy", "hn", "wa", "si", "pg", "ic", "pr", "co", "oe", "ev", "cl",
                   "ce"]
VoteCode = Literal["a", "r", "p", "x"]  # approve, reject, re-prepare, abstain
# A written document's kind (``handlers.flows.papers.CODES``).
PaperCode = Literal["a", "n", "e", "h", "i", "r", "c", "m", "q", "v", "b"]
MatterCode = Literal["pd", "vi"]  # decide a protection request, conclude a verification

# Main menu ("m") ------------------------------------------------------------------------


@kind("m", "home")
@dataclass(frozen=True)
class Home(ButtonData):
    pass


@kind("m", "help")
@dataclass(frozen=True)
class Help(ButtonData):
    pass


@kind("m", "language")
@dataclass(frozen=True)
class ChooseLanguage(ButtonData):
    pass


@kind("m", "lang")
@dataclass(frozen=True)
class SetLanguage(ButtonData):
    code: str


@kind("m", "go")
@dataclass(frozen=True)
class StartFlow(ButtonData):
    flow: str


@kind("m", "link")
@dataclass(frozen=True)
class HowToLink(ButtonData):
    pass


# My dossiers ("d") ----------------------------------------------------------------------


@kind("d", "l")
@dataclass(frozen=True)
class MyDossiers(ButtonData):
    pass


@kind("d", "p")
@dataclass(frozen=True)
class MyDossiersPage(ButtonData):
    page: int


@kind("d", "v")
@dataclass(frozen=True)
class OpenOwnDossier(ButtonData):
    dossier_id: int


@kind("d", "w")
@dataclass(frozen=True)
class AskWithdraw(ButtonData):
    dossier_id: int
    version: int


@kind("d", "wy")
@dataclass(frozen=True)
class ConfirmWithdraw(ButtonData):
    dossier_id: int
    version: int


@kind("d", "wn")
@dataclass(frozen=True)
class KeepDossier(ButtonData):
    dossier_id: int


# The committee desk ("k") ---------------------------------------------------------------


@kind("k", "l")
@dataclass(frozen=True)
class MyTasks(ButtonData):
    page: int | None = None  # from 1; None: the first (``k:l``, as older messages carry)


@kind("k", "o")
@dataclass(frozen=True)
class OpenOverview(ButtonData):
    page: int | None = None


@kind("k", "u")
@dataclass(frozen=True)
class UnreachablePeople(ButtonData):
    pass


@kind("k", "x")
@dataclass(frozen=True)
class DeskCancel(ButtonData):
    pass


@kind("k", "v")
@dataclass(frozen=True)
class OpenDossier(ButtonData):
    dossier_id: int


@kind("k", coded=True)
@dataclass(frozen=True)
class DeskStep(ButtonData):
    code: DeskCode
    dossier_id: int
    version: int


@kind("k", "vt")
@dataclass(frozen=True)
class Vote(ButtonData):
    dossier_id: int
    ballot_id: int
    choice: VoteCode


@kind("k", "vc")
@dataclass(frozen=True)
class CommentVote(ButtonData):
    dossier_id: int
    ballot_id: int


@kind("k", "oc")
@dataclass(frozen=True)
class BallotClosing(ButtonData):
    """Open the vote closing in ``days`` working days, ``body`` the n-th voting body."""

    dossier_id: int
    version: int
    days: int
    body: int


@kind("k", "od")
@dataclass(frozen=True)
class DutyDone(ButtonData):
    obligation_id: int
    version: int


@kind("k", "as")
@dataclass(frozen=True)
class AppraisersPick(ButtonData):
    """``pick`` 0: all the lead's appraisers, n: the n-th; without ``days``: ask by when."""

    dossier_id: int
    version: int
    pick: int
    days: int | None = None


@kind("k", "cm")
@dataclass(frozen=True)
class CouncilMembers(ButtonData):
    """The council chosen so far: a bit per candidate, toggled by each press."""

    dossier_id: int
    version: int
    mask: int


@kind("k", "cs")
@dataclass(frozen=True)
class CouncilWhen(ButtonData):
    dossier_id: int
    version: int
    mask: int


@kind("k", "cd")
@dataclass(frozen=True)
class CouncilDays(ButtonData):
    dossier_id: int
    version: int
    mask: int
    days: int


@kind("k", "ld")
@dataclass(frozen=True)
class LegalReviewDays(ButtonData):
    dossier_id: int
    version: int
    days: int


@kind("k", "fb")
@dataclass(frozen=True)
class ForwardTo(ButtonData):
    """Report beyond authority to the n-th body offered."""

    dossier_id: int
    version: int
    index: int


@kind("k", "em")
@dataclass(frozen=True)
class EvaluationForms(ButtonData):
    """Forms of encouragement chosen so far (bits 0-7: a-h; bit 8: proposed upward)."""

    dossier_id: int
    version: int
    mask: int


@kind("k", "es")
@dataclass(frozen=True)
class EvaluationWhen(ButtonData):
    dossier_id: int
    version: int
    mask: int


@kind("k", "eo")
@dataclass(frozen=True)
class EvaluationOpen(ButtonData):
    dossier_id: int
    version: int
    mask: int
    days: int


@kind("k", "ef")
@dataclass(frozen=True)
class EvaluationRecord(ButtonData):
    """An evaluation decided at a meeting, with the n-th form (0: no encouragement)."""

    dossier_id: int
    version: int
    form: int


@kind("k", coded=True)
@dataclass(frozen=True)
class SettleMatter(ButtonData):
    code: MatterCode
    obligation_id: int
    version: int


@kind("k", "pc")
@dataclass(frozen=True)
class ProtectionPick(ButtonData):
    obligation_id: int
    version: int
    outcome: int  # 1-3: ``desk_matters.OUTCOMES``


# Written documents ("p") ----------------------------------------------------------------


@kind("p", "l")
@dataclass(frozen=True)
class Papers(ButtonData):
    dossier_id: int


@kind("p", "o")
@dataclass(frozen=True)
class OpenPaper(ButtonData):
    """Draft (or go on with) the document of ``kind``; ``ref`` a ballot or a duty, or 0."""

    dossier_id: int
    kind: PaperCode
    ref: int


@kind("p", "r")
@dataclass(frozen=True)
class PaperRecord(ButtonData):
    dossier_id: int


@kind("p", "f")
@dataclass(frozen=True)
class FetchPaper(ButtonData):
    document_id: int


@kind("p", "u")
@dataclass(frozen=True)
class UploadScan(ButtonData):
    document_id: int


@kind("p", "t")
@dataclass(frozen=True)
class TogglePaperPart(ButtonData):
    index: int


@kind("p", "s")
@dataclass(frozen=True)
class PaperSigner(ButtonData):
    index: int


@kind("p", "e")
@dataclass(frozen=True)
class RewritePaper(ButtonData):
    pass


@kind("p", "n")
@dataclass(frozen=True)
class NumberPaper(ButtonData):
    pass


# A dossier's documents ("a"), deadlines ("h"), emergency action ("e") ---------------------


@kind("a")
@dataclass(frozen=True)
class DossierDocuments(ButtonData):
    dossier_id: int


@kind("h", "l")
@dataclass(frozen=True)
class MyDeadlines(ButtonData):
    page: int | None = None  # from 1; None: the first


@kind("e", "x")
@dataclass(frozen=True)
class EmergencyCancel(ButtonData):
    pass


# Filing a plan ("f"): the wizard's token, then what the step does ---------------------


@kind("f")
@dataclass(frozen=True)
class FilingPress(ButtonData):
    """``token`` ties the press to the draft it was drawn for (``Wizard.token``); the
    wizard checks ``verb`` and ``arg`` against its current step."""

    token: str
    verb: str
    arg: str | None = None


# Finding dossiers ("s") -----------------------------------------------------------------


@kind("s", "n")
@dataclass(frozen=True)
class NewSearch(ButtonData):
    pass


@kind("s", "x")
@dataclass(frozen=True)
class SearchCancel(ButtonData):
    pass


@kind("s", "r")
@dataclass(frozen=True)
class SearchReset(ButtonData):
    pass


@kind("s", "st")
@dataclass(frozen=True)
class SearchState(ButtonData):
    state: Literal["o", "f", "a"]  # open, finished, any


@kind("s", "u")
@dataclass(frozen=True)
class SearchUnit(ButtonData):
    index: int | None = None  # None: every unit


# Regulations ("q") ----------------------------------------------------------------------


@kind("q", "m")
@dataclass(frozen=True)
class RegulationPage(ButtonData):
    page: int


@kind("q", "a")
@dataclass(frozen=True)
class RegulationArticle(ButtonData):
    document_id: str
    article: str


@kind("q", "t")
@dataclass(frozen=True)
class RegulationTopic(ButtonData):
    index: int


@kind("q", "k")
@dataclass(frozen=True)
class RegulationKeyword(ButtonData):
    pass


# Who is competent ("c") -----------------------------------------------------------------


@kind("c", "l")
@dataclass(frozen=True)
class CompetentLevel(ButtonData):
    level: str


@kind("c", "k")
@dataclass(frozen=True)
class CompetentKind(ButtonData):
    kind_id: str


@kind("c", "x")
@dataclass(frozen=True)
class CompetentDetails(ButtonData):
    kind_id: str


@kind("c", "o")
@dataclass(frozen=True)
class CompetentLevels(ButtonData):
    pass


@kind("c", "d")
@dataclass(frozen=True)
class CompetentDescribe(ButtonData):
    pass


@kind("c", "me")
@dataclass(frozen=True)
class CompetentOwnUnit(ButtonData):
    pass


# Where notifications go ("ch") ----------------------------------------------------------


@kind("ch", "p")
@dataclass(frozen=True)
class PreferChannel(ButtonData):
    channel: str


@kind("ch", "a")
@dataclass(frozen=True)
class PreferLastUsed(ButtonData):
    pass


# Statistics ("tk") ----------------------------------------------------------------------


@kind("tk", "y")
@dataclass(frozen=True)
class StatsThisYear(ButtonData):
    pass


@kind("tk", "12")
@dataclass(frozen=True)
class StatsLast12Months(ButtonData):
    pass


@kind("tk", "ly")
@dataclass(frozen=True)
class StatsLastYear(ButtonData):
    pass


@kind("tk", "n")
@dataclass(frozen=True)
class StatsYear(ButtonData):
    year: int


@kind("tk", "x")
@dataclass(frozen=True)
class StatsDone(ButtonData):
    pass


# Reports drafted from the data ("bc") ---------------------------------------------------


@kind("bc", "y")
@dataclass(frozen=True)
class DraftReport(ButtonData):
    """The report of reporting duty ``duty`` due in ``year``, issued by ``body`` (one of
    the reader's committees) when given."""

    duty: str
    year: int
    body: str | None = None
