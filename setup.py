"""Packaging for openedx-temis: one distribution with the Django plugin, the XBlocks and the LTI tool."""

import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent


def read_version():
    text = (HERE / "temis_plugin" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


# Lower bounds only: the package is installed into edx-platform's environment, whose pins win.
# requirements/constraints-edx-platform.txt records those pins and CI installs against them.
INSTALL_REQUIRES = [
    "Django>=5.2",
    "pydantic>=2.5",
    "openpyxl>=3.1",
    "lxml>=5.0",
    "requests>=2.31",
    "XBlock>=5.0",
    "edx-django-utils>=5.0",
    "openedx-events>=9.0",
    "edx-opaque-keys>=2.5",
    "PyJWT>=2.8",
    "cryptography>=41",
    # Reports: long work runs on the LMS's Celery; the report API is DRF with an OpenAPI schema.
    "celery>=5.2",
    "djangorestframework>=3.14",
    "drf-spectacular>=0.26",
    # Rate limits on the LTI endpoints, counted in the LMS's shared cache (the LMS ships it too).
    "django-ratelimit>=4.0",
]

# The xblock-sdk workbench, where the demo shows the blocks as a learner sees them.
DEMO_REQUIRES = ["xblock-sdk>=0.12"]

TEST_REQUIRES = [
    "pytest>=8",
    "pytest-django>=4.8",
    "hypothesis>=6.100",
    "xblock-sdk>=0.12",
    "code-annotations>=1.8",
    "mysqlclient>=2.2",
    "playwright>=1.40",
    "lti-consumer-xblock>=9.0",
    # A real Celery worker on the Redis broker runs the report tasks in the tests.
    "redis>=4.5",
    # The Tutor plugin (temis_plugin/tutor) is tested through Tutor's own Python API; 22 = Verawood.
    "tutor>=22,<23",
    # Requests generated from the REST API's OpenAPI schema (schemathesis 4's Python API).
    "schemathesis>=4.0,<5",
    # `make lint`: ruff's formatting style is stable within a minor version; import-linter checks the layers.
    "ruff>=0.17,<0.18",
    "import-linter>=2.0",
]

setup(
    name="openedx-temis",
    version=read_version(),
    description=(
        "Open edX plugin for Vietnam's teacher-standards evaluation (TEMIS), "
        "core-teacher mentoring and TEMIS report export"
    ),
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="AGPL-3.0",
    python_requires=">=3.12",
    packages=[
        *find_packages(include=["temis_plugin", "temis_plugin.*", "xblocks", "xblocks.*", "lti", "lti.*"]),
        "temis_plugin.fixtures",
    ],
    # The framework data files and sample rosters live in the top-level fixtures/ folder and are
    # shipped inside the package as temis_plugin.fixtures, so they load the same way installed or not.
    package_dir={"temis_plugin.fixtures": "fixtures"},
    package_data={
        "temis_plugin.standalone": ["templates/*/*.html"],
        "temis_plugin": [
            "templates/**/*.html",
            "conf/locale/*/LC_MESSAGES/*.po",
            "conf/locale/*/LC_MESSAGES/*.mo",
            "locale/*/LC_MESSAGES/*.mo",
            "static/temis_plugin/*",
        ],
        "temis_plugin.fixtures": [
            "frameworks/*.toml",
            "temis_templates/*.toml",
            "*.toml",
            "roster/*.csv",
            "roster/*.xlsx",
            "grades/*.csv",
        ],
        "xblocks": ["templates/*.html", "static/*"],
        "lti": ["templates/lti/*.html"],
    },
    install_requires=INSTALL_REQUIRES,
    extras_require={"demo": DEMO_REQUIRES, "test": TEST_REQUIRES},
    entry_points={
        "lms.djangoapp": ["temis_plugin = temis_plugin.apps:TemisPluginConfig", "temis_lti = lti.apps:TemisLtiConfig"],
        "cms.djangoapp": ["temis_plugin = temis_plugin.apps:TemisPluginConfig"],
        "tutor.plugin.v1": ["temis = temis_plugin.tutor.plugin"],
        "xblock.v1": [
            "temis_self_assessment = xblocks.self_assessment:SelfAssessmentBlock",
            "temis_programme_survey = xblocks.survey:ProgrammeSurveyBlock",
        ],
    },
    classifiers=[
        "Framework :: Django",
        "Framework :: Django :: 5.2",
        "Programming Language :: Python :: 3.12",
        "Natural Language :: Vietnamese",
        "Natural Language :: English",
    ],
)
