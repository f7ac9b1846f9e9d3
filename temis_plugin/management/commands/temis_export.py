"""Produce a report or a TEMIS export from the command line.

    ./manage.py lms temis_export aggregate --format xlsx --scope DEMO-P01 --output ket-qua.xlsx
    ./manage.py lms temis_export temis_export --template TT20-ket-qua-giao-vien --format xlsx
    ./manage.py lms temis_export --list

The file appears only when complete (written beside the target, then renamed). An export that does
not validate is not written; its problems are listed and the command fails.
"""

import datetime
import os
import sys
import tempfile
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime

from ... import api
from ...errors import NotFound, TemisError
from ...models import Cycle, OrgUnit
from ...reports.registry import REPORT_KINDS, build_report
from ...reports.runs import TEMIS_EXPORT
from ...reports.scope import scope_of, whole_country
from ...reports.temis_export import build_temis_export
from ...reports.temis_templates import template_choices
from ...reports.writers import FORMATS, write_report


class Command(BaseCommand):
    help = "Write a report or a TEMIS export (xlsx, csv or json) for a cycle and a scope."

    def add_arguments(self, parser):
        parser.add_argument("report", nargs="?", help=f"one of: {', '.join([*REPORT_KINDS, TEMIS_EXPORT])}")
        parser.add_argument("--list", action="store_true", help="list the reports and TEMIS templates")
        parser.add_argument("--format", default="xlsx", choices=FORMATS)
        parser.add_argument("--cycle", help="cycle code (default: the current cycle)")
        parser.add_argument("--scope", default="", help="unit code (default: the whole country)")
        parser.add_argument("--framework", default="", help="only this framework, e.g. TT20-2018")
        parser.add_argument("--template", default="", help="TEMIS export template code (for temis_export)")
        parser.add_argument("--cut-off", default="", help="count what was final at this time (ISO 8601)")
        parser.add_argument("--language", default="vi", choices=["vi", "en"])
        parser.add_argument("--output", default="", help="file to write (default: a name in the current folder)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        if options["list"]:
            for code, kind in REPORT_KINDS.items():
                self.stdout.write(f"{code:20} {kind.title}")
            for code, name in template_choices():
                self.stdout.write(f"{TEMIS_EXPORT} --template {code:28} {name}")
            return
        kind = options["report"]
        if kind not in REPORT_KINDS and kind != TEMIS_EXPORT:
            raise CommandError(f"name a report: {', '.join([*REPORT_KINDS, TEMIS_EXPORT])} (or --list)")
        with translation.override(options["language"]):
            cycle = self._cycle(options["cycle"])
            scope = self._scope(options["scope"])
            cut_off = self._cut_off(options["cut_off"])
            try:
                if kind == TEMIS_EXPORT:
                    if not options["template"]:
                        raise CommandError("--template is required for temis_export (see --list)")
                    report = build_temis_export(options["template"], scope, cycle, cut_off=cut_off)
                else:
                    codes = [options["framework"]] if options["framework"] else None
                    report = build_report(kind, scope, cycle, framework_codes=codes, cut_off=cut_off)
            except (TemisError, ValueError) as exc:
                raise CommandError(str(exc)) from exc
            output = options["output"] or (
                f"{options['template'] or kind}-{cycle.code}-{scope.code or 'VN'}-{report.stamp.cut_off:%Y%m%d-%H%M}"
                f".{options['format']}"
            )
            bar = None if options["no_progress"] else ProgressBar(sys.stderr)
            rows = self._write_atomically(report, options["format"], output, bar)
        if report.problems:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"the export did not validate ({len(report.problems)} problems listed); no file was written"
            )
        self.stdout.write(f"{output}: {rows} rows")

    def _write_atomically(self, report, file_format, output, bar) -> int:
        directory = os.path.dirname(os.path.abspath(output))
        handle, partial = tempfile.mkstemp(prefix=".temis-export-", dir=directory)
        try:
            with os.fdopen(handle, "w+b") as out:
                rows = write_report(report, file_format, out, on_progress=bar)
            if bar:
                bar.finish()
            if not report.problems:
                os.replace(partial, output)
            return rows
        finally:
            if os.path.exists(partial):
                os.unlink(partial)

    def _cycle(self, code):
        if not code:
            # The current cycle as every screen and the API read it: the one marked current, else the one under way.
            try:
                code = api.current_cycle().code
            except NotFound as exc:
                raise CommandError(str(exc)) from None
        cycle = Cycle.objects.filter(code=code).first()
        if cycle is None:
            raise CommandError(f"no cycle {code}")
        return cycle

    def _scope(self, code):
        if not code:
            return whole_country()
        unit = OrgUnit.objects.filter(code=code).exclude(kind="subject_group").first()
        if unit is None:
            raise CommandError(f"no unit {code}")
        return scope_of(unit)

    def _cut_off(self, text):
        if not text:
            return timezone.now()
        moment = parse_datetime(text)
        if moment is None:
            try:
                moment = datetime.datetime.combine(datetime.date.fromisoformat(text), datetime.time.max)
            except ValueError:
                raise CommandError(f"--cut-off {text!r} is not an ISO date or date-time") from None
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class ProgressBar:
    """A one-line progress bar on a terminal stream, redrawn at most ten times a second."""

    def __init__(self, stream, width=40):
        self.stream, self.width, self.last = stream, width, 0.0

    def __call__(self, done, total):
        now = time.monotonic()
        if now - self.last < 0.1:
            return
        self.last = now
        share = min(1.0, done / total) if total else 0.0
        filled = int(share * self.width)
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {share:6.1%} {done:,}/{total:,} rows")
        self.stream.flush()

    def finish(self):
        self.stream.write("\n")
        self.stream.flush()
