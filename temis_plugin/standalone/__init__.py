"""A minimal Django site that loads the plugin exactly as the LMS does (demo and tests)."""
