"""Training modules (bồi dưỡng thường xuyên): the catalogue and the courses delivering each module, the
acting educator's results, and the satisfaction survey after a module."""

from django.db import IntegrityError, transaction

from .. import survey
from ..data import ModuleResultData, SurveyResponseData, TrainingModuleData
from ..errors import InvalidInput, NotFound
from ..models import CourseModule, ModuleResult, SurveyResponse, TrainingModule
from ._shared import educator_of, own_educator
from ._training_records import course_key_text, lock_educator, module_result_data, training_module_data

_AUDIENCES = ("teacher", "principal")


def list_training_modules(audience: str | None = None) -> list[TrainingModuleData]:
    """The training modules, by code; only those for ``audience`` ("teacher" or "principal") if given."""
    modules = TrainingModule.objects.order_by("code")
    if audience is not None:
        if audience not in _AUDIENCES:
            raise InvalidInput(f"audience is one of {', '.join(_AUDIENCES)}")
        modules = modules.filter(audience=audience)
    return [training_module_data(m) for m in modules]


def module_for_course(course_key: str) -> TrainingModuleData | None:
    """The training module a course delivers, or None when the course is not mapped to one."""
    mapping = CourseModule.objects.select_related("module").filter(course_key=course_key_text(course_key)).first()
    return training_module_data(mapping.module) if mapping else None


def list_module_results(user) -> list[ModuleResultData]:
    """The acting educator's own training-module results, by module code and course."""
    educator = educator_of(user)
    if educator is None:
        return []
    results = (
        ModuleResult.objects.filter(educator=educator).select_related("module").order_by("module__code", "course_key")
    )
    return [module_result_data(r) for r in results]


def save_survey_response(user, module_code: str, answers: dict, comment: str = "") -> SurveyResponseData:
    """Save the acting educator's satisfaction survey about a module; a second save replaces the first."""
    try:
        answers = survey.validate_answers(answers)
        comment = survey.validate_comment(comment)
    except survey.InvalidAnswers as exc:
        raise InvalidInput(str(exc)) from None
    educator = own_educator(user)
    module = _training_module(module_code)
    for attempt in range(2):
        try:
            with transaction.atomic():
                lock_educator(educator)
                response = SurveyResponse.objects.select_for_update().filter(educator=educator, module=module).first()
                response = response or SurveyResponse(educator=educator)
                response.module = module
                response.answers, response.comment = answers, comment
                response.save()
            break
        except IntegrityError:
            if attempt:
                raise
    return _survey_response_data(response)


def get_survey_response(user, module_code: str) -> SurveyResponseData | None:
    """The acting educator's survey response about a module, or None when there is none yet."""
    module = _training_module(module_code)
    educator = educator_of(user)
    if educator is None:
        return None
    response = SurveyResponse.objects.filter(educator=educator, module=module).select_related("module").first()
    return _survey_response_data(response) if response else None


def _training_module(code) -> TrainingModule:
    module = TrainingModule.objects.filter(code=code).first() if isinstance(code, str) else None
    if module is None:
        raise NotFound(f"no training module {code!r}")
    return module


def _survey_response_data(response: SurveyResponse) -> SurveyResponseData:
    return SurveyResponseData(
        module_code=response.module.code,
        answers=dict(response.answers),
        comment=response.comment,
        created=response.created,
        modified=response.modified,
    )
