"""Calls to other services, run again on transient failures with a doubling delay."""

import time


def with_retries(call, attempts: int = 4, first_delay: float = 0.5, sleep=time.sleep):
    """Run ``call`` again when it fails with an error whose ``retryable`` attribute is true.

    The delay doubles after each failure; other errors, and the last attempt's, are raised at once.
    """
    delay = first_delay
    for attempt in range(attempts):
        try:
            return call()
        except Exception as exc:  # pylint: disable=broad-except  # re-raised unless marked retryable
            if not getattr(exc, "retryable", False) or attempt == attempts - 1:
                raise
            sleep(delay)
            delay *= 2
    raise ValueError("attempts must be at least 1")
