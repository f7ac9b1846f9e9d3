"""Writes checked roster rows inside the importer's transaction, and says what the import changed
beyond the rows themselves (evaluations that moved, schools without one principal, mentor groups
that now cross schools)."""

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from ..models import EducatorProfile, Evaluation, MentorGroup, MentorGroupMembership, OrgUnit
from ..normalise import identity_key
from ..roles import Position
from ..workflow import EvaluationState
from .lookup import case_insensitive_in
from .rows import Notice

BATCH = 1000
LISTED = 20
EDUCATOR_FIELDS = [
    "full_name",
    "subject",
    "school_id",
    "subject_group_id",
    "position",
    "school_level",
    "level_start_date",
    "position_since",
    "is_core_teacher",
    "user_id",
]


def _listed(codes) -> str:
    codes = sorted(codes)
    return ", ".join(codes[:LISTED]) + (
        _(" and %(n)s more") % {"n": len(codes) - LISTED} if len(codes) > LISTED else ""
    )


@dataclass
class ImportSummary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    notices: list[Notice] = field(default_factory=list)


class RosterWriter:
    def __init__(self):
        self.summary = ImportSummary()
        self.unit_pks: dict[str, int] = {}
        self.touched_schools: set[int] = set()
        self.touched_educators: set[int] = set()
        self.moved: dict[int, tuple[int, str]] = {}  # educator pk -> (new school pk, school level)

    def count(self, bucket, table, n=1):
        if n:
            counts = getattr(self.summary, bucket)
            counts[table] = counts.get(table, 0) + n

    def write_units(self, entries):
        by_key = {identity_key(e["code"]): e for e in entries}

        def depth(entry):
            d, parent = 0, entry["parent_key"]
            while parent in by_key:
                d, parent = d + 1, by_key[parent]["parent_key"]
            return d

        keys = set(by_key) | {e["parent_key"] for e in entries if e["parent_key"]}
        existing = {identity_key(u.code): u for u in case_insensitive_in(OrgUnit.objects.all(), "code", keys)}
        # Parents first, so every unit can take its parent's path.
        for entry in sorted(entries, key=depth):
            key = identity_key(entry["code"])
            parent = existing[entry["parent_key"]] if entry["parent_key"] else None
            values = {
                "name": entry["name"],
                "kind": entry["kind"].value,
                "parent": parent,
                "school_levels": ",".join(entry["levels"]),
                "is_legacy": entry["is_legacy"],
            }
            unit = existing.get(key)
            if unit is None:
                unit = existing[key] = OrgUnit(code=entry["code"], **values)
                unit.save()
                self.count("created", "units")
            elif any(getattr(unit, k) != v for k, v in values.items()):
                for name, value in values.items():
                    setattr(unit, name, value)
                unit.save()
                self.count("updated", "units")
            else:
                self.count("unchanged", "units")
            self.unit_pks[key] = unit.pk

    def _unit_pks(self, keys):
        missing = {k for k in keys if k and k not in self.unit_pks}
        for unit in case_insensitive_in(OrgUnit.objects.only("pk", "code"), "code", missing):
            self.unit_pks[identity_key(unit.code)] = unit.pk

    def write_educators(self, batch, existing):
        self._unit_pks({e["school_key"] for e in batch} | {e["group_key"] for e in batch})
        to_create, to_update = [], []
        for entry in batch:
            values = {
                "full_name": entry["full_name"],
                "subject": entry["subject"],
                "school_id": self.unit_pks[entry["school_key"]],
                "subject_group_id": self.unit_pks.get(entry["group_key"]) if entry["group_key"] else None,
                "position": entry["position"].value,
                "school_level": entry["school_level"],
                "level_start_date": entry["level_start_date"],
                "is_core_teacher": entry["is_core_teacher"],
            }
            self.touched_schools.add(values["school_id"])
            profile = existing.get(entry["key"])
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
                continue
            self.touched_educators.add(profile.pk)
            if profile.school_id != values["school_id"]:
                self.touched_schools.add(profile.school_id)
                self.moved[profile.pk] = (values["school_id"], values["school_level"])
            if any(getattr(profile, k) != v for k, v in values.items()):
                for name, value in values.items():
                    setattr(profile, name, value)
                to_update.append(profile)
            else:
                self.count("unchanged", "educators")
        EducatorProfile.objects.bulk_create(to_create, batch_size=BATCH)
        EducatorProfile.objects.bulk_update(to_update, EDUCATOR_FIELDS, batch_size=BATCH)
        self.count("created", "educators", len(to_create))
        self.count("updated", "educators", len(to_update))

    def write_mentor_groups(self, entries):
        people = {
            identity_key(p.national_id): p.pk
            for p in case_insensitive_in(
                EducatorProfile.objects.only("pk", "national_id"),
                "national_id",
                {e["mentor"] for e in entries} | {e["member"] for e in entries},
            )
        }
        members: dict[tuple, set] = {}
        for entry in entries:
            members.setdefault(entry["group_key"], set()).add(people[entry["member"]])
        first = {}
        for entry in entries:
            first.setdefault(entry["group_key"], entry)
        for group_key, wanted in members.items():
            entry = first[group_key]
            mentor_pk = people[entry["mentor"]]
            group = next(
                iter(
                    case_insensitive_in(MentorGroup.objects.filter(cycle=entry["cycle"]), "code", [entry["group_code"]])
                ),
                None,
            )
            created = group is None
            if created:
                group = MentorGroup.objects.create(
                    cycle=entry["cycle"], code=entry["group_code"], mentor_id=mentor_pk, name=entry["group_name"]
                )
            changed = created
            if not created and (
                group.mentor_id != mentor_pk or (entry["group_name"] and group.name != entry["group_name"])
            ):
                group.mentor_id = mentor_pk
                group.name = entry["group_name"] or group.name
                group.save()
                changed = True
            current = set(group.memberships.values_list("mentee_id", flat=True))
            # The file is the truth for the groups it lists: members no longer listed leave the group.
            group.memberships.filter(mentee_id__in=current - wanted).delete()
            MentorGroupMembership.objects.bulk_create(
                [MentorGroupMembership(group=group, mentee_id=pk) for pk in wanted - current]
            )
            self.touched_educators.update(wanted | {mentor_pk})
            changed = changed or current != wanted
            self.count("created" if created else "updated" if changed else "unchanged", "mentor_groups")

    def finish(self) -> list[Notice]:
        """Apply the move policy and say what the import changed around the rows it wrote."""
        return self._move_open_evaluations() + self._principal_counts() + self._groups_across_schools()

    def _move_open_evaluations(self) -> list[Notice]:
        """An evaluation not yet finalized moves with its educator (the new school's head rates it); a
        finalized one stays with the school that rated it (docs/admin-guide.md, "Moves")."""
        moved = 0
        by_target: dict[tuple, list[int]] = {}
        for educator_pk, target in self.moved.items():
            by_target.setdefault(target, []).append(educator_pk)
        for (school_pk, level), educators in by_target.items():
            moved += (
                Evaluation.objects.filter(educator_id__in=educators)
                .exclude(state=EvaluationState.FINALIZED)
                .update(school_id=school_pk, school_level=level)
            )
        notices = []
        if self.moved:
            notices.append(
                Notice(
                    "moved",
                    _(
                        "%(n)s educator(s) changed school; %(m)s evaluation(s) not yet "
                        "finalized moved with them, finalized ones stay with the school that "
                        "rated them."
                    )
                    % {"n": len(self.moved), "m": moved},
                )
            )
        return notices

    def _principal_counts(self) -> list[Notice]:
        if not self.touched_schools:
            return []
        counts = dict(
            EducatorProfile.objects.filter(
                school_id__in=self.touched_schools, position=Position.PRINCIPAL, retired_at__isnull=True
            )
            .values_list("school_id")
            .annotate(n=Count("pk"))
        )
        codes = dict(OrgUnit.objects.filter(pk__in=self.touched_schools).values_list("pk", "code"))
        none = [codes[pk] for pk in self.touched_schools if counts.get(pk, 0) == 0]
        several = [codes[pk] for pk in self.touched_schools if counts.get(pk, 0) > 1]
        notices = []
        if none:
            notices.append(
                Notice(
                    "no_principal",
                    _("%(n)s school(s) have no principal: %(codes)s.") % {"n": len(none), "codes": _listed(none)},
                )
            )
        if several:
            notices.append(
                Notice(
                    "several_principals",
                    _("%(n)s school(s) have more than one principal: %(codes)s.")
                    % {"n": len(several), "codes": _listed(several)},
                )
            )
        return notices

    def _groups_across_schools(self) -> list[Notice]:
        if not self.touched_educators:
            return []
        crossing = set()
        touched = list(self.touched_educators)
        for start in range(0, len(touched), BATCH):
            chunk = touched[start : start + BATCH]
            for code, mentor_school, mentee_school in (
                MentorGroupMembership.objects.filter(group__mentor_id__in=chunk)
                .values_list("group__code", "group__mentor__school_id", "mentee__school_id")
                .union(
                    MentorGroupMembership.objects.filter(mentee_id__in=chunk).values_list(
                        "group__code", "group__mentor__school_id", "mentee__school_id"
                    )
                )
            ):
                if mentor_school != mentee_school:
                    crossing.add(code)
        if not crossing:
            return []
        return [
            Notice(
                "groups_across_schools",
                _("%(n)s mentor group(s) now have members in another school than their core teacher: %(codes)s.")
                % {"n": len(crossing), "codes": _listed(crossing)},
            )
        ]
