"""The support log of a core teacher (giáo viên cốt cán): the support activities held with mentees of
their groups, each change audited, and the log exported as a spreadsheet.

Only the mentor of a group logs, edits, reads and exports its support activities; anyone else gets
the answer a missing id gets, so ids cannot be probed. Edits name the ``expected_version`` they
started from, as evaluation writes do, and every change lands in the audit trail (an
:class:`~temis_plugin.models.AuditEntry` with no evaluation and the target ``support_activity:<id>``).
"""

import csv
import datetime
import io

from django.db import transaction
from django.utils.translation import gettext as _

from ..data import AuditEntryData, SupportActivityData
from ..errors import ConcurrentEdit, InvalidInput, NotFound
from ..models import AuditEntry, MentorGroup, SupportActivity, SupportAttendance, SupportForm
from ..reports.formulas import as_text
from ._shared import checked_text, cycle_row, educator_data, educator_of, own_educator
from .frameworks import teacher_framework

FORMS = tuple(SupportForm.values)
MAX_MINUTES = 24 * 60
TOPIC_MAX = 255
EDITABLE = ("date", "duration_minutes", "form", "topic", "criteria", "mentee_ids", "notes", "next_steps")
EXPORT_FORMATS = ("csv", "xlsx")


def log_support_activity(
    user,
    group_code: str,
    *,
    date,
    duration_minutes,
    form,
    topic,
    criteria,
    mentee_ids,
    notes: str = "",
    next_steps: str = "",
) -> SupportActivityData:
    """Log a support activity the acting core teacher held with mentees of one of their groups."""
    mentor = own_educator(user)
    date = _checked_date(date)
    group = _mentored_group(mentor, group_code, date)
    values = _checked_values(
        group,
        {
            "date": date,
            "duration_minutes": duration_minutes,
            "form": form,
            "topic": topic,
            "criteria": criteria,
            "mentee_ids": mentee_ids,
            "notes": notes,
            "next_steps": next_steps,
        },
    )
    with transaction.atomic():
        activity = SupportActivity(mentor=mentor, group=group)
        _apply(activity, values)
        activity.save()
        SupportAttendance.objects.bulk_create(
            [SupportAttendance(activity=activity, mentee_id=pk) for pk in values["mentee_ids"]]
        )
        _audit(activity, user, "log_support_activity", None, _snapshot(activity, values["mentee_ids"]))
    return get_support_activity(user, activity.pk)


def update_support_activity(user, activity_id: int, expected_version: int, **changes) -> SupportActivityData:
    """Change fields of a support activity (any of: date, duration_minutes, form, topic, criteria,
    mentee_ids, notes, next_steps); a stale ``expected_version`` raises ConcurrentEdit."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput(f"these fields cannot be changed: {', '.join(unknown)}", field=unknown[0])
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        raise InvalidInput(
            "expected_version must be the version number the change started from", field="version"
        ) from None
    with transaction.atomic():
        activity = _activity(user, activity_id, lock=True)
        if expected != activity.version:
            raise ConcurrentEdit(activity.version, "the support activity")
        old_mentees = _mentee_ids(activity)
        before = _snapshot(activity, old_mentees)
        if "date" in changes:
            changes["date"] = _checked_date(changes["date"])
        values = _checked_values(activity.group, changes)
        _apply(activity, values)
        mentees = values.get("mentee_ids", old_mentees)
        after = _snapshot(activity, mentees)
        if after != before:
            if mentees != old_mentees:
                activity.attendance.all().delete()
                SupportAttendance.objects.bulk_create(
                    [SupportAttendance(activity=activity, mentee_id=pk) for pk in mentees]
                )
            activity.version += 1
            activity.save()
            changed = [k for k in after if after[k] != before[k]]
            _audit(
                activity, user, "edit_support_activity", {k: before[k] for k in changed}, {k: after[k] for k in changed}
            )
    return get_support_activity(user, activity.pk)


def get_support_activity(user, activity_id: int) -> SupportActivityData:
    return _activity_data(_activity(user, activity_id))


def list_support_activities(user, cycle_code: str | None = None) -> list[SupportActivityData]:
    """The support activities of the acting core teacher's groups in the cycle, newest first."""
    mentor = educator_of(user)
    if mentor is None:
        return []
    cycle = cycle_row(cycle_code)
    activities = (
        SupportActivity.objects.filter(group__mentor=mentor, group__cycle=cycle)
        .select_related("group__cycle")
        .prefetch_related("mentees__school", "mentees__subject_group")
        .order_by("-date", "-id")
    )
    return [_activity_data(a) for a in activities]


