"""Validates a whole roster, then writes it in one transaction: all rows or none."""
import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from ..models import AuditEntry, Cycle, EducatorProfile, MentorGroup, MentorGroupMembership, OrgUnit
from ..roles import Position, SchoolLevel, UnitKind, parent_allowed
from .reader import RosterFileError, read_roster

BATCH = 1000
TRUE_WORDS = {"1", "true", "yes", "x", "co", "có", "y"}
FALSE_WORDS = {"", "0", "false", "no", "khong", "không", "n"}
POSITION_WORDS = {"teacher": Position.TEACHER, "giao vien": Position.TEACHER, "giáo viên": Position.TEACHER,
                  "vice_principal": Position.VICE_PRINCIPAL, "pho hieu truong": Position.VICE_PRINCIPAL,
                  "phó hiệu trưởng": Position.VICE_PRINCIPAL, "principal": Position.PRINCIPAL,
                  "hieu truong": Position.PRINCIPAL, "hiệu trưởng": Position.PRINCIPAL}
REQUIRED = {
    "units": ("code", "name", "kind"),
    "educators": ("national_id", "full_name", "school_code", "position", "school_level"),
    "mentor_groups": ("cycle", "group_code", "mentor_national_id", "member_national_id"),
}


def _text_limits() -> dict[str, dict[str, int]]:
    """Longest text each roster column may hold, from the model fields it is written to.

    Checked before writing: MariaDB refuses an over-long value mid-transaction, SQLite would keep it.
    """
    def limit(model, name):
        return model._meta.get_field(name).max_length
    return {
        "units": {"code": limit(OrgUnit, "code"), "name": limit(OrgUnit, "name")},
        "educators": {"national_id": limit(EducatorProfile, "national_id"),
                      "full_name": limit(EducatorProfile, "full_name"), "subject": limit(EducatorProfile, "subject"),
                      "school_code": limit(OrgUnit, "code"), "subject_group_code": limit(OrgUnit, "code")},
        "mentor_groups": {"cycle": limit(Cycle, "code"), "group_code": limit(MentorGroup, "code"),
                          "group_name": limit(MentorGroup, "name"),
                          "mentor_national_id": limit(EducatorProfile, "national_id"),
                          "member_national_id": limit(EducatorProfile, "national_id")},
    }


@dataclass(frozen=True)
class RowError:
    table: str
    line: int  # line in the CSV, or row in the sheet (the header is line 1); 0 for the whole file
    column: str
    message: str

    def __str__(self):
        where = f"{self.table}, line {self.line}" if self.line else self.table
        return f"{where}, {self.column or '-'}: {self.message}"


