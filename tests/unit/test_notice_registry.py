"""Typed notices: every event a person can be told of has its renderer, every reminder kind
has its text, and each says something real in Vietnamese and in English.

The outbox keeps an event as its class name and fields; ``workflow.events.decode_event``
reads it back typed and ``handlers.notification_texts.RENDERERS`` gives its text. A new
event class fails here until it has a renderer (or is listed as told to nobody) and a
sample below; a new reminder kind fails until ``handlers.reminder_notices`` has its text.
"""

from __future__ import annotations

import ast
import logging
import re
from dataclasses import MISSING, fields, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from handlers import reminder_notices
from handlers.flows.dossier_view import Names
from handlers.i18n import Translator
from handlers.notification_texts import RENDERERS, UNTOLD, Notice, text_of
from handlers.notifications import render
from handlers.ports import PersonInfo
from storage.codec import dump
from tests.fakes import Scenario
from tests.unit.test_reminder_notices import CAL, scenario_at, services_for
from workflow import events as ev
from workflow.actors import Role
from workflow.dossier import Dossier
from workflow.events import EVENT_TYPES, EventDecodeError, Recipient, decode_event
from workflow.lifecycle import State
from workflow.obligations import ObligationKind, ProtectionOutcome
from workflow.reminders import VIETNAM, ReminderKind
from workflow.reporting_duties import bundled_duties, plan_duties
from workflow.rules import bundled_rulebook
from workflow.voting import DECISION, EVALUATION, Choice, Outcome, Tally

AT = datetime(2026, 11, 23, 9, 30, tzinfo=VIETNAM)
LANGS = ("vi", "en")
ROLES: tuple[Role | None, ...] = (*Role, None)
TALLY = Tally(approve=3, reject=1, re_prepare=0, abstain=1)


