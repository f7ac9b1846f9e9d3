"""What the training modules' catalogue and their results share: course keys, the lock every writer of
an educator's results takes, and the records as plain data."""

from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from ..data import ModuleResultData, TrainingModuleData
from ..errors import InvalidInput
from ..models import EducatorProfile, ModuleResult, TrainingModule


def course_key_text(value) -> str:
    try:
        return str(value if isinstance(value, CourseKey) else CourseKey.from_string(str(value).strip()))
    except InvalidKeyError:
        raise InvalidInput(f"not an Open edX course key: {value!r}") from None


def lock_educator(educator):
    # Every writer of an educator's results and survey responses queues on the educator's row: the
    # row to change may not exist yet, and a lock on a missing row is not a lock in every database.
    EducatorProfile.objects.select_for_update().filter(pk=educator.pk).values_list("pk").get()


def training_module_data(module: TrainingModule) -> TrainingModuleData:
    return TrainingModuleData(
        code=module.code,
        name_vi=module.name_vi,
        name_en=module.name_en,
        audience=module.audience,
        hours=module.hours,
        legal_basis=module.legal_basis,
        criteria=list(module.criteria or []),
    )


def module_result_data(result: ModuleResult) -> ModuleResultData:
    return ModuleResultData(
        module=training_module_data(result.module),
        course_key=result.course_key,
        percent=float(result.percent) if result.percent is not None else None,
        passed=result.passed,
        passed_on=result.passed_on,
        last_event_at=result.last_event_at,
    )
