"""Celery worker processes the tests start: the real worker, on the Redis broker, on the test database."""
