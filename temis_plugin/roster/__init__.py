"""Roster import: units, schools, educators and mentor groups from .xlsx or .csv, all or nothing."""

from .errors import RosterError, RowError
from .importer import ImportSummary, import_roster

__all__ = ["ImportSummary", "RosterError", "RowError", "import_roster"]
