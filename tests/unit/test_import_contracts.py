"""The import contracts (.importlinter) cover every module they are about: a new report module must be
named as engine or page in the contract, or the rule "reports do not import pages" would not see it."""

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def contract(name):
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    section = config[f"importlinter:contract:{name}"]
    return {key: section[key].split() for key in ("source_modules", "forbidden_modules") if key in section}


def test_every_report_module_is_engine_or_page():
    rules = contract("reports-without-pages")
    named = {m for m in rules["source_modules"] + rules["forbidden_modules"] if m.startswith("temis_plugin.reports.")}
    package = ROOT / "temis_plugin" / "reports"
    modules = {f"temis_plugin.reports.{p.stem}" for p in package.glob("*.py") if p.stem != "__init__"}
    modules |= {f"temis_plugin.reports.{p.name}" for p in package.iterdir() if (p / "__init__.py").exists()}
    assert modules - named == set(), "name these modules in .importlinter's reports-without-pages contract"
    assert named - modules == set(), "these modules named in .importlinter no longer exist"
