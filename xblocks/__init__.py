"""XBlocks of openedx-temis (added by later releases)."""
