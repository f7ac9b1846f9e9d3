"""manage.py temis_backfill_grades: training-module results from a grade report CSV or the Grades API."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ...errors import InvalidInput
from ...grades_backfill import BackfillError, GradesApiClient, GradesApiError, backfill_from_api, backfill_report


class Command(BaseCommand):
    help = (
        "Backfill training-module results from Open edX: an instructor grade report (--csv) or the Grades "
        "API (--api), in one transaction. What newer events recorded is kept, and running it again changes "
        "nothing. The grade report has no pass column: Certificate Eligible tells the pass in certifying "
        "tracks (verified and the other paid ones); for audit and honor learners the grade is compared with "
        "the course's pass mark, and without one the pass is unknown (see temis_plugin.grades_backfill). "
        "If any row is malformed, the course is not mapped or --at is in the future, nothing is written, "
        "every problem is listed and the command exits with an error."
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--csv", metavar="FILE", help="An instructor grade report (…_grade_report_….csv).")
        source.add_argument("--api", action="store_true", help="Read the LMS's Grades API v1.")
        parser.add_argument(
            "--course",
            action="append",
            default=[],
            metavar="COURSE_ID",
            help="The course (repeat for several with --api). With --csv, read from the report's "
            "standard file name when omitted.",
        )
        parser.add_argument(
            "--at",
            help="With --csv: when the report was made (ISO 8601, UTC unless an offset is "
            "given), if its file name does not say.",
        )
        parser.add_argument("--lms-url", help="With --api: the LMS's root URL (default: LMS_ROOT_URL).")
        parser.add_argument("--client-id", help="With --api (default: TEMIS_GRADES_API_CLIENT_ID).")
        parser.add_argument(
            "--client-secret",
            help="With --api (default: TEMIS_GRADES_API_CLIENT_SECRET; the setting keeps it out of the process list).",
        )
        parser.add_argument("--page-size", type=int, default=100, help="With --api: results per page.")
        parser.add_argument(
            "--match-email",
            action="store_true",
            help="A learner whose username matches no account is matched by email (when exactly one account has it).",
        )
        progress = parser.add_mutually_exclusive_group()
        progress.add_argument(
            "--progress",
            action="store_true",
            default=None,
            help="Show a progress bar (shown by default on a terminal).",
        )
        progress.add_argument("--no-progress", action="store_false", dest="progress")

    def handle(self, *args, **options):
        show = options["progress"] if options["progress"] is not None else self.stderr.isatty()
        bar = ProgressBar(self.stderr, enabled=show)
        try:
            if options["api"]:
                summary = self._from_api(options, bar)
            else:
                summary = self._from_csv(options, bar)
        except BackfillError as exc:
            bar.finish()
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(str(exc)) from None
        except (GradesApiError, InvalidInput) as exc:
            bar.finish()
            raise CommandError(str(exc)) from None
        except FileNotFoundError:
            raise CommandError(_("no such file: %(file)s") % {"file": options["csv"]}) from None
        except OSError as exc:
            raise CommandError(_("the file cannot be read: %(error)s") % {"error": exc.strerror}) from None
        bar.finish()
        self._report(summary)

    def _from_csv(self, options, bar):
        if len(options["course"]) > 1:
            raise CommandError(_("a grade report is for one course; give --course once"))
        if options["lms_url"] or options["client_id"] or options["client_secret"]:
            raise CommandError(_("--lms-url, --client-id and --client-secret go with --api"))
        at = None
        if options["at"]:
            at = parse_datetime(options["at"])
            if at is None:
                raise CommandError(_("--at is a date and time such as 2026-10-01T08:30"))
            if timezone.is_naive(at):
                at = at.replace(tzinfo=datetime.UTC)  # the LMS names its reports in UTC
        return backfill_report(
            options["csv"],
            options["course"][0] if options["course"] else None,
            at,
            match_email=options["match_email"],
            progress=bar.update,
        )

    def _from_api(self, options, bar):
        if not options["course"]:
            raise CommandError(_("give the course(s) to read with --course"))
        if options["at"]:
            raise CommandError(_("--at goes with --csv; the Grades API is read as of now"))
        lms_url = options["lms_url"] or getattr(settings, "LMS_ROOT_URL", "")
        if not lms_url:
            raise CommandError(_("give the LMS's URL with --lms-url"))
        client = GradesApiClient(
            lms_url,
            options["client_id"] or settings.TEMIS_GRADES_API_CLIENT_ID,
            options["client_secret"] or settings.TEMIS_GRADES_API_CLIENT_SECRET,
        )

        def on_page(course_key, pages, results):
            bar.note(
                _("%(course)s: %(results)d results read (%(pages)d pages)")
                % {"course": course_key, "results": results, "pages": pages}
            )

        return backfill_from_api(
            client,
            options["course"],
            page_size=options["page_size"],
            on_page=on_page,
            match_email=options["match_email"],
            progress=bar.update,
        )

    def _report(self, summary):
        # Identifiers of unmatched rows go to the operator's output, never to the logs.
        counts, passing = summary.counts, summary.passing
        labels = (
            ("created", _("created")),
            ("updated", _("updated")),
            ("unchanged", _("unchanged")),
            ("not_attempted", _("not attempted")),
            ("unknown_user", _("unknown user")),
            ("not_educator", _("user without an educator profile")),
            ("same_account", _("same account as an earlier row")),
        )
        for status, label in labels:
            self.stdout.write(f"{label}: {counts.get(status, 0)}")
        if summary.matched_by_email:
            self.stdout.write(_("matched by email: %(count)d") % {"count": summary.matched_by_email})
        self.stdout.write(
            _("pass status: passed %(passed)d, not passed %(not_passed)d, unknown %(unknown)d")
            % {"passed": passing["passed"], "not_passed": passing["not_passed"], "unknown": passing["unknown"]}
        )
        if passing["unknown"]:
            self.stdout.write(
                _(
                    "unknown: audit or honor learners in a course without a pass mark; set the pass "
                    "mark of the course in the admin (courses of training modules), then run this "
                    "again"
                )
            )
        if summary.unmatched:
            self.stdout.write(_("Rows not recorded (where, username, email, why):"))
            reasons = {
                "unknown_user": _("unknown user"),
                "not_educator": _("user without an educator profile"),
                "same_account": _("same account as an earlier row"),
            }
            for row in summary.unmatched:
                why = reasons[row.status]
                if row.same_as:
                    why = _("same account as %(where)s") % {"where": row.same_as}
                self.stdout.write(f"  {row.where}\t{row.username}\t{row.email or '-'}\t{why}")
        self.stdout.write(self.style.SUCCESS(_("Grades backfilled (one transaction).")))


class ProgressBar:
    """A one-line progress bar on a terminal stream, redrawn in place; silent when disabled."""

    WIDTH = 30

    def __init__(self, stream, enabled: bool):
        self.stream, self.enabled = stream, enabled
        self._drawn = None
        self._open = False

    def update(self, done: int, total: int):
        if not self.enabled or total <= 0:
            return
        filled = self.WIDTH * done // total
        text = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total}"
        if text[: self.WIDTH + 2] != self._drawn or done == total:
            self._drawn = text[: self.WIDTH + 2]
            self._write("\r" + text)

    def note(self, text: str):
        if self.enabled:
            self._write("\r" + text + "\033[K")

    def finish(self):
        if self._open:
            self.stream.write("", style_func=_plain)
            self._open = False

    def _write(self, text):
        self.stream.write(text, style_func=_plain, ending="")
        self.stream.flush()
        self._open = True


def _plain(text):
    return text