def samples(dossier_id: int, via: str = "commune_party_office") -> list[ev.Event]:
    """One or more events of every class, with the values services give them (``via``:
    a route body of the dossier)."""
    base: dict[str, Any] = {"dossier_id": dossier_id, "at": AT,
                            "notify": (Recipient(Role.OFFICE, "office-body", via),)}
    closes = AT + timedelta(days=2)
    return [
        ev.DraftCreated(**base, proposer="cadre-1"),
        ev.DraftUpdated(**base),
        ev.DossierSubmitted(**base, to_route_body="party_cell", to_body="cell-1", round=1),
        ev.InformationCopyDue(**base, route_body=via, body="ubnd-xa"),
        ev.CellAgreed(**base, note="Đồng ý"),
        ev.CellReturned(**base, reason="Thiếu dự toán kinh phí"),
        ev.DossierRegistered(**base, registration_number="12-TTr/VP",
                             received_on=date(2026, 11, 23)),
        ev.DeadlineSet(**base, deadline_id="answer", working_days=30,
                       received_on=date(2026, 11, 23), due_on=date(2027, 1, 6),
                       head=Recipient(Role.HEAD, "committee"), superior=None),
        ev.ReturnedForCompletion(**base, missing=("Dự toán", "Lộ trình"), note="Bổ sung"),
        ev.MarkedComplex(**base, reason="Liên quan nhiều ngành", by="secretary"),
        ev.DossierForwarded(**base, to_route_body="district_committee", to_body="huyen",
                            skips_level=False, proposed_solution="Thí điểm một năm"),
        ev.AppraisalAssigned(**base, appraisers=("appraiser-1",), route_body=None, body=None,
                             due_on=date(2026, 12, 4), working_days=9, council=True),
        ev.AppraisalAssigned(**base, appraisers=("appraiser-1",), route_body="organisation",
                             body="ban-to-chuc"),
        ev.AppraisalFiled(**base, feasible=True, summary="Khả thi, rủi ro thấp"),
        ev.AppraisalFiled(**base, feasible=False, summary="Chưa khả thi"),
        ev.WrittenNoticeRequired(**base, issued_by_route_body="party_office",
                                 reason="Không hiệu quả"),
        ev.LegalReviewAssigned(**base, reviewers=("inspector-1",), route_body="inspection",
                               body="ubkt", due_on=date(2026, 12, 4), working_days=9),
        ev.LegalReviewFiled(**base, summary="Không trái pháp luật"),
        ev.BallotOpened(**base, ballot_id=1, route_body="standing_board", body="committee",
                        voters=("member-1", "member-2"), closes_at=closes),
        ev.BallotOpened(**base, ballot_id=2, route_body="standing_board", body="committee",
                        voters=("member-1",), closes_at=None, purpose=EVALUATION),
        ev.VoteCast(**base, ballot_id=1, voter="member-1", choice=Choice.APPROVE,
                    changed=False, comment="Ủng hộ"),
        *(ev.BallotClosed(**base, ballot_id=1, outcome=outcome, tally=TALLY, automatic=False,
                          comments=(("member-1", "approve", "Ủng hộ"),), base=5, needed=3)
          for outcome in Outcome),
        ev.BallotClosed(**base, ballot_id=1, outcome=Outcome.QUORUM_NOT_MET, tally=Tally(),
                        automatic=True, base=5, needed=3, head_missing=True),
        ev.BallotCancelled(**base, ballot_id=1),
        *(ev.DecisionMade(**base, outcome=outcome, by_head=by_head, route_body="committee",
                          ballot_id=None if by_head else 1)
          for outcome in (Outcome.APPROVED, Outcome.REJECTED, Outcome.RETURNED)
          for by_head in (False, True)),
        *(ev.ObligationCreated(**base, obligation_id=1, kind=kind, owner="office-clerk",
                               owner_body="office-body", to="huyen") for kind in ObligationKind),
        *(ev.ObligationFulfilled(**base, obligation_id=1, kind=kind, reference="5-BC/ĐU")
          for kind in ObligationKind),
        ev.WrittenAnswerSent(**base, reference="7-CV/ĐU", outcome=Outcome.APPROVED),
        ev.WrittenAnswerSent(**base, reference="8-CV/ĐU", outcome=None, document_id=None),
        ev.DocumentRecorded(**base, document_id=3, kind="vote_minutes", reference="2-BB/ĐU"),
        ev.ImplementationStarted(**base, reporters=(Recipient(Role.PROPOSER, person="cadre-1"),),
                                 every=20),
        ev.ProgressReported(**base, summary="Đã số hóa 40% hồ sơ"),
        ev.IncidentReported(**base, summary="Lỗi phần mềm"),
        ev.ProtectionRequested(**base, summary="Bị phản ánh sai sự thật"),
        *(ev.ProtectionDecided(**base, obligation_id=2, outcome=outcome.value,
                               measures="Đề nghị Ủy ban Kiểm tra xác minh phản ánh")
          for outcome in ProtectionOutcome),
        ev.IncidentVerified(**base, obligation_id=3, conclusion="Rủi ro khách quan"),
        ev.CompletionReported(**base, summary="Hoàn thành đúng hạn"),
        ev.EvaluationRecorded(**base, effective=True, forms=("a", "c"), proposed_upward=True,
                              summary="Hiệu quả rõ rệt"),
        ev.EvaluationRecorded(**base, effective=False, forms=(), proposed_upward=False,
                              summary="Chưa có kết quả"),
        ev.DossierClosed(**base, reason="not_feasible"),
        ev.DossierClosed(**base, reason="rejected"),
        ev.DossierWithdrawn(**base, reason="Không còn phù hợp"),
        ev.EmergencyReported(**base, summary="Xử lý sự cố ngập lụt"),
        ev.EmergencyConcluded(**base, conclusion="Hành động đúng, kịp thời"),
        ev.ResultsPublished(**base, effective=True, forms=("c", "g")),
        ev.PublicationWithdrawn(**base),
    ]


def says_only_the_news(event: ev.Event) -> bool:
    """Events whose renderer says no more than "there is news" (as before the registry)."""
    return isinstance(event, ev.BallotCancelled) or (
        isinstance(event, ev.DossierClosed) and event.reason != "not_feasible")


# Words that must never reach a reader as they are stored.
RAW_VALUES = {v.value for kind in (Outcome, State, ObligationKind, Choice) for v in kind} | {
    DECISION, EVALUATION}
