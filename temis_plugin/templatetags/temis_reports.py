"""Template tags of the reports pages: whether the signed-in user may see reports."""

from django import template

from .. import api

register = template.Library()


@register.simple_tag
def may_see_reports(user) -> bool:
    """True for heads of school and education officers: users with at least one report scope."""
    return bool(api.report_scopes(user))
