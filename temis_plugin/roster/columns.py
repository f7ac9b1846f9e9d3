"""The roster's tables and columns: their names as offices write them, which are required, which hold
identifiers and which hold words from a fixed vocabulary. Pure Python (no Django)."""

from ..normalise import fold_word, vocabulary
from ..roles import Position, SchoolLevel, UnitKind

# Tables in the order they are imported: later tables refer to earlier ones.
TABLES = ("units", "educators", "mentor_groups")

REQUIRED = {
    "units": ("code", "name", "kind"),
    "educators": ("national_id", "full_name", "school_code", "position", "school_level"),
    "mentor_groups": ("cycle", "group_code", "mentor_national_id", "member_national_id"),
}
OPTIONAL = {
    "units": ("parent_code", "school_levels", "is_legacy"),
    "educators": ("username", "subject_group_code", "subject", "level_start_date", "position_since", "is_core_teacher"),
    "mentor_groups": ("group_name",),
}
# Columns that hold identifiers or codes: compared case-insensitively, ASCII only, never numbers.
IDENTIFIER_COLUMNS = frozenset(
    {
        "code",
        "parent_code",
        "national_id",
        "school_code",
        "subject_group_code",
        "cycle",
        "group_code",
        "mentor_national_id",
        "member_national_id",
    }
)

# Headers as Vietnamese offices write them (compared folded: no case, no diacritics).
HEADER_ALIASES = {
    "ma": "code",
    "ma don vi": "code",
    "ten": "name",
    "ten don vi": "name",
    "loai": "kind",
    "loai don vi": "kind",
    "ma don vi cap tren": "parent_code",
    "cap hoc": "school_levels",
    "ma dinh danh": "national_id",
    "so cccd": "national_id",
    "cccd": "national_id",
    "ho va ten": "full_name",
    "ho ten": "full_name",
    "ten dang nhap": "username",
    "ma truong": "school_code",
    "ma to chuyen mon": "subject_group_code",
    "chuc vu": "position",
    "mon day": "subject",
    "cap day": "school_level",
    "ngay bat dau day o cap hoc": "level_start_date",
    "ngay giu chuc vu": "position_since",
    "ngay bo nhiem": "position_since",
    "cot can": "is_core_teacher",
    "giao vien cot can": "is_core_teacher",
    "chu ky": "cycle",
    "nam hoc": "cycle",
    "ma nhom": "group_code",
    "ten nhom": "group_name",
    "ma dinh danh cot can": "mentor_national_id",
    "ma dinh danh thanh vien": "member_national_id",
    "don vi cu": "is_legacy",
}
SHEET_ALIASES = {
    "don vi": "units",
    "giao vien": "educators",
    "nha giao": "educators",
    "nhom cot can": "mentor_groups",
    "nhom ho tro": "mentor_groups",
}

UNIT_KIND_WORDS = vocabulary(
    {
        UnitKind.MINISTRY: ("bộ", "bộ giáo dục và đào tạo", "bo gd&dt"),
        UnitKind.PROVINCE: ("tỉnh", "thành phố", "tỉnh/thành phố", "sở", "sở giáo dục và đào tạo"),
        UnitKind.DISTRICT: ("huyện", "quận", "thị xã", "phòng giáo dục và đào tạo"),
        UnitKind.COMMUNE: ("xã", "phường", "đặc khu", "xã/phường", "ward"),
        UnitKind.SCHOOL: ("trường", "trường học"),
        UnitKind.SUBJECT_GROUP: ("tổ chuyên môn", "tổ", "subject group"),
    }
)
POSITION_WORDS = vocabulary(
    {
        Position.TEACHER: ("giáo viên",),
        Position.VICE_PRINCIPAL: ("phó hiệu trưởng", "vice principal", "deputy principal"),
        Position.PRINCIPAL: ("hiệu trưởng", "head teacher"),
    }
)
SCHOOL_LEVEL_WORDS = vocabulary(
    {
        SchoolLevel.TH: ("tiểu học", "primary"),
        SchoolLevel.THCS: ("trung học cơ sở", "lower secondary"),
        SchoolLevel.THPT: ("trung học phổ thông", "upper secondary"),
    }
)
YES_NO_WORDS = {
    **dict.fromkeys(map(fold_word, ("1", "true", "yes", "x", "có", "y", "đúng", "v")), True),
    **dict.fromkeys(map(fold_word, ("", "0", "false", "no", "không", "n", "sai")), False),
}


def canonical_header(header) -> str:
    if header is None:
        return ""
    folded = fold_word(header)
    return HEADER_ALIASES.get(folded, folded.replace(" ", "_"))


def canonical_sheet(name: str) -> str | None:
    folded = fold_word(name)
    key = folded.replace(" ", "_")
    return key if key in TABLES else SHEET_ALIASES.get(folded)


def tables_with_columns(headers) -> list[str]:
    """The tables whose required columns are all among ``headers``."""
    present = set(headers)
    return [table for table in TABLES if set(REQUIRED[table]) <= present]
