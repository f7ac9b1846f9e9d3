"""Template tags of the final-rating pages: whether the signed-in user gives final ratings."""

from django import template

from .. import api

register = template.Library()


@register.simple_tag
def rates_evaluations(user) -> bool:
    """True for a principal, a school administrator or a superior officer: they get the final-rating page."""
    return api.rates_evaluations(user)