REPR = re.compile(r"\{|\}|\bNone\b|\bTrue\b|\bFalse\b|<|>|datetime|Recipient\(|Tally\(|"
                  r"\b[A-Z][A-Za-z]+\.[A-Z_]+\b|\b\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}:|\(\)|\[|\]")
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # a snake_case code: an enum value or an id


def assert_clean(text: str, lang: str, what: str) -> None:
    assert text.strip(), what
    assert not REPR.search(text), (what, REPR.search(text), text)
    assert not CODE.search(text), (what, CODE.search(text), text)
    if lang == "vi":  # an English word in the Vietnamese text is a value shown raw
        raw = [v for v in RAW_VALUES if re.search(rf"\b{re.escape(v)}\b", text)]
        assert not raw, (what, raw, text)


@pytest.fixture(scope="module")
def dossier() -> Dossier:
    """A dossier far enough along to have an appraisal, a report and an evaluation."""
    import asyncio

    async def drive() -> Dossier:
        s = Scenario()
        await s.drive_to(State.EVALUATION_OPEN)
        return s.dossier

    return asyncio.run(drive())


def notice(dossier: Dossier, lang: str, role: Role | None, purpose: str = DECISION) -> Notice:
    names = Names({}, {"cadre-1": "Nguyễn Thị Lan"}, bundled_rulebook(), lang)
    recipient = Recipient(role, "body-1", "party_office",
                          "cadre-1" if role is Role.PROPOSER else None)
    return Notice(dossier, recipient, names, Translator(lang), VIETNAM, purpose)


# The registry covers every event ------------------------------------------------------


def test_every_event_class_has_a_renderer_or_is_told_to_nobody() -> None:
    classes = set(EVENT_TYPES.values())
    assert not set(RENDERERS) & UNTOLD
    missing = sorted(k.__name__ for k in classes - set(RENDERERS) - UNTOLD)
    assert not missing, f"events without a renderer in handlers/notification_texts.py: {missing}"
    assert set(RENDERERS) | UNTOLD == classes


def test_every_event_class_has_a_sample_here() -> None:
    sampled = {type(e) for e in samples(1)}
    assert sampled == set(EVENT_TYPES.values()), sorted(
        k.__name__ for k in set(EVENT_TYPES.values()) - sampled)


