"""Finding stored records by identifiers compared without case, the same way on every database."""

from django.db import connections, router
from django.db.models.functions import Upper

CHUNK = 500


def case_insensitive_in(queryset, field: str, values):
    """Yield the records of ``queryset`` whose ``field`` equals one of ``values`` ignoring case.

    MariaDB and MySQL compare text with a case-insensitive collation already, and a plain IN keeps
    the index; SQLite compares bytes, so both sides are upper-cased there (roster identifiers are
    ASCII, which SQLite's UPPER folds).
    """
    values = sorted({v for v in values if v})
    vendor = connections[router.db_for_read(queryset.model)].vendor
    for start in range(0, len(values), CHUNK):
        chunk = values[start : start + CHUNK]
        if vendor == "mysql":
            yield from queryset.filter(**{f"{field}__in": chunk})
        else:
            yield from queryset.annotate(_folded=Upper(field)).filter(_folded__in=[v.upper() for v in chunk])
