"""Imports a roster in one transaction: all rows or none.

Rows are read as a stream and written in batches inside the transaction while no problem has been
found; after the first problem the rest of the file is still checked (so every problem is listed)
and the transaction is rolled back. Memory holds the units, the mentor groups and one key per
educator (compactly, :mod:`.identifiers`), never the educators' rows.
"""

from django.conf import settings
from django.db import transaction

from ..models import AuditEntry, OrgUnit
from ..normalise import identity_key
from ..roles import UnitKind
from .educator_table import EducatorTable
from .errors import ErrorLog, RosterError, RowError
from .identifiers import FileIdentifiers
from .lookup import case_insensitive_in
from .mentor_group_table import MentorGroupTable
from .reader import open_roster
from .row_checks import cell_problems, text_limits
from .rows import RosterFileError
from .unit_table import UnitTable
from .writer import BATCH, ImportSummary, RosterWriter


def import_roster(
    source, filename: str | None = None, table: str | None = None, actor=None, progress=None
) -> ImportSummary:
    """Import a roster file (path or binary file object). Raises :class:`RosterError` and writes
    nothing if any row is invalid. ``progress(rows_read, rows_expected)`` is called as rows are read."""
    try:
        roster = open_roster(source, filename=filename, table=table, max_bytes=settings.TEMIS_ROSTER_MAX_BYTES)
    except RosterFileError as exc:
        raise RosterError([RowError("file", 0, "", str(exc), sheet=exc.sheet, kind=exc.code)]) from None
    try:
        with transaction.atomic():
            run = _RosterImport(roster, progress)
            summary = run.run()
            AuditEntry.objects.create(
                actor=actor if getattr(actor, "pk", None) else None,
                action="roster_import",
                target=(filename or str(source))[-64:],
                after={"created": summary.created, "updated": summary.updated},
            )
    except RosterFileError as exc:
        raise RosterError([RowError("file", 0, "", str(exc), sheet=exc.sheet, kind=exc.code)]) from None
    finally:
        roster.close()
    return summary


class _RosterImport(UnitTable, EducatorTable, MentorGroupTable):
    """One import: checks each table's rows, writes them while the file is still clean. The tables'
    checks are mixins, one module each; this class holds what they share."""

    def __init__(self, roster, progress=None):
        self.roster = roster
        self.log = ErrorLog()
        self.limits = text_limits()
        self.writer = RosterWriter()
        self.progress = progress
        self.rows_read = 0
        self.rows_expected = sum(t.rows_estimate for t in roster.tables.values())
        self.file_units: dict[str, dict] = {}  # key -> checked unit row
        self.db_units: dict[str, dict | None] = {}  # key -> stored unit facts, None when absent
        self.educators_in_file = FileIdentifiers()  # key -> first line, for every educator in the file
        self.core_teachers: set[str] = set()  # keys of educators the file marks as core teachers
        self.usernames: dict[str, int] = {}

    # -- shared --------------------------------------------------------------------------------

    @property
    def clean(self) -> bool:
        return not self.log.counts

    def error(self, table, line, column, message, value="", kind=""):
        sheet = self.roster.tables[table].sheet if table in self.roster.tables else table
        self.log.add(RowError(table, line, column, message, value=value, sheet=sheet, kind=kind))

    def rows(self, table):
        """Every row of ``table`` with the columns already found wrong (required, length, identifier
        shape): later checks skip those columns, so each cell is reported once."""
        source = self.roster.tables.get(table)
        if source is None:
            return
        for line, row, problems in source.rows():
            self.rows_read += 1
            if self.progress and self.rows_read % BATCH == 0:
                self.progress(self.rows_read, max(self.rows_expected, self.rows_read))
            bad = set()
            for problem in problems:
                self.error(table, line, problem.column, problem.message, problem.value, problem.code)
                bad.add(problem.column)
            for column, message, value, kind in cell_problems(table, row, self.limits[table], bad):
                self.error(table, line, column, message, value, kind)
            yield line, row, bad

    def run(self) -> ImportSummary:
        self._units()
        self._educators()
        self._mentor_groups()
        if not self.clean:
            raise self.log.refusal()
        summary = self.writer.summary
        summary.notices = self.roster.notices() + self.writer.finish()
        if self.progress:
            self.progress(self.rows_read, self.rows_read)
        return summary

    def unit_facts(self, keys) -> None:
        """Look up, once, the stored units among ``keys`` that the file does not define."""
        wanted = {k for k in keys if k and k not in self.file_units and k not in self.db_units}
        if not wanted:
            return
        self.db_units.update(dict.fromkeys(wanted))
        for unit in case_insensitive_in(OrgUnit.objects.select_related("parent"), "code", wanted):
            self.db_units[identity_key(unit.code)] = {
                "kind": UnitKind(unit.kind),
                "levels": unit.school_level_list,
                "parent_key": identity_key(unit.parent.code) if unit.parent_id else "",
            }

    def unit(self, key):
        return self.file_units.get(key) or self.db_units.get(key)
