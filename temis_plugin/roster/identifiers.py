"""The educators' identifiers met so far in one roster file, each with the line it was first on.

A roster may fill a whole sheet (Excel's 1,048,575 rows). A ``dict`` of identifier strings to line
numbers costs about 123 bytes an educator (the key string, the line's int object and the dict's slot):
123 MB on top of openpyxl's own reading for a full sheet, and `make bench` (bench_roster.py) measured
the import's peak at 333 MB against a target of 300 MB. Neither ``dict`` nor ``set`` can hold a
million entries in less, so all-digit identifiers (national ID numbers, the usual case) are kept in
an open-addressing table of two ``array``s: 12 bytes a slot, about 24 MB for a full sheet. Other
identifiers (letters in them) are rare and stay in a plain dict.
"""

from array import array

# All-digit identifiers up to 17 digits are stored as the integer of "1" + the digits: the leading 1
# keeps leading zeros apart ("012" and "12" differ) and the result stays below 2**63. 0 marks an empty slot.
_MAX_DIGITS = 17
_EMPTY = 0
_GOLDEN = 0x9E3779B97F4A7C15  # Fibonacci hashing: spreads consecutive numbers over the table
_MASK64 = (1 << 64) - 1


def _number(key: str) -> int | None:
    if key.isascii() and key.isdigit() and len(key) <= _MAX_DIGITS:
        return int("1" + key)
    return None


class FileIdentifiers:
    """A set of identifier keys (as :func:`temis_plugin.normalise.identity_key` gives them) with the
    line each was first seen on."""

    def __init__(self, bits: int = 12):
        self._others: dict[str, int] = {}
        self._size = 0
        self._allocate(bits)

    def _allocate(self, bits: int):
        self._bits = bits
        self._numbers = array("q", bytes(8 << bits))
        self._lines = array("I", bytes(4 << bits))

    def _slot(self, number: int) -> int:
        """The slot holding ``number``, or the empty slot where it would go (linear probing)."""
        mask = (1 << self._bits) - 1
        slot = ((number * _GOLDEN) & _MASK64) >> (64 - self._bits)
        numbers = self._numbers
        while numbers[slot] != _EMPTY and numbers[slot] != number:
            slot = (slot + 1) & mask
        return slot

    def add(self, key: str, line: int) -> None:
        """Remember ``key`` first seen on ``line`` (a key already known keeps its first line)."""
        number = _number(key)
        if number is None:
            self._others.setdefault(key, line)
            return
        slot = self._slot(number)
        if self._numbers[slot] == number:
            return
        self._numbers[slot], self._lines[slot] = number, line
        self._size += 1
        if self._size * 2 > len(self._numbers):  # at most half full, so probes stay short
            self._grow()

    def _grow(self):
        numbers, lines = self._numbers, self._lines
        self._allocate(self._bits + 1)
        for number, line in zip(numbers, lines):
            if number != _EMPTY:
                slot = self._slot(number)
                self._numbers[slot], self._lines[slot] = number, line

    def __contains__(self, key: str) -> bool:
        number = _number(key)
        if number is None:
            return key in self._others
        return self._numbers[self._slot(number)] == number

    def line_of(self, key: str) -> int:
        """The line ``key`` was first seen on; KeyError if it was not seen."""
        number = _number(key)
        if number is None:
            return self._others[key]
        slot = self._slot(number)
        if self._numbers[slot] != number:
            raise KeyError(key)
        return self._lines[slot]

    def __len__(self) -> int:
        return self._size + len(self._others)
