"""The mentor groups table of a roster: each row checked (cycle, mentor a core teacher, members known,
one mentor a group) and, while the file is clean, written. A mixin of the import run
(:mod:`.importer`), which holds the state the tables share."""

from django.utils.translation import gettext as _

from ..models import Cycle, EducatorProfile
from ..normalise import identity_key
from .lookup import case_insensitive_in


class MentorGroupTable:
    def _mentor_groups(self):
        rows = [(line, row) for line, row, bad in self.rows("mentor_groups") if not bad]
        if not rows:
            return
        cycles = {
            identity_key(c.code): c
            for c in case_insensitive_in(Cycle.objects.all(), "code", {identity_key(r["cycle"]) for _l, r in rows})
        }
        people = {identity_key(r[c]) for _l, r in rows for c in ("mentor_national_id", "member_national_id")}
        unknown = {person for person in people if person not in self.educators_in_file}
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
                if person not in self.educators_in_file and person not in stored:
                    self.error(
                        "mentor_groups",
                        line,
                        column,
                        _("no educator %(id)s in this file or the database") % {"id": row[column]},
                        row[column],
                        "not_found",
                    )
            is_core = mentor in self.core_teachers if mentor in self.educators_in_file else stored.get(mentor)
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
