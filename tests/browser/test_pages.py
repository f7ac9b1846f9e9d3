"""What a person sees: the admin's roster import, and an educator's home page in both languages."""

from pathlib import Path

from django.core.management import call_command

from temis_plugin.models import EducatorProfile
from tests.browser.conftest import sign_in

SAMPLES = Path(__file__).parent.parent.parent / "fixtures" / "roster"


def test_roster_import_refuses_a_broken_file_then_imports(live_server, page, screenshot, cycle, make_user, tmp_path):
    root = make_user("root", is_staff=True, is_superuser=True)
    root.set_password("demo-password")
    root.save()
    sign_in(page, live_server, "root")
    page.goto(f"{live_server.url}/admin/temis_plugin/orgunit/")
    page.get_by_role("link", name="Nhập danh sách").click()
    broken = tmp_path / "educators.csv"
    broken.write_bytes((SAMPLES / "educators.csv").read_bytes())
    page.set_input_files("input[type=file]", str(broken))
    page.get_by_role("button").filter(has_text="Kiểm tra").click()
    errors = page.locator("table[aria-describedby=problems] tbody tr")
    # Every educator (lines 2-6) names a school that does not exist yet.
    school_lines = {
        row.locator("td").nth(1).inner_text()
        for row in errors.all()
        if row.locator("td").nth(2).inner_text() == "school_code"
    }
    assert school_lines == {"2", "3", "4", "5", "6"}
    screenshot("roster-import-refused")
    assert not EducatorProfile.objects.exists()
    page.get_by_role("link", name="Nhập tệp khác").click()
    page.set_input_files("input[type=file]", str(SAMPLES / "sample_roster.xlsx"))
    page.get_by_role("button").filter(has_text="Kiểm tra").click()
    assert page.locator("[role=status] .success").count() == 1
    screenshot("roster-import-done")
    assert EducatorProfile.objects.count() == 5


def test_educator_home_in_vietnamese_then_english(live_server, page, screenshot):
    call_command("temis_demo_data")
    sign_in(page, live_server, "gv0003")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", name="Chuẩn nghề nghiệp", exact=True).count() == 1
    screenshot("home-vi")
    page.get_by_label("Ngôn ngữ").select_option("en")
    page.get_by_role("button", name="Đổi").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Professional standards", exact=True).count() == 1
    screenshot("home-en")
