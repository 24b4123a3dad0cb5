import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kincare.accounts.identity import (
    normalise_name,
    parse_resident_id,
    resident_id_with_check_digit,
)
from kincare.accounts.tests.factories import make_resident_id
from kincare.core.errors import ValidationFailed

REGIONS = ["110101", "310104", "440305", "510104", "650102", "820000"]


def check_digit(first_17: str) -> str:
    """GB 11643: weights 2^(17-i) mod 11, remainder mapped through 1 0 X 9 8 7 6 5 4 3 2."""
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    total = sum(int(d) * w for d, w in zip(first_17, weights, strict=True))
    return "10X98765432"[total % 11]


@given(
    region=st.sampled_from(REGIONS),
    birth_date=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2024, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
)
def test_it_accepts_every_valid_id_and_reads_birth_date_and_sex(
    region: str, birth_date: datetime.date, sequence: int
) -> None:
    body = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    number = body + check_digit(body)
    assert resident_id_with_check_digit(body) == number
    parsed, parsed_birth, sex = parse_resident_id(number)
    assert parsed == number
    assert parsed_birth == birth_date
    assert sex == ("M" if sequence % 2 else "F")


@given(
    birth_date=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2024, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
    wrong=st.integers(min_value=1, max_value=10),
)
def test_it_refuses_any_wrong_check_digit(birth_date: datetime.date, sequence: int, wrong: int) -> None:
    body = f"110101{birth_date:%Y%m%d}{sequence:03d}"
    digits = "0123456789X"
    bad = digits[(digits.index(check_digit(body)) + wrong) % 11]
    with pytest.raises(ValidationFailed) as exc:
        parse_resident_id(body + bad)
    assert exc.value.code == "resident_id_invalid"
    assert exc.value.field == "resident_id"


def test_it_accepts_a_lower_case_x_and_full_width_digits() -> None:
    assert parse_resident_id("11010519491231002x")[0] == "11010519491231002X"
    full_width = "１１０１０５１９４９１２３１００２Ｘ"
    assert parse_resident_id(full_width) == (
        "11010519491231002X",
        datetime.date(1949, 12, 31),
        "F",
    )
    assert parse_resident_id(" 110105 19491231 002X ")[0] == "11010519491231002X"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        None,
        12345,
        "1" * 10_000,
        "11010519491231002",  # 17 digits
        "110105194912310021X",  # 19 characters
        "11010519491331002X",  # month 13 (check digit of a real number)
        "A1010519491231002X",
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",  # Arabic-Indic digits
    ],
)
def test_it_refuses_malformed_ids(value: object) -> None:
    with pytest.raises(ValidationFailed) as exc:
        parse_resident_id(value)
    assert exc.value.code == "resident_id_invalid"


def test_it_refuses_an_impossible_date_even_with_a_correct_check_digit() -> None:
    with pytest.raises(ValidationFailed):
        parse_resident_id(resident_id_with_check_digit("11010119900230123"))  # 30 February


def test_it_refuses_a_birth_date_in_the_future() -> None:
    number = make_resident_id(birth_date=datetime.date(2030, 1, 1))
    with pytest.raises(ValidationFailed):
        parse_resident_id(number, today=datetime.date(2026, 1, 1))


def test_it_refuses_an_unknown_province() -> None:
    with pytest.raises(ValidationFailed):
        parse_resident_id(make_resident_id(region="990101"))


def test_it_accepts_an_old_persons_id_from_a_county_created_after_their_birth() -> None:
    # stdnum's place check would refuse this genuine pattern (西湖区 code, born 1930)
    assert parse_resident_id(make_resident_id(region="330106", birth_date=datetime.date(1930, 5, 1)))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张三", "张三"),
        (" 欧阳小明 ", "欧阳小明"),
        ("买买提•吐尔逊", "买买提·吐尔逊"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),
        ("John", "John"),
        ("ＡＢＣ", "ABC"),
    ],
)
def test_it_normalises_valid_names(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


@pytest.mark.parametrize("raw", ["", "张", "·张三", "张三·", "张 三", "张三1", "<script>", "张" * 31, None, 3])
def test_it_refuses_invalid_names(raw: object) -> None:
    with pytest.raises(ValidationFailed) as exc:
        normalise_name(raw)
    assert exc.value.code == "name_invalid"
