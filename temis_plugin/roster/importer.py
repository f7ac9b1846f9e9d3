"""Imports a roster in one transaction: all rows or none.

Rows are read as a stream and written in batches inside the transaction while no problem has been
found; after the first problem the rest of the file is still checked (so every problem is listed)
and the transaction is rolled back. Memory holds the units, the mentor groups and one key per
educator, never the educators' rows.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import AuditEntry, Cycle, EducatorProfile, OrgUnit
from ..normalise import fold_word, identity_key
from ..roles import Position, UnitKind, parent_allowed
from .columns import POSITION_WORDS, SCHOOL_LEVEL_WORDS, UNIT_KIND_WORDS
from .errors import ErrorLog, RosterError, RowError
from .lookup import case_insensitive_in
from .reader import open_roster
from .row_checks import cell_problems, parse_bool, parse_date, parse_school_levels, text_limits
from .rows import RosterFileError
from .writer import ImportSummary, RosterWriter

BATCH = 1000
# Citizen identity cards (CCCD) carry 12 digits; a shorter all-digit identifier may have lost zeros.
CCCD_DIGITS = 12


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


class _RosterImport:
    """One import: checks each table's rows, writes them while the file is still clean."""

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
        self.educator_lines: dict[str, int] = {}  # key -> line, for every educator in the file
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

    # -- units ---------------------------------------------------------------------------------

    def _units(self):
        entries = []
        for line, row, bad in self.rows("units"):
            key = "" if "code" in bad else identity_key(row["code"])
            if key in self.file_units:
                self.error(
                    "units",
                    line,
                    "code",
                    _("appears again (first on line %(line)s)") % {"line": self.file_units[key]["line"]},
                    row["code"],
                    "duplicate",
                )
                continue
            kind = UNIT_KIND_WORDS.get(fold_word(row["kind"]))
            if kind is None and "kind" not in bad:
                self.error(
                    "units",
                    line,
                    "kind",
                    _("unknown kind %(kind)r; use one of %(kinds)s")
                    % {"kind": row["kind"], "kinds": ", ".join(k.value for k in UnitKind)},
                    row["kind"],
                    "unknown_word",
                )
            levels, unknown = parse_school_levels(row.get("school_levels", ""))
            if unknown:
                self.error(
                    "units",
                    line,
                    "school_levels",
                    _("unknown school level(s) %(levels)s; use TH, THCS, THPT") % {"levels": ", ".join(unknown)},
                    row["school_levels"],
                    "unknown_word",
                )
            elif kind == UnitKind.SCHOOL and not levels:
                self.error(
                    "units", line, "school_levels", _("a school needs at least one school level"), kind="required"
                )
            try:
                legacy = parse_bool(row.get("is_legacy", ""))
            except ValueError as exc:
                self.error("units", line, "is_legacy", str(exc), row["is_legacy"], "unknown_word")
                legacy = False
            entry = {
                "line": line,
                "code": row["code"],
                "name": row["name"],
                "kind": kind and UnitKind(kind),
                "parent_code": row.get("parent_code", ""),
                "parent_key": identity_key(row.get("parent_code", "")),
                "levels": levels,
                "is_legacy": legacy,
                "parent_known_bad": "parent_code" in bad,
            }
            if key:
                self.file_units[key] = entry
                entries.append(entry)
        self.unit_facts(e["parent_key"] for e in entries)
        for entry in entries:
            self._check_placement(entry)
        self._check_unit_loops()
        if self.clean and entries:
            self.writer.write_units(entries)

    def _check_placement(self, entry):
        if entry["parent_known_bad"]:
            return
        parent_key = entry["parent_key"]
        parent = self.unit(parent_key) if parent_key else None
        if parent_key and parent is None:
            self.error(
                "units",
                entry["line"],
                "parent_code",
                _("no unit %(code)s in this file or the database") % {"code": entry["parent_code"]},
                entry["parent_code"],
                "not_found",
            )
            return
        if entry["kind"] is None or (parent is not None and parent["kind"] is None):
            return  # the kind itself is already reported
        parent_kind = parent["kind"] if parent else None
        if not parent_allowed(entry["kind"], parent_kind):
            self.error(
                "units",
                entry["line"],
                "parent_code",
                _("a %(kind)s cannot be placed under %(parent)s")
                % {"kind": entry["kind"].value, "parent": parent_kind.value if parent_kind else _("no parent")},
                entry["parent_code"],
                "placement",
            )

    def _check_unit_loops(self):
        for key, entry in self.file_units.items():
            seen, current = {key}, entry["parent_key"]
            while current in self.file_units:
                if current in seen:
                    self.error(
                        "units",
                        entry["line"],
                        "parent_code",
                        _("units form a loop through their parents"),
                        entry["parent_code"],
                        "loop",
                    )
                    break
                seen.add(current)
                current = self.file_units[current]["parent_key"]

    # -- educators -----------------------------------------------------------------------------

    def _educators(self):
        batch = []
        for line, row, bad in self.rows("educators"):
            entry = self._educator(line, row, bad)
            if entry is not None:
                batch.append(entry)
            if len(batch) >= BATCH:
                self._educator_batch(batch)
                batch = []
        if batch:
            self._educator_batch(batch)

    def _educator(self, line, row, bad):
        for column in bad:
            row[column] = ""  # already reported: checked no further
        key = identity_key(row["national_id"])
        if key and key in self.educator_lines:
            self.error(
                "educators",
                line,
                "national_id",
                _("appears again (first on line %(line)s)") % {"line": self.educator_lines[key]},
                row["national_id"],
                "duplicate",
            )
            return None
        if key:
            self.educator_lines[key] = line
        entry = {
            "line": line,
            "national_id": row["national_id"],
            "key": key,
            "full_name": row["full_name"],
            "subject": row.get("subject", ""),
            "school_key": identity_key(row["school_code"]),
            "school_code": row["school_code"],
            "group_code": row.get("subject_group_code", ""),
            "group_key": identity_key(row.get("subject_group_code", "")),
            "username": row.get("username", ""),
        }
        position = POSITION_WORDS.get(fold_word(row["position"]))
        if position is None and row["position"]:
            self.error(
                "educators",
                line,
                "position",
                _("must be teacher, vice_principal or principal (giáo viên, phó hiệu trưởng, hiệu trưởng)"),
                row["position"],
                "unknown_word",
            )
        entry["position"] = position and Position(position)
        level = SCHOOL_LEVEL_WORDS.get(fold_word(row["school_level"]))
        if level is None and row["school_level"]:
            self.error(
                "educators", line, "school_level", _("must be TH, THCS or THPT"), row["school_level"], "unknown_word"
            )
        entry["school_level"] = level
        # position_since (TT14 eligibility) is optional: a file without the column keeps what is stored.
        dated = ("level_start_date", "position_since") if "position_since" in row else ("level_start_date",)
        for column in dated:
            try:
                entry[column] = parse_date(row.get(column, ""))
            except ValueError as exc:
                self.error("educators", line, column, str(exc), row[column], "bad_date")
                entry[column] = None
            if entry[column] and entry[column] > datetime.date.today():
                self.error("educators", line, column, _("is in the future"), row[column], "future_date")
        try:
            entry["is_core_teacher"] = parse_bool(row.get("is_core_teacher", ""))
        except ValueError as exc:
            self.error("educators", line, "is_core_teacher", str(exc), row["is_core_teacher"], "unknown_word")
            entry["is_core_teacher"] = False
        if entry["is_core_teacher"]:
            self.core_teachers.add(key)
        return entry

    def _educator_batch(self, batch):
        self.unit_facts(k for e in batch for k in (e["school_key"], e["group_key"]))
        users = self._users(batch)
        existing = {
            identity_key(p.national_id): p
            for p in case_insensitive_in(EducatorProfile.objects.all(), "national_id", {e["key"] for e in batch})
        }
        lost_zeros = self._lost_zero_candidates([e for e in batch if e["key"] not in existing])
        for entry in batch:
            self._check_educator_references(entry, existing, users, lost_zeros)
        if self.clean:
            self.writer.write_educators(batch, existing)

    def _check_educator_references(self, entry, existing, users, lost_zeros):
        line = entry["line"]
        school = self.unit(entry["school_key"]) if entry["school_key"] else {"kind": UnitKind.SCHOOL, "levels": []}
        if school is None:
            self.error(
                "educators",
                line,
                "school_code",
                _("no school %(code)s in this file or the database") % {"code": entry["school_code"]},
                entry["school_code"],
                "not_found",
            )
        elif school["kind"] != UnitKind.SCHOOL:
            self.error(
                "educators",
                line,
                "school_code",
                _("%(code)s is not a school") % {"code": entry["school_code"]},
                entry["school_code"],
                "wrong_kind",
            )
        elif entry["school_key"] and entry["school_level"] and entry["school_level"] not in school["levels"]:
            self.error(
                "educators",
                line,
                "school_level",
                _("school %(code)s has no %(level)s level")
                % {"code": entry["school_code"], "level": entry["school_level"]},
                entry["school_level"],
                "wrong_kind",
            )
        if entry["group_key"]:
            group = self.unit(entry["group_key"])
            if group is None:
                self.error(
                    "educators",
                    line,
                    "subject_group_code",
                    _("no subject group %(code)s in this file or the database") % {"code": entry["group_code"]},
                    entry["group_code"],
                    "not_found",
                )
            elif group["kind"] != UnitKind.SUBJECT_GROUP or group["parent_key"] != entry["school_key"]:
                self.error(
                    "educators",
                    line,
                    "subject_group_code",
                    _("%(group)s is not a subject group of school %(school)s")
                    % {"group": entry["group_code"], "school": entry["school_code"]},
                    entry["group_code"],
                    "wrong_kind",
                )
        padded = lost_zeros.get(entry["key"]) if entry["key"] else None
        if padded:
            self.error(
                "educators",
                line,
                "national_id",
                _(
                    "looks like %(stored)s with its leading zeros lost (Excel "
                    "stored it as a number): format the column as Text"
                )
                % {"stored": padded},
                entry["national_id"],
                "lost_zero",
            )
        entry["user"] = None
        username = entry["username"]
        if username:
            user_key = username.casefold()
            found = users.get(user_key, [])
            if not found:
                self.error(
                    "educators",
                    line,
                    "username",
                    _("no Open edX user %(name)r") % {"name": username},
                    username,
                    "username",
                )
            elif len(found) > 1:
                self.error(
                    "educators",
                    line,
                    "username",
                    _("more than one Open edX user is named %(name)r in other cases of letters") % {"name": username},
                    username,
                    "username",
                )
            elif user_key in self.usernames:
                self.error(
                    "educators",
                    line,
                    "username",
                    _("already used on line %(line)s") % {"line": self.usernames[user_key]},
                    username,
                    "duplicate",
                )
            else:
                user, linked_key = found[0]
                if linked_key not in (None, entry["key"]):
                    self.error(
                        "educators",
                        line,
                        "username",
                        _("this user is linked to another educator"),
                        username,
                        "username",
                    )
                else:
                    entry["user"] = user
            self.usernames.setdefault(user_key, line)

    def _users(self, batch) -> dict[str, list]:
        """Open edX users named in the batch, by case-folded username: [(user, key of linked educator)]."""
        from django.contrib.auth import get_user_model

        names = {e["username"] for e in batch if e["username"]}
        if not names:
            return {}
        found: dict[str, list] = {}
        model = get_user_model()
        for user in case_insensitive_in(model.objects.select_related("temis_educator"), model.USERNAME_FIELD, names):
            profile = getattr(user, "temis_educator", None)
            linked = identity_key(profile.national_id) if profile and profile.national_id else None
            found.setdefault(user.get_username().casefold(), []).append((user, linked))
        return found

    def _lost_zero_candidates(self, new_entries) -> dict[str, str]:
        """New all-digit identifiers shorter than a CCCD whose zero-padded form is already known."""
        candidates = {}
        for entry in new_entries:
            digits = entry["key"]
            if digits.isdigit() and len(digits) < CCCD_DIGITS:
                for width in range(len(digits) + 1, min(len(digits) + 3, CCCD_DIGITS) + 1):
                    candidates[digits.zfill(width)] = digits
        if not candidates:
            return {}
        lost = {}
        for padded, digits in candidates.items():
            if padded in self.educator_lines and digits not in lost:
                lost[digits] = padded
        for stored in EducatorProfile.objects.filter(national_id__in=list(candidates)).values_list(
            "national_id", flat=True
        ):
            lost.setdefault(candidates[stored], stored)
        return lost

    # -- mentor groups -------------------------------------------------------------------------

    def _mentor_groups(self):
        rows = [(line, row) for line, row, bad in self.rows("mentor_groups") if not bad]
        if not rows:
            return
        cycles = {
            identity_key(c.code): c
            for c in case_insensitive_in(Cycle.objects.all(), "code", {identity_key(r["cycle"]) for _l, r in rows})
        }
        people = {identity_key(r[c]) for _l, r in rows for c in ("mentor_national_id", "member_national_id")}
        unknown = people - set(self.educator_lines)
        stored = {
            identity_key(p.national_id): p.is_core_teacher
            for p in case_insensitive_in(
                EducatorProfile.objects.only("national_id", "is_core_teacher"), "national_id", unknown
            )
        }
        groups, seen, entries = {}, set(), []
        for line, row in rows:
            cycle = cycles.get(identity_key(row["cycle"]))
            if cycle is None:
                self.error(
                    "mentor_groups",
                    line,
                    "cycle",
                    _("no cycle %(code)r; create it first") % {"code": row["cycle"]},
                    row["cycle"],
                    "not_found",
                )
            mentor, member = identity_key(row["mentor_national_id"]), identity_key(row["member_national_id"])
            for column, person in (("mentor_national_id", mentor), ("member_national_id", member)):
                if person not in self.educator_lines and person not in stored:
                    self.error(
                        "mentor_groups",
                        line,
                        column,
                        _("no educator %(id)s in this file or the database") % {"id": row[column]},
                        row[column],
                        "not_found",
                    )
            is_core = mentor in self.core_teachers if mentor in self.educator_lines else stored.get(mentor)
            if is_core is False:
                self.error(
                    "mentor_groups",
                    line,
                    "mentor_national_id",
                    _("the mentor is not marked as a core teacher"),
                    row["mentor_national_id"],
                    "mentor",
                )
            if mentor == member:
                self.error(
                    "mentor_groups",
                    line,
                    "member_national_id",
                    _("a core teacher cannot mentor themselves"),
                    row["member_national_id"],
                    "mentor",
                )
            group_key = (identity_key(row["cycle"]), identity_key(row["group_code"]))
            if groups.setdefault(group_key, mentor) != mentor:
                self.error(
                    "mentor_groups",
                    line,
                    "mentor_national_id",
                    _("a group has one core teacher; this row names a different one"),
                    row["mentor_national_id"],
                    "mentor",
                )
            if (group_key, member) in seen:
                self.error(
                    "mentor_groups",
                    line,
                    "member_national_id",
                    _("is listed twice in this group"),
                    row["member_national_id"],
                    "duplicate",
                )
            seen.add((group_key, member))
            entries.append(
                {
                    "line": line,
                    "cycle": cycle,
                    "group_code": row["group_code"],
                    "group_key": group_key,
                    "group_name": row.get("group_name", ""),
                    "mentor": mentor,
                    "member": member,
                }
            )
        if self.clean:
            self.writer.write_mentor_groups(entries)
