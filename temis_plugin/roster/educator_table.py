"""The educators table of a roster: each row checked (words, dates, school and subject group, user,
identifiers that lost their zeros) and written in batches while the file is clean. A mixin of the
import run (:mod:`.importer`), which holds the state the tables share."""

import datetime

from django.utils.translation import gettext as _

from ..models import EducatorProfile
from ..normalise import fold_word, identity_key
from ..roles import Position, UnitKind
from .columns import POSITION_WORDS, SCHOOL_LEVEL_WORDS
from .lookup import case_insensitive_in
from .row_checks import parse_bool, parse_date
from .writer import BATCH

# Citizen identity cards (CCCD) carry 12 digits; a shorter all-digit identifier may have lost zeros.
CCCD_DIGITS = 12


class EducatorTable:
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
        if key and key in self.educators_in_file:
            self.error(
                "educators",
                line,
                "national_id",
                _("appears again (first on line %(line)s)") % {"line": self.educators_in_file.line_of(key)},
                row["national_id"],
                "duplicate",
            )
            return None
        if key:
            self.educators_in_file.add(key, line)
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
            if padded in self.educators_in_file and digits not in lost:
                lost[digits] = padded
        for stored in EducatorProfile.objects.filter(national_id__in=list(candidates)).values_list(
            "national_id", flat=True
        ):
            lost.setdefault(candidates[stored], stored)
        return lost
