"""``kincare assess-campaign``: one assessment per campaign line, errors in-band, no database."""

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

from kincare.crowdfunding.tests.test_engine_parse import SPEC_LINE, campaign_json

CONTRACT = {"campaign_id", "decision", "goal_cap_fen", "score", "reasons"}


def run(*args: str, stdin: str | bytes = "") -> tuple[list[dict[str, Any]], str]:
    out, err = StringIO(), StringIO()
    source = BytesIO(stdin) if isinstance(stdin, bytes) else StringIO(stdin)
    call_command("assess_campaign", *args, stdin=source, stdout=out, stderr=err)
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def jsonl(*records: Any) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


def test_it_writes_the_contract_line_for_the_spec_example():
    (line,), err = run(stdin=jsonl(SPEC_LINE))
    assert err == ""
    assert set(line) == CONTRACT | {"explanation"}
    assert line == {
        "campaign_id": "X-1",
        "decision": "approve",
        "goal_cap_fen": 30_000_000,
        "score": 0,
        "reasons": [],
        "explanation": [],
    }


def test_it_lists_every_reason_with_a_chinese_sentence_each():
    fraud = campaign_json(
        {"insurance.expected_payouts_fen": 40_000_000, "relationship": "other", "context.open_reports": 1}
    )
    (line,), _ = run(stdin=jsonl(fraud))
    assert line["decision"] == "reject" and line["score"] == 100
    assert line["goal_cap_fen"] == 10_000_000
    assert line["reasons"] == ["goal_above_cap", "relationship_other", "open_reports"]
    assert len(line["explanation"]) == 3
    assert line["explanation"][0].startswith("目标金额 300,000.00 元 超过上限 100,000.00 元")


def test_it_reads_a_file(tmp_path: Path):
    source = tmp_path / "campaigns.jsonl"
    source.write_text(jsonl(SPEC_LINE, campaign_json(campaign_id="X-2", relationship="other")), encoding="utf-8")
    lines, _ = run("--input", str(source))
    assert [(line["campaign_id"], line["decision"]) for line in lines] == [("X-1", "approve"), ("X-2", "review")]


def test_malformed_lines_yield_errors_and_the_run_goes_on():
    lines, err = run(
        stdin=jsonl(
            SPEC_LINE,
            "{not json",
            "[1, 2]",
            campaign_json(campaign_id="X-4", goal_fen="30000000"),
            campaign_json(campaign_id="X-5", goal_fen="３００００"),
            campaign_json(campaign_id="X-6", other_aid_fen=-1),
            campaign_json(campaign_id="X-7", estimated_cost_fen=10**30),
            campaign_json(campaign_id="X-8", favourite_colour="red"),
            campaign_json(campaign_id="X-9", relationship="other"),
        )
    )
    assert len(lines) == 9
    assert lines[0]["decision"] == "approve" and lines[8]["decision"] == "review"
    errors = [
        (line["line"], line.get("campaign_id"), line["error"]["code"], line["error"]["field"]) for line in lines[1:8]
    ]
    assert errors == [
        (2, None, "json_invalid", ""),
        (3, None, "object_required", ""),
        (4, "X-4", "field_type", "goal_fen"),
        (5, "X-5", "field_type", "goal_fen"),
        (6, "X-6", "value_too_small", "other_aid_fen"),
        (7, "X-7", "value_too_large", "estimated_cost_fen"),
        (8, "X-8", "field_unknown", "favourite_colour"),
    ]
    assert all(set(line) <= {"line", "campaign_id", "error"} for line in lines[1:8])
    assert all(line["error"]["message"] for line in lines[1:8])
    assert "7 line(s) could not be read; 2 assessed" in err


def test_an_invalid_resident_id_is_a_reason_not_a_malformed_line():
    (line,), err = run(stdin=jsonl(campaign_json({"patient.resident_id": "110101199003074478"})))
    assert err == ""
    assert line["decision"] == "reject" and line["reasons"] == ["invalid_patient_id"]


def test_a_line_too_big_for_a_number_or_not_utf8_is_an_error_for_that_line_only():
    huge = json.dumps(SPEC_LINE).replace('"goal_fen": 30000000', '"goal_fen": ' + "9" * 5000)
    lines, _ = run(stdin=(huge + "\n").encode() + b"\xff\xfe\n" + jsonl(SPEC_LINE).encode())
    assert [line.get("error", {}).get("code") for line in lines] == ["json_invalid", "encoding_invalid", None]


def test_blank_lines_are_skipped_but_counted():
    lines, _ = run(stdin="\n" + jsonl(SPEC_LINE) + "\n" + "nope\n")
    assert lines[0]["campaign_id"] == "X-1"
    assert lines[1]["line"] == 4


def test_an_empty_input_writes_nothing_and_succeeds():
    assert run(stdin="") == ([], "")


def test_no_readable_line_at_all_is_a_failure():
    with pytest.raises(CommandError):
        run(stdin="nope\n")


def test_an_unreadable_file_is_a_failure(tmp_path: Path):
    with pytest.raises(CommandError):
        run("--input", str(tmp_path / "missing.jsonl"))


def test_the_console_script_runs_without_a_database(tmp_path: Path):
    source = tmp_path / "campaigns.jsonl"
    source.write_text(jsonl(SPEC_LINE, "oops"), encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    kincare = Path(sys.executable).parent / "kincare"
    done = subprocess.run(
        [str(kincare), "assess-campaign", "--input", str(source)], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first["campaign_id"] == "X-1" and first["decision"] == "approve"
    assert second["error"]["code"] == "json_invalid"
