"""Imports from the Open edX platform and its libraries, each made lazily: the plugin also runs outside the LMS."""


def jwt_authentication_class():
    """edx-drf-extensions' ``JwtAuthentication`` (present in the LMS), or None where it is not installed."""
    try:
        # pylint: disable=import-outside-toplevel
        from edx_rest_framework_extensions.auth.jwt.authentication import JwtAuthentication
    except ImportError:
        return None
    return JwtAuthentication
