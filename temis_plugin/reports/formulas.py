"""The one guard against spreadsheet formula injection, for every file a spreadsheet may open.

A cell whose text starts with one of these characters is taken by Excel and LibreOffice for a formula
(OWASP, "CSV Injection"): a school name typed as ``=HYPERLINK(...)`` would run when an officer opens
the export. Such text is written as text: CSV and openpyxl cells get a leading apostrophe, the
streaming .xlsx writer a quote-prefix style.
"""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def starts_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def as_text(value):
    """``value``, with an apostrophe in front when a spreadsheet would take it for a formula."""
    return "'" + value if starts_like_formula(value) else value