def support_activity_history(user, activity_id: int) -> list[AuditEntryData]:
    """Every change to a support activity, oldest first, with the values before and after."""
    activity = _activity(user, activity_id)
    entries = AuditEntry.objects.filter(evaluation__isnull=True, target=_target(activity)).select_related("actor")
    return [
        AuditEntryData(
            at=e.at,
            actor=e.actor.get_username() if e.actor else None,
            action=e.action,
            target=e.target,
            before=e.before,
            after=e.after,
            reason=e.reason,
        )
        for e in entries.order_by("at", "id")
    ]


def export_support_activities(user, fmt: str, cycle_code: str | None = None) -> bytes:
    """The support log of the cycle as CSV (UTF-8 with a BOM, so Excel reads Vietnamese) or .xlsx.

    Headers and forms are in the active language. Text that a spreadsheet would take for a formula
    (starting with =, +, -, @) is prefixed with an apostrophe.
    """
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(f"the export format is one of {', '.join(EXPORT_FORMATS)}", field="fmt")
    activities = list_support_activities(user, cycle_code)
    forms = dict(SupportForm.choices)
    header = [
        _("Date"),
        _("Group"),
        _("Duration (minutes)"),
        _("Form"),
        _("Topic"),
        _("Criteria"),
        _("Mentees present"),
        _("Notes"),
        _("Next steps"),
    ]
    rows = [
        [
            a.date,
            a.group_code,
            a.duration_minutes,
            str(forms.get(a.form, a.form)),
            a.topic,
            ", ".join(str(n) for n in a.criteria),
            "; ".join(m.full_name for m in a.mentees),
            a.notes,
            a.next_steps,
        ]
        for a in activities
    ]
    rows = [[as_text(v) for v in row] for row in rows]
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([[v.isoformat() if isinstance(v, datetime.date) else v for v in row] for row in rows])
        return text.getvalue().encode("utf-8-sig")
    return _xlsx(header, rows)


# ---------------------------------------------------------------------------------------------
# Internals


def _mentored_group(mentor, group_code, date) -> MentorGroup:
    if not isinstance(group_code, str) or not group_code:
        raise InvalidInput("name the mentor group", field="group_code")
    groups = list(
        MentorGroup.objects.filter(mentor=mentor, code=group_code).select_related("cycle").order_by("-cycle__starts_on")
    )
    if not groups:
        raise NotFound(f"no mentor group {group_code!r}")
    for group in groups:
        if group.cycle.starts_on <= date <= group.cycle.ends_on:
            return group
    raise InvalidInput(f"{date.isoformat()} is outside the cycle of group {group_code}", field="date")


def _activity(user, activity_id, lock=False) -> SupportActivity:
    mentor = educator_of(user)
    try:
        pk = int(activity_id)
    except (TypeError, ValueError):
        raise NotFound(f"no support activity {activity_id}") from None
    rows = SupportActivity.objects.filter(pk=pk, group__mentor=mentor) if mentor else SupportActivity.objects.none()
    if lock and rows.exists():
        # The activity row alone, as for evaluations: joins would lock the group and the mentor too.
        SupportActivity.objects.select_for_update().filter(pk=pk).values_list("pk").get()
    activity = rows.select_related("group__cycle").first()
    if activity is None:
        raise NotFound(f"no support activity {activity_id}")
    return activity


def _checked_date(value) -> datetime.date:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            raise InvalidInput("the date must be YYYY-MM-DD", field="date") from None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise InvalidInput("the date must be a date", field="date")
    return value


