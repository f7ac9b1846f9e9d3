"""The Tutor plugin that deploys openedx-temis on Open edX (``tutor plugins enable temis``).

Only Tutor imports this package; the LMS and CMS never do.
"""