def _constructions() -> list[tuple[str, ast.Call, str]]:
    """Every ``SomeEvent(...)`` call in the services: (class name, call, file)."""
    found = []
    for path in sorted(Path("workflow").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in EVENT_TYPES:
                found.append((name, node, str(path)))
    return found


def test_the_events_told_to_nobody_are_published_without_recipients() -> None:
    """``UNTOLD`` is what the services do: those events never name anyone to notify, and
    every other event that services publish names someone somewhere."""
    calls = _constructions()
    untold = {k.__name__ for k in UNTOLD}
    for name, call, path in calls:
        if name not in untold:
            continue
        notify = [k.value for k in call.keywords if k.arg == "notify"]
        assert all(isinstance(v, ast.Tuple) and not v.elts for v in notify), (
            f"{name} in {path} is published with recipients: give it a renderer")
    told = {name for name, call, _ in calls
            if any(k.arg == "notify" and not (isinstance(k.value, ast.Tuple)
                                              and not k.value.elts) for k in call.keywords)}
    assert told <= {k.__name__ for k in RENDERERS}


# Each renderer in both languages ------------------------------------------------------


RENDERED: list[type[ev.Event]] = sorted(RENDERERS, key=lambda k: k.__name__)


@pytest.mark.parametrize("kind", RENDERED, ids=[k.__name__ for k in RENDERED])
def test_each_renderer_speaks_vietnamese_and_english(kind: type[ev.Event],
                                                     dossier: Dossier) -> None:
    events = [e for e in samples(dossier.id, dossier.route.via) if type(e) is kind]
    assert events
    for event in events:
        for role in ROLES:
            for purpose in (DECISION, EVALUATION):
                texts = {}
                for lang in LANGS:
                    n = notice(dossier, lang, role, purpose)
                    what = f"{event!r} to {role} ({purpose}, {lang})"
                    texts[lang] = text_of(event, n)
                    assert_clean(texts[lang], lang, what)
                    if not says_only_the_news(event):
                        assert texts[lang] != n.news(), what
                assert texts["vi"] != texts["en"], (event, role)


def test_the_vote_result_speaks_of_the_evaluation_when_the_ballot_was_one(
        dossier: Dossier) -> None:
    closed = next(e for e in samples(dossier.id) if isinstance(e, ev.BallotClosed)
                  and e.outcome is Outcome.APPROVED)
    evaluation = text_of(closed, notice(dossier, "en", Role.MEMBER, EVALUATION))
    decision = text_of(closed, notice(dossier, "en", Role.MEMBER, DECISION))
    assert "adopted the evaluation" in evaluation and "re-prepare" not in evaluation
    assert "approve 3, do not approve 1, re-prepare 0, abstain 1" in decision


# Reading events back ------------------------------------------------------------------


def test_every_event_reads_back_as_it_was_written() -> None:
    for event in samples(7):
        data = dump(event)
        data.pop("notify")  # the outbox keeps the recipient apart
        decoded = decode_event(type(event).__name__, data)
        assert decoded == replace(event, notify=()), type(event).__name__


def test_an_older_row_without_the_fields_that_have_defaults_still_reads() -> None:
    for event in samples(7):
        data = dump(event)
        data.pop("notify")
        for f in fields(event):
            if f.name != "notify" and (f.default is not MISSING
                                       or f.default_factory is not MISSING):
                data.pop(f.name, None)
        data["removed_field"] = "x"  # a field the class no longer has is ignored
        decoded = decode_event(type(event).__name__, data)
        assert decoded.dossier_id == 7 and decoded.at == AT


@pytest.mark.parametrize("name,data", [
    ("DossierRenamed", {"dossier_id": 1, "at": AT.isoformat()}),
    ("CellReturned", {"dossier_id": 1, "at": AT.isoformat()}),  # no reason
    ("DossierRegistered", {"dossier_id": 1, "at": AT.isoformat(), "registration_number": "1",
                           "received_on": "yesterday"}),
    ("DecisionMade", {"dossier_id": 1, "at": AT.isoformat(), "outcome": "maybe",
                      "by_head": False, "route_body": "c"}),
    ("BallotClosed", {"dossier_id": 1, "at": AT.isoformat(), "ballot_id": "1",
                      "outcome": "approved", "tally": {}, "automatic": False}),
])
def test_an_unknown_event_or_bad_data_is_a_clear_error(name: str, data: dict[str, Any]) -> None:
    with pytest.raises(EventDecodeError) as raised:
        decode_event(name, data)
    assert name in str(raised.value)


@pytest.mark.parametrize("lang", LANGS)
async def test_a_row_that_cannot_be_read_is_logged_and_reads_as_the_news(
        lang: str, caplog: pytest.LogCaptureFixture) -> None:
    s = await scenario_at(State.REGISTERED)
    reader = PersonInfo(s.proposer.person_id, "Lan", lang)
    recipient = {"role": "proposer", "person": s.proposer.person_id}
    for payload in (
            {"event": "DossierRenamed", "data": {"dossier_id": s.dossier_id},
             "recipient": recipient},
            {"event": "DossierRegistered", "recipient": recipient,
             "data": {"dossier_id": s.dossier_id, "at": AT.isoformat()}}):
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="handlers.notifications"):
            reply = await render(services_for(s), reader, payload)
        news = Translator(lang)("There is news about dossier no. {id} “{title}”.",
                                id=s.dossier_id, title=s.dossier.plan.title)
        assert reply.text.startswith(news), reply.text
        assert f"d:v:{s.dossier_id}" in [b.action for b in reply.all_buttons()]
        assert [r for r in caplog.records if r.levelno == logging.ERROR], payload


@pytest.mark.parametrize("lang", LANGS)
async def test_an_older_row_renders_with_the_defaults(lang: str) -> None:
    s = await scenario_at(State.REGISTERED)
    reader = PersonInfo(s.proposer.person_id, "Lan", lang)
    payload = {"event": "BallotClosed", "recipient": {"role": "proposer", "person": "cadre-1"},
               "data": {"dossier_id": s.dossier_id, "at": AT.isoformat(), "ballot_id": 99,
                        "outcome": "approved", "automatic": True,
                        "tally": {"approve": 4, "reject": 0, "re_prepare": 0, "abstain": 1}}}
    reply = await render(services_for(s), reader, payload)
    expected = "tán thành 4" if lang == "vi" else "approve 4, do not approve 0"
    assert expected in reply.text, reply.text


