"""The plugin's REST API (Django REST framework), versioned under /temis/api/v1/, with its OpenAPI schema.

Views are thin: they validate input with serializers, call :mod:`temis_plugin.api`, and turn its plain
data and :class:`~temis_plugin.errors.TemisError` into HTTP responses.
"""
