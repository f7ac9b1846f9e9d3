"""LTI 1.3 mentor tool of openedx-temis (added by later releases)."""
