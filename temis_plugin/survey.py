"""The programme satisfaction survey taken after a training module. Pure Python, no Django.

Each item is rated on a scale of 1 (very dissatisfied) to 5 (very satisfied). The items' wording is
here, once, for every screen that names them (the XBlock, the admin, the reports), each translating it
in the language of its request.
"""

from .labels import gettext_noop

SURVEY_ITEMS = ("content", "materials", "support", "usefulness")
SURVEY_ITEM_LABELS = {
    "content": gettext_noop("Content of the module"),
    "materials": gettext_noop("Learning materials"),
    "support": gettext_noop("Support during the module"),
    "usefulness": gettext_noop("Usefulness for my work"),
}
SCALE_MIN = 1
SCALE_MAX = 5
COMMENT_MAX_CHARS = 10000


class InvalidAnswers(ValueError):
    """The answers or the comment are not a valid survey response."""


def validate_answers(answers) -> dict[str, int]:
    """Check a survey payload: every item, and only the known items, each an integer 1..5.

    Numbers given as text ("5"), fractions and booleans are refused: the payload is JSON that
    a block produced, so anything but an integer is a fault to report, not to repair.
    """
    if not isinstance(answers, dict):
        raise InvalidAnswers("the answers must map each survey item to a rating")
    unknown = sorted(str(key) for key in answers if key not in SURVEY_ITEMS)
    if unknown:
        raise InvalidAnswers(f"unknown survey items: {', '.join(unknown)}")
    missing = [item for item in SURVEY_ITEMS if item not in answers]
    if missing:
        raise InvalidAnswers(f"every item needs a rating (missing: {', '.join(missing)})")
    checked = {}
    for item in SURVEY_ITEMS:
        value = answers[item]
        if isinstance(value, bool) or not isinstance(value, int) or not SCALE_MIN <= value <= SCALE_MAX:
            raise InvalidAnswers(f"{item}: the rating must be a whole number from {SCALE_MIN} to {SCALE_MAX}")
        checked[item] = value
    return checked


def validate_comment(comment) -> str:
    if not isinstance(comment, str):
        raise InvalidAnswers("the comment must be text")
    if len(comment) > COMMENT_MAX_CHARS:
        raise InvalidAnswers(f"the comment is longer than {COMMENT_MAX_CHARS:,} characters")
    return comment
