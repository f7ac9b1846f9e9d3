"""Stand-in for the one edx-platform module our plugin_app names: the LMS retirement signals.

edx-platform itself cannot run here; this declares the same signal objects so the plugin
framework's connect_plugin_receivers() can wire our receiver exactly as the LMS does.
"""

from django.dispatch import Signal

USER_RETIRE_LMS_CRITICAL = Signal()
USER_RETIRE_LMS_MISC = Signal()
