"""openedx-temis: teacher-standards evaluation (TEMIS), mentoring and TEMIS exports for Open edX.

Importing this package imports nothing from Django, so the standards engine
(:mod:`temis_plugin.standards`) works without settings.

Modules of pages (Django views) are named ``views.py``, or ``<topic>_views.py`` when a package holds
pages of several topics (``final_rating.listing_views``); what pages share is in :mod:`.pages`.
"""

__version__ = "0.1.0"
