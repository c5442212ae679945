"""The lifecycle table itself: complete, unambiguous, and refusing with clear messages."""

from __future__ import annotations

from collections import defaultdict

import pytest

from handlers.i18n import Translator
from workflow import events as ev
from workflow.actors import ROLE_LABELS, Role
from workflow.dossier import ENCOURAGEMENT_LABELS, EncouragementForm
from workflow.errors import DomainError, NotPermitted, TransitionNotAllowed
from workflow.lifecycle import (
    ACTION_LABELS,
    ANY_STATE,
    BEFORE_DECISION,
    STATE_LABELS,
    TERMINAL_STATES,
    TRANSITIONS,
    Action,
    Condition,
    State,
    available,
    permit,
    transitions_for,
)
from workflow.obligations import OBLIGATION_LABELS, ObligationKind
from workflow.voting import CHOICE_LABELS, OUTCOME_LABELS, Choice, Outcome


def graph() -> dict[State | None, set[State]]:
    edges: dict[State | None, set[State]] = defaultdict(set)
    for t in TRANSITIONS:
        for source in t.sources:
            if t.target is not None:
                edges[source].add(t.target)
    return edges


def test_every_state_is_reachable_from_a_new_dossier():
    edges, seen, todo = graph(), set(), [None]
    while todo:
        for nxt in edges[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    assert seen == set(State)


def test_every_state_but_the_terminal_ones_has_a_way_out():
    edges = graph()
    for state in State:
        if state in TERMINAL_STATES:
            assert not edges[state], state
        else:
            assert edges[state] - {state}, f"{state} is a dead end"


def test_terminal_states_allow_only_fulfilling_obligations_and_recording_documents():
    # Duties and the cadre's protection outlive the dossier's course; so does making an
    # evaluated dossier's results public (887 Điều 5 khoản 3), once it is closed.
    for state in TERMINAL_STATES:
        publishing = ((Action.PUBLISH_RESULTS, Action.WITHDRAW_PUBLICATION)
                      if state is State.CLOSED else ())
        assert available(state, Role) == (Action.MARK_OBLIGATION_DONE,
                                          Action.RECORD_DOCUMENT, Action.DECIDE_PROTECTION,
                                          Action.RECORD_VERIFICATION, *publishing)


def test_one_action_from_one_state_selects_exactly_one_row_for_any_facts():
    by_key: dict[tuple[Action, State | None], list[Condition | None]] = defaultdict(list)
    for t in TRANSITIONS:
        for source in t.sources:
            by_key[(t.action, source)].append(t.when)
    for key, whens in by_key.items():
        assert len(whens) == len(set(whens)), key
        assert whens == [None] or None not in whens, f"{key}: a plain row beside conditional ones"


def test_rows_are_well_formed():
    for t in TRANSITIONS:
        assert t.roles, t
        assert t.events and all(issubclass(e, ev.Event) for e in t.events), t
        assert Role.ADMIN not in t.roles, "the administrator takes no step in a dossier"
        # The superior acts on its own dossier, not this one, except to conclude on an
        # incident it had verified (887 Điều 6 khoản 2 c).
        assert Role.SUPERIOR not in t.roles or t.action is Action.RECORD_VERIFICATION, t


def test_every_action_has_a_row():
    assert {t.action for t in TRANSITIONS} == set(Action)


def test_withdrawal_is_possible_exactly_until_a_decision():
    (row,) = transitions_for(Action.WITHDRAW)
    assert set(row.sources) == set(BEFORE_DECISION)
    for decided in (State.APPROVED, State.REJECTED, State.ANSWERED, State.IMPLEMENTING,
                    State.ESCALATED, State.CLOSED):
        assert decided not in row.sources


def test_implementation_needs_approval_answered_in_writing():
    (row,) = transitions_for(Action.START_IMPLEMENTATION)
    assert row.sources == (State.ANSWERED,)
    reaching_answered = [t for t in TRANSITIONS if t.target is State.ANSWERED]
    assert [t.sources for t in reaching_answered] == [(State.APPROVED,)]


def test_head_override_and_incident_and_unsuitable_regulation_can_create_obligations():
    for action in (Action.HEAD_DECIDE, Action.REPORT_INCIDENT, Action.CLOSE_BALLOT,
                   Action.FILE_EMERGENCY_REPORT, Action.REQUEST_PROTECTION):
        assert any(ev.ObligationCreated in t.events for t in transitions_for(action)), action


def test_mark_obligation_done_is_valid_in_any_state():
    (row,) = transitions_for(Action.MARK_OBLIGATION_DONE)
    assert row.sources == ANY_STATE and row.target is None


def test_labels_exist_for_everything_a_user_may_read():
    assert set(STATE_LABELS) == set(State)
    assert set(ACTION_LABELS) == set(Action)
    assert set(ROLE_LABELS) == set(Role)
    assert set(CHOICE_LABELS) == set(Choice)
    assert set(OUTCOME_LABELS) == set(Outcome)
    assert set(OBLIGATION_LABELS) == set(ObligationKind)
    assert set(ENCOURAGEMENT_LABELS) == set(EncouragementForm)


class TestPermit:
    def test_the_row_for_the_current_state_and_role(self):
        row = permit(Action.SUBMIT, State.DRAFT, {Role.PROPOSER}, {Condition.WITH_CELL})
        assert row.target is State.AT_CELL
        row = permit(Action.SUBMIT, State.DRAFT, {Role.PROPOSER}, {Condition.WITHOUT_CELL})
        assert row.target is State.SUBMITTED

    def test_a_wrong_state_is_refused_with_the_state_and_the_action_named(self):
        with pytest.raises(TransitionNotAllowed) as refused:
            permit(Action.REGISTER, State.DRAFT, {Role.OFFICE})
        error = refused.value
        assert error.params["state"] == STATE_LABELS[State.DRAFT]
        assert error.params["action"] == ACTION_LABELS[Action.REGISTER]
        assert str(error) == "You cannot register the dossier now: the dossier is “draft”."

    def test_a_wrong_role_is_refused(self):
        with pytest.raises(NotPermitted) as refused:
            permit(Action.REGISTER, State.SUBMITTED, {Role.PROPOSER, Role.MEMBER})
        assert refused.value.params["roles"] == (Role.OFFICE,)

    def test_a_step_the_route_does_not_provide_is_refused(self):
        with pytest.raises(TransitionNotAllowed, match="route does not provide"):
            permit(Action.ASSIGN_LEGAL_REVIEW, State.APPRAISED, {Role.OFFICE})

    def test_available_actions_follow_state_and_roles(self):
        assert set(available(State.DRAFT, {Role.PROPOSER})) == {
            Action.UPDATE_DRAFT, Action.SUBMIT, Action.WITHDRAW}
        assert set(available(State.BALLOT_OPEN, {Role.MEMBER})) == {Action.CAST_VOTE}
        assert Action.HEAD_DECIDE in available(State.NO_CONSENSUS, {Role.HEAD})


class TestMessages:
    def test_errors_render_in_vietnamese_with_translated_labels(self):
        with pytest.raises(DomainError) as refused:
            permit(Action.REGISTER, State.DRAFT, {Role.OFFICE})
        text = refused.value.render(Translator("vi"))
        assert text == "Hiện không thể tiếp nhận, vào sổ hồ sơ: hồ sơ đang ở trạng thái “bản nháp”."

    def test_every_label_has_a_vietnamese_translation(self):
        vi = Translator("vi")
        labels = [*STATE_LABELS.values(), *ACTION_LABELS.values(), *ROLE_LABELS.values(),
                  *CHOICE_LABELS.values(), *OUTCOME_LABELS.values(),
                  *OBLIGATION_LABELS.values(), *ENCOURAGEMENT_LABELS.values()]
        untranslated = [label for label in labels if vi(label) == label]
        assert not untranslated, "run .venv/bin/python -m bot.i18n_tools sync"
