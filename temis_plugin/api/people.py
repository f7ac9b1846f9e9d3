"""Who is who across systems: the national identifier (mã định danh) as the key between the LMS and tools."""

from ..data import EducatorData
from ..errors import NotFound
from ..models import EducatorProfile, MentorGroupMembership
from ._shared import educator_data, educator_of


def get_educator(user) -> EducatorData | None:
    """The user's own educator profile, or None when the account is on no school's roster."""
    educator = educator_of(user)
    return educator_data(educator) if educator else None


def educator_reference(user) -> str | None:
    """The national identifier of the user's educator profile, for a tool launched from the LMS."""
    educator = educator_of(user)
    return educator.national_id if educator else None


def user_for_educator_reference(reference: str):
    """The Open edX user of the educator with this national identifier, or None."""
    if not isinstance(reference, str) or not reference:
        return None
    educator = (
        EducatorProfile.objects.select_related("user")
        .filter(national_id=reference, retired_at__isnull=True, user__isnull=False)
        .first()
    )
    if educator is None or not educator.user.is_active:
        return None
    return educator.user


def mentee_user(mentor, educator_id):
    """The Open edX user of an educator whom ``mentor`` supports in some mentor group, or NotFound."""
    own = educator_of(mentor)
    membership = (
        MentorGroupMembership.objects.select_related("mentee__user")
        .filter(group__mentor=own, mentee_id=educator_id, mentee__retired_at__isnull=True)
        .first()
        if own
        else None
    )
    if membership is None or membership.mentee.user is None:
        raise NotFound(f"no colleague {educator_id} among those you support")
    return membership.mentee.user
