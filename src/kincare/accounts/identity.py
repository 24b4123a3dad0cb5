"""Pure checks of identity data: resident ID numbers (居民身份证号) and personal names.

No ORM, no I/O: the families app reuses ``parse_resident_id`` for members' IDs.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumValidationError

from kincare.core.errors import ValidationFailed

#: provinces (省级行政区划代码) that appear as the first two digits of a resident ID.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
        "65", "71", "81", "82",
    }
)  # fmt: skip
EARLIEST_BIRTH_DATE = datetime.date(1880, 1, 1)

# Chinese names may join parts with a middle dot (维吾尔族 names: 买买提·吐尔逊); people type
# several look-alike dots, which all become U+00B7.
_DOTS = str.maketrans({"•": "·", "・": "·", "･": "·", "．": "·", "∙": "·", "⋅": "·", "‧": "·"})
_NAME_RE = re.compile(
    r"^[A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
    r"(?:[A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f·])*"
    r"[A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]$"
)
NAME_MIN_LENGTH = 2
NAME_MAX_LENGTH = 30


def normalise_name(value: object, *, field: str = "name") -> str:
    """A legal name: 2–30 characters of CJK ideographs, Latin letters and '·' between them."""
    if not isinstance(value, str):
        raise ValidationFailed(_("请输入姓名"), code="name_invalid", field=field)
    name = unicodedata.normalize("NFKC", value).strip().translate(_DOTS)
    if not NAME_MIN_LENGTH <= len(name) <= NAME_MAX_LENGTH or not _NAME_RE.match(name):
        raise ValidationFailed(_("姓名须为 2–30 个汉字或字母，可用“·”分隔"), code="name_invalid", field=field)
    return name


def sex_from_resident_id(resident_id: str) -> str:
    """The 17th digit (顺序码的末位) is odd for men, even for women: "M" or "F"."""
    return "M" if int(resident_id[16]) % 2 == 1 else "F"


def parse_resident_id(
    value: object, *, field: str = "resident_id", today: datetime.date | None = None
) -> tuple[str, datetime.date, str]:
    """Validate an 18-digit resident ID and return ``(normalised_id, birth_date, sex)``.

    Accepts full-width digits (NFKC), spaces and a lower-case ``x`` check digit. Raises
    ``ValidationFailed(code="resident_id_invalid")`` otherwise.

    python-stdnum checks length, format, check digit and birth date. Its place check is not
    used: it compares the county code with the birth year, but a code is the one in force
    when the card was issued, so it refuses genuine IDs of older people whose county was
    created after their birth. Only the province part is checked.
    """
    invalid = ValidationFailed(_("身份证号码不正确"), code="resident_id_invalid", field=field)
    if not isinstance(value, str) or len(value) > 64:
        raise invalid
    number = ric.compact("".join(unicodedata.normalize("NFKC", value).split()).replace("-", ""))
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit():
        raise invalid
    try:
        if number[-1] != ric.calc_check_digit(number):
            raise invalid
        birth_date = ric.get_birth_date(number)
    except StdnumValidationError:
        raise invalid from None
    if number[:2] not in PROVINCE_CODES:
        raise invalid
    if not EARLIEST_BIRTH_DATE <= birth_date <= (today or datetime.date.today()):
        raise invalid
    return number, birth_date, sex_from_resident_id(number)


def resident_id_with_check_digit(first_17: str) -> str:
    """Complete 17 digits with their check digit (tests and demo data build IDs with it)."""
    return first_17 + ric.calc_check_digit(first_17 + "0")
