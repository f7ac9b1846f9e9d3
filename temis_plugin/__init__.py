"""openedx-temis: teacher-standards evaluation (TEMIS), mentoring and TEMIS exports for Open edX.

Importing this package imports nothing from Django, so the standards engine
(:mod:`temis_plugin.standards`) works without settings.
"""
__version__ = "0.1.0"
