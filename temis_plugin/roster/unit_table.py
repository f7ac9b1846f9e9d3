"""The units table of a roster: each row checked (kind, levels, placement under its parent, no loops)
and, while the file is clean, written. A mixin of the import run (:mod:`.importer`), which holds the
state the tables share."""

from django.utils.translation import gettext as _

from ..normalise import fold_word, identity_key
from ..roles import UnitKind, parent_allowed
from .columns import UNIT_KIND_WORDS
from .row_checks import parse_bool, parse_school_levels


class UnitTable:
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
