"""``kincare plan``: one plan per family line, errors in-band, no database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kincare.planning.tests.builders import AS_OF

HYPERTENSION = {"grade": 1, "controlled": True, "years": 5, "complications": False}
FAMILY = {
    "family_id": "F1",
    "as_of": AS_OF.isoformat(),
    "members": [
        {
            "member_id": "earner",
            "birth_date": "1988-05-01",
            "sex": "M",
            "annual_income_fen": 30_000_000,
            "social_insurance": True,
            "occupation_class": 1,
            "smoker": False,
            "conditions": [],
        },
        {"member_id": "spouse", "birth_date": "1990-03-01", "sex": "F", "annual_income_fen": 0},
        {"member_id": "child", "birth_date": "2017-06-01", "sex": "M"},
        {
            "member_id": "senior",
            "birth_date": "1960-02-01",
            "sex": "F",
            "conditions": [
                {
                    "code": "hypertension",
                    "attributes": {"grade": 1, "controlled": True, "years": 5, "complications": False},
                }
            ],
        },
    ],
    "finances": {"annual_expenses_fen": 12_000_000, "debts_fen": 80_000_000, "savings_fen": 20_000_000},
    "existing": [{"member_id": "spouse", "category": "medical", "sum_insured_fen": 100_000_000}],
}
CONTRACT = {"family_id", "budget_fen", "total_premium_fen", "objective", "premium_to_close_all_gaps_fen", "errors"}
CONTRACT |= {"items", "members"}


def run(*args: str, stdin: str | bytes = "") -> tuple[list[dict[str, Any]], str]:
    out, err = StringIO(), StringIO()
    source = BytesIO(stdin) if isinstance(stdin, bytes) else StringIO(stdin)
    call_command("plan", *args, stdin=source, stdout=out, stderr=err)
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def jsonl(*records: Any) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


def test_it_writes_a_plan_with_every_field_of_the_contract():
    (plan,), err = run(stdin=jsonl(FAMILY))
    assert err == ""
    assert set(plan) >= CONTRACT
    assert plan["errors"] == []
    assert plan["budget_fen"] == 2_400_000  # 8% of 300,000 yuan
    assert plan["total_premium_fen"] <= plan["budget_fen"]
    assert plan["total_premium_fen"] == sum(i["premium_fen"] for i in plan["items"])
    item_keys = {"member_id", "category", "product_code", "plan", "sum_insured_fen", "premium_fen", "value"}
    assert all(item_keys <= set(i) for i in plan["items"])
    members = {m["member_id"]: m["categories"] for m in plan["members"]}
    assert set(members) == {"earner", "spouse", "child", "senior"}
    category_keys = {"need_fen", "existing_fen", "gap_fen", "cover_after_fen", "gap_after_fen"}
    assert all(set(c) == {"medical", "critical_illness", "term_life", "accident"} for c in members.values())
    assert all(set(v) == category_keys for c in members.values() for v in c.values())
    assert members["spouse"]["medical"]["existing_fen"] == 100_000_000
    assert members["senior"]["critical_illness"]["need_fen"] == 0  # does not apply at 66: need 0
    assert any("选择" in line for line in plan["explanation"])  # Chinese sentences


def test_a_malformed_line_yields_an_errors_entry_and_the_run_goes_on():
    wrong_type = {**FAMILY, "family_id": "F2", "budget_fen": "１２"}
    lines, err = run(stdin=jsonl(FAMILY, "{not json", wrong_type, "[1, 2]", {**FAMILY, "family_id": "F3"}))
    assert [line["family_id"] for line in lines] == ["F1", None, "F2", None, "F3"]
    assert lines[0]["errors"] == [] and lines[4]["errors"] == []
    assert lines[1]["errors"][0]["code"] == "json_invalid" and lines[1]["errors"][0]["line"] == 2
    assert lines[2]["errors"][0]["field"] == "budget_fen"
    assert lines[3]["errors"][0]["code"] == "object_required"
    assert all(line["items"] == [] for line in lines[1:4])
    assert "3 line(s) could not be read" in err


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"members": []}, "field_invalid", "members"),
        ({"as_of": 20261201}, "field_invalid", "as_of"),
        ({"budget_fen": -1}, "field_invalid", "budget_fen"),
        ({"budget_fen": True}, "field_invalid", "budget_fen"),
        ({"budget_fen": 10**20}, "field_invalid", "budget_fen"),
        ({"surprise": 1}, "field_unknown", "surprise"),
        ({"existing": [{"member_id": "nobody", "category": "medical", "sum_insured_fen": 1}]}, "member_unknown", None),
        ({"members": [FAMILY["members"][0], FAMILY["members"][0]]}, "member_duplicate", "members.1.member_id"),
        (
            {"members": [{**FAMILY["members"][0], "conditions": [{"code": "hypertension", "attributes": {}}]}]},
            None,
            "members.0.conditions.0",
        ),
        ({"members": [{**FAMILY["members"][0], "birth_date": "2030-01-01"}]}, "birth_date_invalid", None),
    ],
)
def test_each_nasty_family_is_refused_with_a_code_and_field(change, code, field):
    (line, good), _ = run(stdin=jsonl({**FAMILY, **change}, FAMILY))
    assert good["errors"] == []
    error = line["errors"][0]
    if code is not None:
        assert error["code"] == code
    if field is not None:
        assert error["field"].startswith(field)
    assert line["items"] == []


def test_an_empty_input_writes_nothing_and_succeeds():
    assert run(stdin="") == ([], "")


def test_no_readable_line_at_all_is_a_failure():
    with pytest.raises(CommandError):
        run(stdin="nope\n")


def test_it_reads_another_catalog_directory_and_refuses_a_broken_one(tmp_path: Path):
    with pytest.raises(CommandError):
        run("--catalog", str(tmp_path), stdin=jsonl(FAMILY))


def test_both_solvers_give_the_same_plan():
    (cpsat,), _ = run(stdin=jsonl(FAMILY))
    (highs,), _ = run("--solver", "highs", stdin=jsonl(FAMILY))
    assert cpsat["items"] == highs["items"]


def test_the_console_script_runs_without_a_database(tmp_path: Path):
    source = tmp_path / "families.jsonl"
    source.write_text(jsonl(FAMILY), encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    kincare = Path(sys.executable).parent / "kincare"
    done = subprocess.run(
        [str(kincare), "plan", "--input", str(source)], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["family_id"] == "F1"
