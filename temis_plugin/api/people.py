"""Who is who across systems: the national identifier (mã định danh) as the key between the LMS and tools."""
from ..models import EducatorProfile
from ._shared import educator_of


def educator_reference(user) -> str | None:
    """The national identifier of the user's educator profile, for a tool launched from the LMS."""
    educator = educator_of(user)
    return educator.national_id if educator else None


def user_for_educator_reference(reference: str):
    """The Open edX user of the educator with this national identifier, or None."""
    if not isinstance(reference, str) or not reference:
        return None
    educator = (EducatorProfile.objects.select_related("user")
                .filter(national_id=reference, retired_at__isnull=True, user__isnull=False).first())
    if educator is None or not educator.user.is_active:
        return None
    return educator.user
