"""What the user chose on a reports page: cycle, scope, standard and cut-off, from a query string or a form.

An unknown cycle or standard, or a cut-off that cannot be read, falls back to the default with a problem
noted, so a stale link still opens a page that says what it shows instead. A scope that does not exist or
is not the user's is refused by the API, with the same answer for both.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .. import api, standards
from ..data import CycleData, ScopeData
from ..errors import InvalidInput, NotAllowed, NotFound
from ..i18n import localized


class NoCycle(NotFound):
    """No evaluation cycle exists yet: nothing to report on."""


@dataclass
class Selection:
    cycle_code: str
    scope: ScopeData
    framework: str  # "" for both standards
    cut_off: datetime.datetime | None  # None: now
    problems: list[str]
    roots: list[ScopeData]  # the user's widest scopes
    cycles: list[CycleData]

    def query(self, **extra) -> str:
        params = {
            "cycle": self.cycle_code,
            "scope": self.scope.code,
            "framework": self.framework,
            "cut_off": local_input(self.cut_off) if self.cut_off else "",
        }
        params.update(extra)
        return urlencode({key: value for key, value in params.items() if value})


def read_selection(user, params) -> Selection:
    """The choices in ``params``, checked; unknown values fall back to the defaults with a problem noted."""
    roots = api.report_scopes(user)
    if not roots:
        raise NotAllowed("no report scope")
    problems = []
    cycles = api.list_cycles()
    cycle_code = params.get("cycle") or ""
    if cycle_code not in {cycle.code for cycle in cycles}:
        if cycle_code:
            problems.append(_("There is no such cycle; the current one is shown."))
        cycle_code = _current_cycle_code(cycles)
    scope = api.resolve_report_scope(user, params.get("scope") or roots[0].code)
    framework = params.get("framework") or ""
    if framework and framework not in standards.all_frameworks():
        problems.append(_("There is no such standard; both are shown."))
        framework = ""
    try:
        cut_off = parse_cut_off(params.get("cut_off"))
    except InvalidInput:
        problems.append(_("The cut-off must be on or after 1 January 2000; the data as of now is shown."))
        cut_off = None
    except ValueError:
        problems.append(_("The cut-off is not a date and time; the data as of now is shown."))
        cut_off = None
    return Selection(cycle_code, scope, framework, cut_off, problems, roots, cycles)


def _current_cycle_code(cycles) -> str:
    try:
        return api.current_cycle().code
    except NotFound:
        if not cycles:
            raise NoCycle() from None
        return cycles[0].code  # the latest


def parse_cut_off(text):
    text = (text or "").strip()
    if not text:
        return None
    moment = parse_datetime(text)
    if moment is None:
        raise ValueError(text)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return api.checked_cut_off(moment)


def local_input(moment) -> str:
    """The value of a datetime-local field, in the site's time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def framework_choices(with_principals=True) -> list[tuple[str, str]]:
    frameworks = sorted(standards.all_frameworks().values(), key=lambda f: (f.kind != "teacher", f.code))
    if not with_principals:  # principals' results are reported to the units above the school
        return [
            (f.code, f"{localized(f.name_vi, f.name_en)} ({f.legal_basis.document})")
            for f in frameworks
            if f.kind == "teacher"
        ]
    return [("", _("Both standards (teachers and principals)"))] + [
        (f.code, f"{localized(f.name_vi, f.name_en)} ({f.legal_basis.document})") for f in frameworks
    ]
