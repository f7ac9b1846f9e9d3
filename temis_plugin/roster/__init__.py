"""Roster import: units, schools, educators and mentor groups from .xlsx or .csv, all or nothing."""
from .importer import ImportSummary, RosterError, RowError, import_roster

__all__ = ["ImportSummary", "RosterError", "RowError", "import_roster"]
