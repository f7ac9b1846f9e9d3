"""States of an evaluation and the actions that move it between them. Pure Python.

draft -> submitted -> opinions (colleague opinions being collected) -> finalized;
a finalized evaluation moves only by an explicit, audited reopening.
"""

from enum import StrEnum


class EvaluationState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    OPINIONS = "opinions"
    FINALIZED = "finalized"


class Action(StrEnum):
    EDIT_SELF = "edit_self"  # self levels, evidence links, reflection and plan
    SUBMIT = "submit"
    ADD_OPINION = "add_opinion"
    EDIT_FINAL = "edit_final"  # the head's (or superior's) levels, before finalizing
    FINALIZE = "finalize"
    REOPEN = "reopen"  # back to the head's stage
    RETURN_TO_DRAFT = "return_to_draft"  # back to the educator, from any later state


class InvalidTransition(Exception):
    def __init__(self, state: EvaluationState, action: Action):
        self.state, self.action = EvaluationState(state), Action(action)
        super().__init__(f"cannot {self.action.value} an evaluation that is {self.state.value}")


_S, _A = EvaluationState, Action
TRANSITIONS: dict[tuple[EvaluationState, Action], EvaluationState] = {
    (_S.DRAFT, _A.EDIT_SELF): _S.DRAFT,
    (_S.DRAFT, _A.SUBMIT): _S.SUBMITTED,
    (_S.SUBMITTED, _A.ADD_OPINION): _S.OPINIONS,
    (_S.OPINIONS, _A.ADD_OPINION): _S.OPINIONS,
    (_S.SUBMITTED, _A.EDIT_FINAL): _S.SUBMITTED,
    (_S.OPINIONS, _A.EDIT_FINAL): _S.OPINIONS,
    # The head may finalize without opinions: a school can have a one-teacher subject group.
    (_S.SUBMITTED, _A.FINALIZE): _S.FINALIZED,
    (_S.OPINIONS, _A.FINALIZE): _S.FINALIZED,
    (_S.FINALIZED, _A.REOPEN): _S.OPINIONS,
    (_S.SUBMITTED, _A.RETURN_TO_DRAFT): _S.DRAFT,
    (_S.OPINIONS, _A.RETURN_TO_DRAFT): _S.DRAFT,
    (_S.FINALIZED, _A.RETURN_TO_DRAFT): _S.DRAFT,
}


def next_state(state: EvaluationState, action: Action) -> EvaluationState:
    try:
        return TRANSITIONS[(EvaluationState(state), Action(action))]
    except KeyError:
        raise InvalidTransition(state, action) from None


def allowed_actions(state: EvaluationState) -> list[Action]:
    return [action for (from_state, action) in TRANSITIONS if from_state == state]
