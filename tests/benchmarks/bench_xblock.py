"""Benchmark: rendering the self-assessment page, with templates compiled once (xblocks.common.loader)
against xblock.utils' ResourceLoader, which builds an engine and parses the template on each render.

Run with `make bench`. One teacher with a draft evaluation and evidence, on the xblock-sdk workbench
runtime and a throw-away SQLite database; both loaders render the same block in the same process, so
the ratio is the loader's share of a page view.
"""

import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TEMIS_VAR_DIR", tempfile.mkdtemp(prefix="temis-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ["TEMIS_DB"] = "sqlite"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

RENDERS = int(os.environ.get("TEMIS_BENCH_RENDERS", "200"))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    call_command("migrate", verbosity=0)
    import datetime

    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation
    from xblock.utils.resources import ResourceLoader

    from temis_plugin import api
    from temis_plugin.models import Cycle, EducatorProfile, OrgUnit
    from tests.xblocks.conftest import BlockHarness
    from xblocks import common, self_assessment

    Cycle.objects.create(
        code="2026-2027",
        name="2026-2027",
        starts_on=datetime.date(2026, 9, 5),
        ends_on=datetime.date(2027, 5, 31),
        is_current=True,
    )
    province = OrgUnit.objects.create(code="P", name="P", kind="province")
    commune = OrgUnit.objects.create(code="X", name="X", kind="commune", parent=province)
    school = OrgUnit.objects.create(code="S", name="S", kind="school", parent=commune, school_levels="TH")
    user = get_user_model().objects.create_user("gv", "gv@example.invalid", "pw")
    EducatorProfile.objects.create(
        user=user, national_id="ID-1", full_name="Giáo viên", school=school, position="teacher", school_level="TH"
    )
    harness = BlockHarness('<temis_self_assessment framework_code="TT20-2018"/>', "gv", language="vi")
    evaluation = api.get_or_create_evaluation(user)
    evaluation = api.save_self_assessment(
        user, evaluation.id, evaluation.version, levels={n: "K" for n in range(1, 16)}, strengths="Có kế hoạch"
    )
    for number in range(3):
        evidence = api.add_evidence(
            user,
            f"Minh chứng {number}",
            file=SimpleUploadedFile(f"m{number}.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
        )
        evaluation = api.link_evidence(user, evaluation.id, evaluation.version, evidence.id, [number + 1])

    def timed(loader):
        self_assessment.loader = loader
        with translation.override("vi"):
            for _ in range(10):  # warm-up
                harness.block.render("student_view", {})
            durations = []
            for _ in range(RENDERS):
                started = time.perf_counter()
                page = harness.block.render("student_view", {}).content
                durations.append(time.perf_counter() - started)
        return durations, page

    compiled, compiled_page = timed(common.loader)
    baseline, baseline_page = timed(ResourceLoader(common.__name__))
    self_assessment.loader = common.loader
    assert compiled_page == baseline_page, "both loaders must render the same page"

    mean, base = statistics.mean(compiled), statistics.mean(baseline)
    print(f"Self-assessment page render ({RENDERS} renders, workbench runtime, SQLite, one process)")
    print(
        f"  compiled once  : {1 / mean:8.1f} renders/s   p50 {percentile(compiled, 0.5) * 1000:6.2f} ms   "
        f"p95 {percentile(compiled, 0.95) * 1000:6.2f} ms"
    )
    print(
        f"  ResourceLoader : {1 / base:8.1f} renders/s   p50 {percentile(baseline, 0.5) * 1000:6.2f} ms   "
        f"p95 {percentile(baseline, 0.95) * 1000:6.2f} ms   (the baseline)"
    )
    print(f"  ratio          : {base / mean:6.2f} x faster, same page ({len(compiled_page):,} characters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