# Reminders ----------------------------------------------------------------------------


def test_every_reminder_kind_has_its_text() -> None:
    dossier, body = set(reminder_notices.DOSSIER_REMINDERS), set(reminder_notices.BODY_REMINDERS)
    assert not dossier & body
    assert dossier | body == set(ReminderKind), sorted(set(ReminderKind) - dossier - body)


def reminder(kind: ReminderKind, dossier_id: int | None, about: dict[str, str],
             due_at: datetime) -> dict[str, Any]:
    return {"reminder": kind.value, "dossier_id": dossier_id, "about": about,
            "due_at": due_at.isoformat(), "collapsed": 1}


async def reminder_case(kind: ReminderKind) -> tuple[Scenario, str, dict[str, Any]]:
    """A scenario where ``kind`` is due, its reader and its payload."""
    morning = datetime(2026, 12, 23, 8, tzinfo=VIETNAM)
    if kind is ReminderKind.REPORTING_DUTY_DUE:
        s = Scenario()
        s.clock.set_date(date(2024, 11, 15), 8)
        due = next(r for r in plan_duties(bundled_duties(), date(2024, 11, 15),
                                          date(2024, 11, 15), CAL))
        duty = due.duty
        about = {"duty": duty.id, "body": "ubnd-thi-xa", "before": "2024-11-30",
                 "due_on": due.due_on.isoformat(), "source": duty.source,
                 **{f"what_{k}": v for k, v in duty.what.items()},
                 **{f"to_{k}": v for k, v in duty.to.items()}}
        return s, s.office.person_id, reminder(kind, None, about, s.clock.now())
    state, reader = {
        ReminderKind.BALLOT_CLOSING: (State.BALLOT_OPEN, "member-1"),
        ReminderKind.CELL_REVIEW_WAITING: (State.AT_CELL, "cell-secretary"),
        ReminderKind.OBLIGATION_DUE: (State.IMPLEMENTING, "office-clerk"),
        ReminderKind.PROGRESS_REPORT_DUE: (State.IMPLEMENTING, "cadre-1"),
        ReminderKind.EVALUATION_DUE: (State.COMPLETED, "office-clerk"),
        ReminderKind.APPRAISAL_DUE: (State.APPRAISAL_ASSIGNED, "appraiser-1"),
        # This route has no legal review: the reminder says it is no longer awaited.
        ReminderKind.LEGAL_REVIEW_DUE: (State.APPRAISED, "inspector-1"),
    }.get(kind, (State.REGISTERED, "office-clerk"))
    s = await scenario_at(state)
    wanted: dict[str, str] = {"due_on": "2026-12-30", "submitted_on": "2026-11-23",
                             "since": "2026-11-23", "every": "20",
                             "completed_on": "2026-11-23"}
    if kind is ReminderKind.BALLOT_CLOSING:
        wanted["ballot_id"] = str(s.open_ballot_of().id)
    if kind is ReminderKind.OBLIGATION_DUE:
        wanted["obligation"] = ObligationKind.REPORT_INCIDENT_TO_SUPERIOR.value
    s.clock.set_date(morning.date(), 8)
    return s, reader, reminder(kind, s.dossier_id, wanted, morning)


@pytest.mark.parametrize("kind", list(ReminderKind), ids=lambda k: k.value)
async def test_each_reminder_speaks_vietnamese_and_english(kind: ReminderKind) -> None:
    s, reader, payload = await reminder_case(kind)
    texts = {}
    for lang in LANGS:
        reply = await render(services_for(s), PersonInfo(reader, reader, lang), payload)
        texts[lang] = reply.text
        assert_clean(reply.text, lang, f"{kind} ({lang})")
        generic = Translator(lang)("Reminder about dossier no. {id} “{title}”: {state}; "
                                   "{holder}.", id=s.dossier_id, title="", state="",
                                   holder="")
        assert not reply.text.startswith(generic.split("“")[0]), reply.text
    assert texts["vi"] != texts["en"]
