"""Evaluation workflow states and actions."""

import pytest

from temis_plugin.workflow import Action, EvaluationState, InvalidTransition, allowed_actions, next_state


def test_happy_path():
    state = EvaluationState.DRAFT
    for action in (Action.SUBMIT, Action.ADD_OPINION, Action.FINALIZE):
        state = next_state(state, action)
    assert state is EvaluationState.FINALIZED


def test_finalized_changes_only_by_reopening():
    assert set(allowed_actions(EvaluationState.FINALIZED)) == {Action.REOPEN, Action.RETURN_TO_DRAFT}
    for action in (Action.EDIT_SELF, Action.EDIT_FINAL, Action.ADD_OPINION, Action.SUBMIT, Action.FINALIZE):
        with pytest.raises(InvalidTransition, match="finalized"):
            next_state(EvaluationState.FINALIZED, action)


def test_no_opinions_on_a_draft():
    with pytest.raises(InvalidTransition):
        next_state(EvaluationState.DRAFT, Action.ADD_OPINION)
