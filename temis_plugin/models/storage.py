"""Where the plugin's files live: a STORAGES alias an operator names in a setting, else the default."""

from django.conf import settings


def configured_storage(setting_name: str):
    """The storage named by the setting ``setting_name`` (a ``STORAGES`` alias), else the default storage.

    Evidence and report files are personal data: operators point these settings at a private
    bucket, since the LMS's default media storage is often served publicly.
    """
    from django.core.files.storage import default_storage, storages

    alias = getattr(settings, setting_name, None)
    return storages[alias] if alias else default_storage