class RosterError(ValueError):
    """The roster was refused whole; ``errors`` lists every problem found."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"roster refused, {len(errors)} problem(s); nothing was imported")


@dataclass
class ImportSummary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)


def import_roster(source, filename: str | None = None, table: str | None = None, actor=None) -> ImportSummary:
    """Import a roster file (path or file object). Raises :class:`RosterError` and writes nothing
    if any row is invalid."""
    try:
        tables = read_roster(source, filename=filename, table=table, max_bytes=settings.TEMIS_ROSTER_MAX_BYTES)
    except RosterFileError as exc:
        raise RosterError([RowError("file", 0, "", str(exc))]) from None
    plan = _Validator(tables).validate()
    with transaction.atomic():
        summary = _Writer(plan).write()
        AuditEntry.objects.create(actor=actor if getattr(actor, "pk", None) else None, action="roster_import",
                                  target=(filename or str(source))[-64:],
                                  after={"created": summary.created, "updated": summary.updated})
    return summary


def _parse_bool(value: str):
    folded = value.strip().lower()
    if folded in TRUE_WORDS:
        return True
    if folded in FALSE_WORDS:
        return False
    raise ValueError("must be yes/no (1/0, x or empty)")


def _parse_date(value: str):
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError("must be a date as YYYY-MM-DD or DD/MM/YYYY")


class _Validator:
    """Checks every row and every reference; produces a plan of clean values, or RosterError."""

    def __init__(self, tables):
        self.tables = tables
        self.errors: list[RowError] = []

    def error(self, table, line, column, message):
        self.errors.append(RowError(table, line, column, message))

    def validate(self) -> dict:
        plan = {"units": [], "educators": [], "mentor_groups": []}
        limits = _text_limits()
        for table, rows in self.tables.items():
            for line, row in rows:
                for column in REQUIRED[table]:
                    if not row.get(column):
                        self.error(table, line, column, "is required")
                for column, longest in limits[table].items():
                    if len(row.get(column) or "") > longest:
                        self.error(table, line, column, f"is longer than {longest} characters")
        if not self.errors:
            plan["units"] = self._units(self.tables.get("units", []))
            plan["educators"] = self._educators(self.tables.get("educators", []), plan["units"])
            plan["mentor_groups"] = self._mentor_groups(self.tables.get("mentor_groups", []), plan["educators"])
        if self.errors:
            raise RosterError(sorted(self.errors, key=lambda e: (e.table, e.line, e.column)))
        return plan

    def _units(self, rows):
        in_file, clean = {}, []
        for line, row in rows:
            code = row["code"]
            if code in in_file:
                self.error("units", line, "code", f"{code} appears again (first on line {in_file[code]['line']})")
                continue
            try:
                kind = UnitKind(row["kind"].strip().lower())
            except ValueError:
                self.error("units", line, "kind", f"unknown kind {row['kind']!r}; use one of "
                           + ", ".join(k.value for k in UnitKind))
                kind = None  # still a known code, so rows under it are not reported as orphans
            levels = [lv.strip().upper() for lv in row.get("school_levels", "").replace(";", ",").split(",")
                      if lv.strip()]
            bad = [lv for lv in levels if lv not in SchoolLevel.__members__]
            if bad:
                self.error("units", line, "school_levels", f"unknown school level(s) {bad}; use TH, THCS, THPT")
            if kind is UnitKind.SCHOOL and not levels:
                self.error("units", line, "school_levels", "a school needs at least one school level")
            try:
                legacy = _parse_bool(row.get("is_legacy", ""))
            except ValueError as exc:
                self.error("units", line, "is_legacy", str(exc))
                legacy = False
            entry = {"line": line, "code": code, "name": row["name"], "kind": kind,
                     "parent_code": row.get("parent_code", ""), "school_levels": ",".join(levels),
                     "is_legacy": legacy}
            in_file[code] = entry
            clean.append(entry)
        parent_codes = {e["parent_code"] for e in clean if e["parent_code"]} - set(in_file)
        in_db = dict(OrgUnit.objects.filter(code__in=parent_codes).values_list("code", "kind"))
        for entry in clean:
            parent = entry["parent_code"]
            if not parent:
                parent_kind = None
            elif parent in in_file:
                parent_kind = in_file[parent]["kind"]
            elif parent in in_db:
                parent_kind = UnitKind(in_db[parent])
            else:
                self.error("units", entry["line"], "parent_code", f"no unit {parent} in this file or the database")
                continue
            if entry["kind"] is None or (parent and parent_kind is None):
                continue  # the kind itself is already reported
            if not parent_allowed(entry["kind"], parent_kind):
                self.error("units", entry["line"], "parent_code",
                           f"a {entry['kind'].value} cannot be placed under "
                           f"{parent_kind.value if parent_kind else 'no parent'}")
        self._check_unit_cycles(in_file)
        return clean

    def _check_unit_cycles(self, in_file):
        for code, entry in in_file.items():
            seen, current = {code}, entry["parent_code"]
            while current in in_file:
                if current in seen:
                    self.error("units", entry["line"], "parent_code", "units form a loop through their parents")
                    break
                seen.add(current)
                current = in_file[current]["parent_code"]

    def _educators(self, rows, units):
        file_units = {u["code"]: u for u in units}
        referenced = {r.get(c) for _l, r in rows for c in ("school_code", "subject_group_code") if r.get(c)}
        db_units = {u.code: u for u in OrgUnit.objects.filter(code__in=referenced - set(file_units))
                    .select_related("parent")}
        usernames = {r["username"] for _l, r in rows if r.get("username")}
        users = {u.get_username(): u for u in get_user_model().objects.filter(username__in=usernames)}
        linked = dict(EducatorProfile.objects.filter(user__in=users.values())
                      .values_list("user__username", "national_id"))
        seen_ids, seen_users, clean = {}, {}, []
        for line, row in rows:
            national_id = row["national_id"]
            if national_id in seen_ids:
                self.error("educators", line, "national_id", f"appears again (first on line {seen_ids[national_id]})")
                continue
            seen_ids[national_id] = line
            entry = {"line": line, "national_id": national_id, "full_name": row["full_name"],
                     "subject": row.get("subject", ""), "school_code": row["school_code"],
                     "subject_group_code": row.get("subject_group_code", "")}
            school_kind, school_levels = self._unit_info(row["school_code"], file_units, db_units)
            if school_kind != UnitKind.SCHOOL:
                self.error("educators", line, "school_code", f"no school {row['school_code']} in this file or the "
                           "database" if school_kind is None else f"{row['school_code']} is not a school")
            group = entry["subject_group_code"]
            if group:
                group_kind, _levels = self._unit_info(group, file_units, db_units)
                group_parent = (file_units[group]["parent_code"] if group in file_units
                                else db_units[group].parent.code if group in db_units and db_units[group].parent
                                else None)
                if group_kind != UnitKind.SUBJECT_GROUP or group_parent != row["school_code"]:
                    self.error("educators", line, "subject_group_code",
                               f"{group} is not a subject group of school {row['school_code']}")
            position = POSITION_WORDS.get(row["position"].strip().lower())
            if position is None:
                self.error("educators", line, "position", "must be teacher, vice_principal or principal")
            entry["position"] = position
            level = row["school_level"].strip().upper()
            if level not in SchoolLevel.__members__:
                self.error("educators", line, "school_level", "must be TH, THCS or THPT")
            elif school_levels is not None and level not in school_levels:
                self.error("educators", line, "school_level", f"school {row['school_code']} has no {level} level")
            entry["school_level"] = level
            # position_since (TT14 eligibility) is optional: a file without the column keeps what is stored.
            dated = ("level_start_date", "position_since") if "position_since" in row else ("level_start_date",)
            for column, parse in [(c, _parse_date) for c in dated] + [("is_core_teacher", _parse_bool)]:
                try:
                    entry[column] = parse(row.get(column, ""))
                except ValueError as exc:
                    self.error("educators", line, column, str(exc))
            for column in dated:
                if entry.get(column) and entry[column] > datetime.date.today():
                    self.error("educators", line, column, "is in the future")
            username = row.get("username", "")
            entry["user"] = None
            if username:
                if username not in users:
                    self.error("educators", line, "username", f"no Open edX user {username!r}")
                elif username in seen_users:
                    self.error("educators", line, "username", f"already used on line {seen_users[username]}")
                elif linked.get(username) not in (None, national_id):
                    self.error("educators", line, "username", "this user is linked to another educator")
                else:
                    entry["user"] = users[username]
                seen_users[username] = line
            clean.append(entry)
        return clean

    @staticmethod
    def _unit_info(code, file_units, db_units):
        if code in file_units:
            return file_units[code]["kind"], file_units[code]["school_levels"].split(",")
        if code in db_units:
            return UnitKind(db_units[code].kind), db_units[code].school_level_list
        return None, None

    def _mentor_groups(self, rows, educators):
        cycles = {c.code: c for c in Cycle.objects.filter(code__in={r["cycle"] for _l, r in rows})}
        ids = {r[c] for _l, r in rows for c in ("mentor_national_id", "member_national_id")}
        file_people = {e["national_id"]: e for e in educators}
        db_people = dict(EducatorProfile.objects.filter(national_id__in=ids - set(file_people))
                         .values_list("national_id", "is_core_teacher"))
        groups, clean, seen = {}, [], set()
        for line, row in rows:
            if row["cycle"] not in cycles:
                self.error("mentor_groups", line, "cycle", f"no cycle {row['cycle']!r}; create it first")
            mentor, member = row["mentor_national_id"], row["member_national_id"]
            for column, person in (("mentor_national_id", mentor), ("member_national_id", member)):
                if person not in file_people and person not in db_people:
                    self.error("mentor_groups", line, column, f"no educator {person} in this file or the database")
            is_core = file_people[mentor].get("is_core_teacher") if mentor in file_people else db_people.get(mentor)
            if is_core is False:
                self.error("mentor_groups", line, "mentor_national_id", "the mentor is not marked as a core teacher")
            if mentor == member:
                self.error("mentor_groups", line, "member_national_id", "a core teacher cannot mentor themselves")
            key = (row["cycle"], row["group_code"])
            if key in groups and groups[key] != mentor:
                self.error("mentor_groups", line, "mentor_national_id", "a group has one core teacher; this row "
                           "names a different one")
            groups.setdefault(key, mentor)
            if (key, member) in seen:
                self.error("mentor_groups", line, "member_national_id", "is listed twice in this group")
            seen.add((key, member))
            clean.append({"line": line, "cycle": cycles.get(row["cycle"]), "group_code": row["group_code"],
                          "group_name": row.get("group_name", ""), "mentor": mentor, "member": member})
        return clean


class _Writer:
    """Writes a validated plan; runs inside the caller's transaction."""

    def __init__(self, plan):
        self.plan = plan
        self.summary = ImportSummary()

    def count(self, bucket, table, n=1):
        if n:
            getattr(self.summary, bucket)[table] = getattr(self.summary, bucket).get(table, 0) + n

    def write(self) -> ImportSummary:
        self._write_units(self.plan["units"])
        self._write_educators(self.plan["educators"])
        self._write_mentor_groups(self.plan["mentor_groups"])
        return self.summary

    def _write_units(self, entries):
        by_code = {e["code"]: e for e in entries}

        def depth(entry):
            d, parent = 0, entry["parent_code"]
            while parent in by_code:
                d, parent = d + 1, by_code[parent]["parent_code"]
            return d

        parent_codes = {e["parent_code"] for e in entries if e["parent_code"]}
        existing = {u.code: u for u in OrgUnit.objects.filter(code__in=set(by_code) | parent_codes)}
        # Parents first, so every unit can take its parent's path.
        for entry in sorted(entries, key=depth):
            parent = existing[entry["parent_code"]] if entry["parent_code"] else None
            values = {"name": entry["name"], "kind": entry["kind"].value, "parent": parent,
                      "school_levels": entry["school_levels"], "is_legacy": entry["is_legacy"]}
            unit = existing.get(entry["code"])
            if unit is None:
                unit = existing[entry["code"]] = OrgUnit(code=entry["code"], **values)
                unit.save()
                self.count("created", "units")
            elif any(getattr(unit, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(unit, key, value)
                unit.save()
                self.count("updated", "units")
            else:
                self.count("unchanged", "units")

    def _write_educators(self, entries):
        if not entries:
            return
        codes = {e["school_code"] for e in entries} | {e["subject_group_code"] for e in entries}
        units = dict(OrgUnit.objects.filter(code__in=codes).values_list("code", "pk"))
        existing = {p.national_id: p for p in EducatorProfile.objects.filter(
            national_id__in=[e["national_id"] for e in entries])}
        fields = ["full_name", "subject", "school_id", "subject_group_id", "position", "school_level",
                  "level_start_date", "position_since", "is_core_teacher", "user_id"]
        to_create, to_update = [], []
        for entry in entries:
            values = {
                "full_name": entry["full_name"], "subject": entry["subject"], "school_id": units[entry["school_code"]],
                "subject_group_id": units.get(entry["subject_group_code"]), "position": entry["position"].value,
                "school_level": entry["school_level"], "level_start_date": entry["level_start_date"],
                "is_core_teacher": entry["is_core_teacher"],
            }
            profile = existing.get(entry["national_id"])
            if "position_since" in entry:
                values["position_since"] = entry["position_since"]
            elif profile is not None:
                values["position_since"] = profile.position_since
            if entry["user"] is not None:
                values["user_id"] = entry["user"].pk
            elif profile is not None:
                values["user_id"] = profile.user_id  # a roster without usernames keeps existing links
            if profile is None:
                to_create.append(EducatorProfile(national_id=entry["national_id"], **values))
            elif any(getattr(profile, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(profile, key, value)
                to_update.append(profile)
            else:
                self.count("unchanged", "educators")
        EducatorProfile.objects.bulk_create(to_create, batch_size=BATCH)
        EducatorProfile.objects.bulk_update(to_update, fields, batch_size=BATCH)
        self.count("created", "educators", len(to_create))
        self.count("updated", "educators", len(to_update))

    def _write_mentor_groups(self, entries):
        if not entries:
            return
        people = dict(EducatorProfile.objects.filter(
            national_id__in={e["mentor"] for e in entries} | {e["member"] for e in entries}
        ).values_list("national_id", "pk"))
        members: dict[tuple, set] = {}
        for entry in entries:
            key = (entry["cycle"].pk, entry["group_code"])
            members.setdefault(key, set()).add(people[entry["member"]])
        group_info = {(e["cycle"].pk, e["group_code"]): e for e in entries}
        for key, wanted in members.items():
            entry = group_info[key]
            group, created = MentorGroup.objects.get_or_create(
                cycle_id=key[0], code=key[1],
                defaults={"mentor_id": people[entry["mentor"]], "name": entry["group_name"]})
            changed = created
            if not created and (group.mentor_id != people[entry["mentor"]] or
                                (entry["group_name"] and group.name != entry["group_name"])):
                group.mentor_id = people[entry["mentor"]]
                group.name = entry["group_name"] or group.name
                group.save()
                changed = True
            current = set(group.memberships.values_list("mentee_id", flat=True))
            # The file is the truth for the groups it lists: members no longer listed leave the group.
            group.memberships.filter(mentee_id__in=current - wanted).delete()
            MentorGroupMembership.objects.bulk_create(
                [MentorGroupMembership(group=group, mentee_id=pk) for pk in wanted - current])
            changed = changed or current != wanted
            self.count("created" if created else "updated" if changed else "unchanged", "mentor_groups")
