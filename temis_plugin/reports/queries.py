"""What the reports read from the database: the rows of a scope, what was final at the cut-off, and the
level counts of packed sheets, for the report kinds and the TEMIS exports alike.

Counting happens in the database (GROUP BY with conditional counts over the packed level sheets), so
a national report reads a few hundred grouped rows, not a million evaluations. Per-educator rows
stream in school batches, keyset by school path, and never hold the whole list in memory.
"""

import datetime
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection
from django.db.models import BigIntegerField, Case, CharField, Count, F, Func, Q, Sum, Value, When
from django.db.models.functions import StrIndex, Substr
from django.utils import timezone

from ..models import EducatorProfile, Evaluation, OrgUnit
from ..standards import PACKED_CHARS, Level
from ..workflow import EvaluationState
from .scope import Scope, child_units, scope_of

# Schools per query when streaming per-educator rows: bounded memory, few round trips.
SCHOOL_BATCH = 200


def in_scope(queryset, scope: Scope, school_field="school"):
    """Rows of the schools in the scope.

    The schools come from a subquery on the unit path, so the database walks the (school, cycle) index
    school by school. Filtering on the joined unit's path instead made MariaDB scan every evaluation of
    the country for one province.
    """
    if scope.is_nation:
        return queryset
    schools = OrgUnit.objects.filter(kind="school", path__startswith=scope.path).values("pk")
    return queryset.filter(**{f"{school_field}_id__in": schools})


def child_unit_path(scope: Scope, school_field="school"):
    """SQL for the path of the unit one level below the scope that contains the school.

    Scope "/1/7/" and school "/1/7/42/913/" give "/1/7/42/"; a school scope gives itself.
    """
    path = f"{school_field}__path"
    length = len(scope.path)
    return Substr(path, 1, Value(length) + StrIndex(Substr(path, length + 1), Value("/")))


def units_by_path(paths) -> dict[str, OrgUnit]:
    return {unit.path: unit for unit in OrgUnit.objects.filter(path__in=list(paths))}


def evaluations(scope: Scope, cycle, framework_code: str):
    """The scope's evaluations of ``cycle`` under one framework."""
    return in_scope(Evaluation.objects.filter(cycle=cycle, framework_code=framework_code), scope)


def final_at(queryset, cut_off):
    """The evaluations that were final at ``cut_off``."""
    return queryset.filter(state=EvaluationState.FINALIZED, finalized_at__lte=cut_off)


