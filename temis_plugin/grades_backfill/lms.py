"""The LMS's Grades REST API v1, read as an OAuth2 client with a client-credentials JWT."""

import time
from functools import partial
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from django.utils.translation import gettext as _
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from ..retries import with_retries
from .rows import BackfillError, GradeRow, Problem
from .rows import course_key as _course_key
from .rows import fraction as _fraction

TIMEOUT = (5, 30)  # seconds to connect, to read
TOKEN_MARGIN = 30  # seconds before its expiry when a token is renewed


class GradesApiError(Exception):
    """The LMS could not be read; ``retryable`` marks failures worth another try."""

    def __init__(self, message, status=None, retryable=False):
        self.status, self.retryable = status, retryable
        super().__init__(message)


class GradesApiClient:
    """Reads course grades from an LMS's ``/api/grades/v1/`` as an OAuth2 client (client credentials).

    The token is a JWT, renewed before it expires and once when the LMS answers 401; connection
    errors, 429 and 5xx answers are tried again with back-off.
    """

    def __init__(
        self,
        lms_url: str,
        client_id: str,
        client_secret: str,
        *,
        session=None,
        attempts: int = 4,
        clock=time.monotonic,
        sleep=time.sleep,
    ):
        if not client_id or not client_secret:
            raise GradesApiError(_("a client id and a client secret are needed to read the Grades API"))
        self.lms_url = lms_url.rstrip("/") + "/"
        self._base = urlsplit(self.lms_url)
        self._client = (client_id, client_secret)
        self._session = session or requests.Session()
        self._attempts, self._clock, self._sleep = attempts, clock, sleep
        self._token, self._expires = None, 0.0

    def __repr__(self):  # never the secret
        return f"GradesApiClient({self.lms_url!r})"

    def course_grade_pages(self, course_key, page_size: int = 100):
        """Yield the course's results page by page (lists of dicts), following ``next`` to the end."""
        url = urljoin(self.lms_url, f"api/grades/v1/courses/{course_key}/")
        params = {"page_size": page_size}
        while url:
            body = self._get(url, params)
            results = body.get("results") if isinstance(body, dict) else None
            if not isinstance(results, list):
                raise GradesApiError(_("the LMS's answer has no list of results"))
            yield results
            url, params = self._same_site(body.get("next")), None

    def _get(self, url, params) -> dict:
        renewed = False
        while True:
            headers = {"Authorization": f"JWT {self._current_token()}", "Accept": "application/json"}
            response = self._retrying(partial(self._send, "get", url, params=params, headers=headers))
            if response.status_code == 401 and not renewed:
                self._token, renewed = None, True  # expired or revoked early: one new token, one more try
                continue
            if response.status_code == 401:
                raise GradesApiError(_("the LMS refused the API client's token (401)"), 401)
            if response.status_code == 404:
                raise GradesApiError(_("the LMS does not know this course (404)"), 404)
            if response.status_code >= 400:
                raise GradesApiError(
                    _(
                        "the LMS refused to give the grades (%(status)d); the API client needs "
                        "staff access to the course"
                    )
                    % {"status": response.status_code},
                    response.status_code,
                )
            return _json(response)

    def _current_token(self) -> str:
        if self._token is None or self._clock() >= self._expires:
            self._token, lifetime = self._retrying(self._fetch_token)
            self._expires = self._clock() + lifetime - min(TOKEN_MARGIN, lifetime / 2)
        return self._token

    def _fetch_token(self):
        client_id, client_secret = self._client
        response = self._send(
            "post",
            urljoin(self.lms_url, "oauth2/access_token"),
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": client_secret,
                "token_type": "jwt",
            },
        )
        if response.status_code >= 400:
            raise GradesApiError(
                _("the LMS refused the API client's credentials (%(status)d)") % {"status": response.status_code},
                response.status_code,
            )
        body = _json(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise GradesApiError(_("the LMS's token answer has no access_token"))
        try:
            lifetime = max(float(body.get("expires_in", 3600)), 0.0)
        except (TypeError, ValueError):
            lifetime = 0.0
        return token, lifetime

    def _send(self, method, url, **kwargs):
        try:
            response = getattr(self._session, method)(url, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            raise GradesApiError(
                _("the LMS could not be reached (%(error)s)") % {"error": exc.__class__.__name__}, retryable=True
            ) from None
        if response.status_code >= 500 or response.status_code == 429:
            raise GradesApiError(
                _("the LMS answered %(status)d") % {"status": response.status_code},
                response.status_code,
                retryable=True,
            )
        return response

    def _retrying(self, call):
        return with_retries(call, attempts=self._attempts, sleep=self._sleep)

    def _same_site(self, url):
        # The token goes only to the LMS it was issued to. Behind a proxy the LMS may write its own
        # links as http:// (without the port): they are followed on the configured URL's scheme and port.
        if not url:
            return None
        parts = urlsplit(urljoin(self.lms_url, url))
        if parts.hostname != self._base.hostname or parts.port not in (None, self._base.port):
            raise GradesApiError(_("the LMS's next page is on another site; not followed"))
        return urlunsplit(parts._replace(scheme=self._base.scheme, netloc=self._base.netloc))


def rows_from_api(pages, course_key) -> list[GradeRow]:
    """Check the Grades API's results (an iterable of pages, each a list of result objects).

    Raises :class:`BackfillError` listing every malformed result, by page and position.
    """
    course_key = _course_key(course_key)
    problems, rows, seen = [], [], {}
    for page_number, results in enumerate(pages, start=1):
        for position, item in enumerate(results, start=1):
            where = _("page %(page)d, result %(position)d") % {"page": page_number, "position": position}
            if not isinstance(item, dict):
                problems.append(Problem(where, "", _("is not an object")))
                continue
            username, percent, passed = item.get("username"), item.get("percent"), item.get("passed")
            found = len(problems)
            if not isinstance(username, str) or not username.strip():
                problems.append(Problem(where, "username", _("is missing")))
            if isinstance(percent, bool) or not isinstance(percent, (int, float)) or not _fraction(percent):
                problems.append(Problem(where, "percent", _("is not a number from 0 to 1")))
            if not isinstance(passed, bool):
                problems.append(Problem(where, "passed", _("is not true or false")))
            if "course_id" in item and _same_course(item["course_id"], course_key) is False:
                problems.append(Problem(where, "course_id", _("is another course")))
            if len(problems) > found:
                continue
            email = item.get("email")
            row = GradeRow(
                where, username.strip(), float(percent), passed, email=email.strip() if isinstance(email, str) else ""
            )
            earlier = seen.get(row.username)
            if earlier is not None and (earlier.percent, earlier.passed) != (row.percent, row.passed):
                problems.append(
                    Problem(
                        where,
                        "username",
                        _("appears again with another result (first at %(where)s)") % {"where": earlier.where},
                    )
                )
            elif earlier is None:
                seen[row.username] = row
                rows.append(row)
    if problems:
        raise BackfillError(problems)
    return rows


def _json(response):
    try:
        return response.json()
    except ValueError:
        raise GradesApiError(
            _("the LMS answered with something other than JSON (%(status)d)") % {"status": response.status_code},
            response.status_code,
        ) from None


def _same_course(value, course_key) -> bool:
    try:
        return str(CourseKey.from_string(str(value))) == course_key
    except InvalidKeyError:
        return False
