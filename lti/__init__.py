"""LTI 1.3 mentor tool of openedx-temis: OIDC login, launch validation, keys, and the mentor workspace.

``lti.protocol`` and ``lti.keys`` are plain Python (no Django); views and models sit around them.
Page modules are named ``views.py``, or ``<topic>_views.py`` beside it (``workspace_views``,
``support_log_views``, ``opinion_views``, ``scoring_views``), as in :mod:`temis_plugin`.
"""