def cycle_window(cycle, cut_off) -> tuple[datetime.datetime, datetime.datetime]:
    """The cycle's first and last moments, the last no later than the cut-off."""
    start = timezone.make_aware(datetime.datetime.combine(cycle.starts_on, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(cycle.ends_on, datetime.time.max))
    return start, min(end, cut_off)


def schools_in(scope: Scope):
    schools = OrgUnit.objects.filter(kind="school")
    return schools if scope.is_nation else schools.filter(path__startswith=scope.path)


def educator_rows(ids):
    """Identity and school of the educators ``ids``, as value rows."""
    return EducatorProfile.objects.filter(pk__in=list(ids)).values(
        "pk", "national_id", "full_name", "school__code", "school__name"
    )


class PackedLevelCounts(Func):
    """Per row, 1 for Tốt, 2**20 for Khá, 2**40 for Đạt (0 for Chưa đạt): summed over a group, the three
    counts sit in separate 20-bit fields of one integer, and Chưa đạt is the rest of the group.

    One simple CASE per criterion reads the level once; the plain form (a conditional count per level)
    evaluates 4 x 15 string comparisons per row and was 3-4 times slower on MariaDB. The letters compared
    are the storage letters of :mod:`temis_plugin.standards.levels`.
    """

    FIELD = 1 << 20
    # Each counted level's 20-bit field, lowest first; Chưa đạt is what the group has left.
    COUNTED = (Level.TOT, Level.KHA, Level.DAT)
    template = "(CASE %(expressions)s {} ELSE 0 END)".format(
        " ".join(f"WHEN '{PACKED_CHARS[level]}' THEN {1 << (20 * index)}" for index, level in enumerate(COUNTED))
    )
    output_field = BigIntegerField()

    @classmethod
    def unpack(cls, packed, group_size: int) -> dict[str, int]:
        """The group's count per storage letter, from one summed value."""
        if group_size >= cls.FIELD:
            # Never a silently wrong count: a group this large needs another grouping.
            raise ValueError(f"a report group of {group_size:,} evaluations is too large to count in one field")
        packed = int(packed or 0)
        counts = {PACKED_CHARS[level]: (packed >> (20 * index)) % cls.FIELD for index, level in enumerate(cls.COUNTED)}
        counts[PACKED_CHARS[Level.CHUA_DAT]] = group_size - sum(counts.values())
        return counts


def grouped_results(scope: Scope, cycle, framework, cut_off) -> list[dict]:
    """One pass over the scope's evaluations: a row per (child unit, school level, rating at the cut-off)
    with the count and, per criterion, the packed level counts (rating "" = not final at the cut-off).

    For the whole country the pass runs per province on parallel connections: the database spends its
    time evaluating one CASE per criterion and row, and one query uses one core of the server.
    """
    final = Q(state=EvaluationState.FINALIZED, finalized_at__lte=cut_off)
    sums = {f"c{n}": Sum(PackedLevelCounts(Substr("final_levels", n, 1))) for n in framework.criterion_numbers}

    def one_pass(part: Scope, unit_path):
        return list(
            evaluations(part, cycle, framework.code)
            .annotate(
                unit_path=unit_path,
                rating=Case(When(final, then=F("final_rating")), default=Value(""), output_field=CharField()),
            )
            .values("unit_path", "school_level", "rating")
            .annotate(n=Count("pk"), **sums)
            .order_by()
        )

    if not (scope.is_nation or scope.kind == "ministry") or connection.in_atomic_block:
        # Inside a transaction other connections would not see its data: one pass on this connection.
        return one_pass(scope, child_unit_path(scope))
    children = child_units(scope)
    workers = min(len(children), getattr(settings, "TEMIS_REPORT_PARALLEL_QUERIES", 4))
    if workers < 2:
        return one_pass(scope, child_unit_path(scope))

    def child_pass(unit):
        try:
            return one_pass(scope_of(unit), Value(unit.path))
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return [row for part in pool.map(child_pass, children) for row in part]


def educator_result_rows(scope: Scope, cycle, framework, cut_off, *, only_final=False):
    """Stream ``(school, educator, evaluation)`` value rows of the scope, school by school.

    Schools come in batches ordered by path; each batch is one query. The rows are dicts of plain
    values, for the summary report and the TEMIS exports alike.
    """
    schools = schools_in(scope)
    fields = (
        "pk",
        "school_id",
        "school_level",
        "state",
        "final_levels",
        "final_rating",
        "self_rating",
        "finalized_at",
        "educator_id",
        "educator__national_id",
        "educator__full_name",
        "educator__position",
        "educator__subject",
        "educator__level_start_date",
        "educator__position_since",
        "educator__is_core_teacher",
    )
    last_path = ""
    while True:
        batch = list(schools.filter(path__gt=last_path).values_list("pk", "code", "name", "path")[:SCHOOL_BATCH])
        if not batch:
            return
        last_path = batch[-1][3]
        by_id = {pk: (code, name) for pk, code, name, _path in batch}
        queryset = Evaluation.objects.filter(cycle=cycle, framework_code=framework.code, school_id__in=list(by_id))
        if only_final:
            queryset = final_at(queryset, cut_off)
        rows = queryset.values(*fields)
        # Order in Python within the batch: the database sorts a few thousand rows per batch either
        # way, and the school order must follow the batch's path order.
        order = {pk: index for index, (pk, *_rest) in enumerate(batch)}
        for row in sorted(rows, key=lambda r: (order[r["school_id"]], r["educator__full_name"], r["pk"])):
            final = row["state"] == EvaluationState.FINALIZED and row["finalized_at"] and row["finalized_at"] <= cut_off
            row["school_code"], row["school_name"] = by_id[row["school_id"]]
            row["is_final"] = bool(final)
            yield row