def _checked_values(group: MentorGroup, values: dict) -> dict:
    """Check the fields given (any subset of EDITABLE) against the group; returns the clean values."""
    checked = {}
    if "date" in values:
        date = values["date"]
        if not group.cycle.starts_on <= date <= group.cycle.ends_on:
            raise InvalidInput(f"{date.isoformat()} is outside the cycle of group {group.code}", field="date")
        checked["date"] = date
    if "duration_minutes" in values:
        minutes = values["duration_minutes"]
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
            raise InvalidInput(f"the duration is a number of minutes from 1 to {MAX_MINUTES}", field="duration_minutes")
        checked["duration_minutes"] = minutes
    if "form" in values:
        if values["form"] not in FORMS:
            raise InvalidInput(f"the form is one of {', '.join(FORMS)}", field="form")
        checked["form"] = values["form"]
    if "topic" in values:
        topic = checked_text(values["topic"], "topic").strip()
        if not topic:
            raise InvalidInput("the topic is required", field="topic")
        if len(topic) > TOPIC_MAX:
            raise InvalidInput(f"the topic is longer than {TOPIC_MAX} characters", field="topic")
        checked["topic"] = topic
    if "criteria" in values:
        checked["criteria"] = _checked_criteria(values["criteria"])
    if "mentee_ids" in values:
        checked["mentee_ids"] = _checked_mentees(group, values["mentee_ids"])
    for name in ("notes", "next_steps"):
        if name in values:
            try:
                checked[name] = checked_text(values[name], name)
            except InvalidInput as exc:
                raise InvalidInput(str(exc), field=name) from None
    return checked


def _checked_criteria(criteria) -> list[int]:
    if isinstance(criteria, (str, bytes)) or not hasattr(criteria, "__iter__"):
        raise InvalidInput("criteria must be a list of criterion numbers", field="criteria")
    framework = teacher_framework()
    numbers = set()
    for value in criteria:
        try:
            if isinstance(value, bool):
                raise ValueError
            numbers.add(int(value))
        except (TypeError, ValueError):
            raise InvalidInput(f"not a criterion number: {value!r}", field="criteria") from None
    unknown = sorted(numbers - set(framework.criterion_numbers))
    if unknown:
        raise InvalidInput(f"{framework.code} has no criteria {unknown}", field="criteria")
    return sorted(numbers)


def _checked_mentees(group: MentorGroup, mentee_ids) -> list[int]:
    if isinstance(mentee_ids, (str, bytes)) or not hasattr(mentee_ids, "__iter__"):
        raise InvalidInput("mentee_ids must be a list of educator ids", field="mentee_ids")
    try:
        ids = {int(i) for i in mentee_ids if not isinstance(i, bool)}
    except (TypeError, ValueError):
        raise InvalidInput("mentee_ids must be a list of educator ids", field="mentee_ids") from None
    if not ids:
        raise InvalidInput("name at least one mentee present", field="mentee_ids")
    members = set(group.memberships.filter(mentee__in=ids).values_list("mentee_id", flat=True))
    if ids - members:
        raise InvalidInput(f"not members of group {group.code}: {sorted(ids - members)}", field="mentee_ids")
    return sorted(ids)


def _apply(activity: SupportActivity, values: dict):
    for name, value in values.items():
        if name != "mentee_ids":
            setattr(activity, name, value)


def _mentee_ids(activity) -> list[int]:
    return sorted(activity.attendance.values_list("mentee_id", flat=True))


def _snapshot(activity: SupportActivity, mentee_ids) -> dict:
    return {
        "date": activity.date.isoformat(),
        "duration_minutes": activity.duration_minutes,
        "form": activity.form,
        "topic": activity.topic,
        "criteria": list(activity.criteria),
        "mentee_ids": list(mentee_ids),
        "notes": activity.notes,
        "next_steps": activity.next_steps,
    }


def _target(activity) -> str:
    return f"support_activity:{activity.pk}"


def _audit(activity, user, action, before, after):
    AuditEntry.objects.create(
        evaluation=None,
        actor=user if getattr(user, "pk", None) else None,
        action=action,
        target=_target(activity),
        before=before,
        after=after,
    )


def _activity_data(activity: SupportActivity) -> SupportActivityData:
    mentees = sorted(activity.mentees.all(), key=lambda e: (e.full_name, e.pk))
    return SupportActivityData(
        id=activity.pk,
        group_code=activity.group.code,
        cycle_code=activity.group.cycle.code,
        mentor_id=activity.mentor_id,
        date=activity.date,
        duration_minutes=activity.duration_minutes,
        form=activity.form,
        topic=activity.topic,
        criteria=list(activity.criteria),
        mentees=[educator_data(m) for m in mentees],
        notes=activity.notes,
        next_steps=activity.next_steps,
        version=activity.version,
        created=activity.created,
        modified=activity.modified,
    )


def _xlsx(header, rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Support activities")[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows(min_row=2, max_col=1):
        row[0].number_format = "yyyy-mm-dd"
    for column, width in zip("ABCDEFGHI", (12, 12, 10, 22, 40, 14, 40, 60, 60)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
