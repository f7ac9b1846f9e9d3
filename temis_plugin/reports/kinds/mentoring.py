"""Core-teacher mentoring: groups, mentees and support activities per core teacher and by unit."""

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from ...models import MentorGroup, SupportActivity
from ..cells import hours
from ..queries import child_unit_path, cycle_window, educator_rows, in_scope, units_by_path
from ..scope import Scope
from ..tables import Chart, Column, ColumnKind, Report, Table


def build(report: Report, scope: Scope, cycle, frameworks, cut_off):
    start, end = cycle_window(cycle, cut_off)
    groups = in_scope(MentorGroup.objects.filter(cycle=cycle), scope, school_field="mentor__school")
    activities = in_scope(
        SupportActivity.objects.filter(
            group__cycle=cycle, date__gte=start.date(), date__lte=end.date(), created__lte=cut_off
        ),
        scope,
        school_field="mentor__school",
    )
    group_stats = {
        row["mentor_id"]: row
        for row in groups.values("mentor_id")
        .annotate(groups=Count("pk", distinct=True), mentees=Count("memberships__mentee_id", distinct=True))
        .order_by()
    }
    activity_stats = {
        row["mentor_id"]: row
        for row in activities.values("mentor_id")
        .annotate(
            activities=Count("pk", distinct=True),
            minutes=Sum("duration_minutes"),
            reached=Count("attendance__mentee_id", distinct=True),
        )
        .order_by()
    }
    # Minutes summed over activities, not over attendance rows (the join above would repeat them).
    minutes = dict(activities.values_list("mentor_id").annotate(total=Sum("duration_minutes")).order_by())
    mentor_ids = set(group_stats) | set(activity_stats)
    mentors = {row["pk"]: row for row in educator_rows(mentor_ids)}
    rows = []
    for mentor_id in sorted(mentor_ids, key=lambda pk: (mentors[pk]["school__code"], mentors[pk]["full_name"])):
        mentor, g, a = mentors[mentor_id], group_stats.get(mentor_id, {}), activity_stats.get(mentor_id, {})
        rows.append(
            (
                mentor["school__code"],
                mentor["school__name"],
                mentor["national_id"] or "",
                mentor["full_name"],
                g.get("groups", 0),
                g.get("mentees", 0),
                a.get("activities", 0),
                hours(minutes.get(mentor_id, 0)),
                a.get("reached", 0),
            )
        )
    report.tables.append(
        Table(
            "mentors",
            _("Support by each core teacher"),
            [
                Column("school_code", _("School code")),
                Column("school", _("School")),
                Column("national_id", _("National identifier")),
                Column("full_name", _("Core teacher")),
                Column("groups", _("Groups"), ColumnKind.INTEGER),
                Column("mentees", _("Mentees"), ColumnKind.INTEGER),
                Column("activities", _("Support activities"), ColumnKind.INTEGER),
                Column("hours", _("Hours of support"), ColumnKind.DECIMAL),
                Column("reached", _("Mentees reached"), ColumnKind.INTEGER),
            ],
            rows,
        )
    )
    by_unit_groups = {
        r["unit_path"]: r
        for r in groups.annotate(unit_path=child_unit_path(scope, "mentor__school"))
        .values("unit_path")
        .annotate(
            mentors=Count("mentor_id", distinct=True),
            groups=Count("pk", distinct=True),
            mentees=Count("memberships__mentee_id", distinct=True),
        )
        .order_by()
    }
    by_unit_activities = {
        r["unit_path"]: r
        for r in activities.annotate(unit_path=child_unit_path(scope, "mentor__school"))
        .values("unit_path")
        .annotate(activities=Count("pk"), minutes=Sum("duration_minutes"))
        .order_by()
    }
    paths = set(by_unit_groups) | set(by_unit_activities)
    units = units_by_path(paths)
    unit_rows = []
    for path in sorted(paths, key=lambda p: units[p].code if p in units else p):
        g, a = by_unit_groups.get(path, {}), by_unit_activities.get(path, {})
        unit_rows.append(
            (
                units[path].code if path in units else "",
                units[path].name if path in units else "",
                g.get("mentors", 0),
                g.get("groups", 0),
                g.get("mentees", 0),
                a.get("activities", 0),
                hours(a.get("minutes") or 0),
            )
        )
    report.tables.append(
        Table(
            "mentoring_by_unit",
            _("Mentoring by unit"),
            [
                Column("unit_code", _("Unit code")),
                Column("unit", _("Unit")),
                Column("mentors", _("Core teachers"), ColumnKind.INTEGER),
                Column("groups", _("Groups"), ColumnKind.INTEGER),
                Column("mentees", _("Mentees"), ColumnKind.INTEGER),
                Column("activities", _("Support activities"), ColumnKind.INTEGER),
                Column("hours", _("Hours of support"), ColumnKind.DECIMAL),
            ],
            unit_rows,
            chart=Chart(_("Hours of support by unit"), "unit", ("hours",)),
        )
    )
