"""``kincare adjudicate``: one decision per JSON line, errors in-band, no database."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kincare.claims.tests.test_engine_examples import EXAMPLE, SPEC_OUTPUT, example


def run(*args: str, stdin: str | bytes = "") -> tuple[list[dict[str, Any]], str]:
    out, err = StringIO(), StringIO()
    source = BytesIO(stdin) if isinstance(stdin, bytes) else StringIO(stdin)
    call_command("adjudicate", *args, stdin=source, stdout=out, stderr=err)
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def jsonl(*records: Any) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


def test_it_writes_the_specs_output_line_for_the_specs_input_line() -> None:
    (line,), err = run(stdin=jsonl(EXAMPLE))
    assert err == ""
    assert {k: v for k, v in line.items() if k not in ("flags", "lines")} == SPEC_OUTPUT
    assert line["flags"] == [] and line["lines"][0]["code"] == "item_covered"


def test_brief_leaves_the_explanation_out() -> None:
    (line,), _ = run("--brief", stdin=jsonl(EXAMPLE))
    assert "lines" not in line and line["payout_fen"] == 300000


def test_a_malformed_line_in_the_middle_yields_an_error_and_the_next_lines_are_still_adjudicated() -> None:
    bad_item = example(claim_id="C-3", claim={"items": [{"category": "drug", "amount_fen": "100"}]})
    lines, err = run(
        stdin=jsonl(
            EXAMPLE,
            "{not json",
            bad_item,
            "",
            "[1, 2]",
            example(claim_id="C-6", claim={"diagnoses": ["C34.1"]}),
        )
    )
    assert [line.get("claim_id") for line in lines] == ["C-1", None, "C-3", None, "C-6"]
    assert lines[0]["payout_fen"] == 300000
    assert lines[1] == {
        "line": 2,
        "error": {"code": "json_invalid", "message": lines[1]["error"]["message"], "field": ""},
    }
    assert lines[2]["line"] == 3
    assert lines[2]["error"]["code"] == "integer_required"
    assert lines[2]["error"]["field"] == "claim.items.0.amount_fen"
    assert lines[3] == {
        "line": 5,
        "error": {"code": "object_required", "message": "each line must be a JSON object", "field": ""},
    }
    assert lines[4]["payout_fen"] == 1300000 and lines[4]["benefit"] == "serious_illness"
    assert err.strip() == "3 line(s) could not be read; 2 adjudicated"


def test_lines_are_adjudicated_each_on_its_own() -> None:
    lines, _ = run(stdin=jsonl(EXAMPLE, EXAMPLE))
    assert lines[0] == lines[1]


def test_a_line_that_is_not_utf8_is_an_error_entry() -> None:
    lines, _ = run(stdin=b"\xff\xfe\n" + json.dumps(EXAMPLE).encode())
    assert lines[0]["error"]["code"] == "encoding_invalid"
    assert lines[1]["claim_id"] == "C-1"


def test_empty_input_is_fine() -> None:
    assert run(stdin="") == ([], "")


def test_when_no_line_can_be_adjudicated_it_fails() -> None:
    with pytest.raises(CommandError, match="no line could be adjudicated"):
        run(stdin=jsonl("nope"))


def test_it_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "claims.jsonl"
    path.write_text(jsonl(EXAMPLE), encoding="utf-8")
    (line,), _ = run("--input", str(path))
    assert line["decision"] == "approved"


def test_an_unreadable_file_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        run("--input", str(tmp_path / "missing.jsonl"))


@pytest.mark.skipif(shutil.which("kincare", path=str(Path(sys.executable).parent)) is None, reason="console script")
def test_the_console_script_runs_without_a_database(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'absent' / 'nothing.sqlite3'}",
        "KINCARE_TESTING": "true",
    }
    script = str(Path(sys.executable).parent / "kincare")
    done = subprocess.run(
        [script, "adjudicate", "--brief"],
        input=jsonl(EXAMPLE, "oops"),
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first["payout_fen"] == 300000
    assert second["line"] == 2 and second["error"]["code"] == "json_invalid"


def test_it_reports_a_number_too_long_to_read_as_an_error_entry_and_goes_on() -> None:
    too_long = '{"claim_id": ' + "9" * 5000 + "}"
    lines, _ = run(stdin=jsonl(too_long, EXAMPLE))
    assert lines[0]["line"] == 1 and lines[0]["error"]["code"] == "json_invalid"
    assert lines[1]["payout_fen"] == 300000


@pytest.mark.parametrize("amount", [2**63 - 1, 2**63, 10**40])
def test_it_answers_an_amount_beyond_the_maximum_with_an_error_for_that_line_only(amount: int) -> None:
    too_big = example(claim_id="C-2", claim={"items": [{"category": "drug", "amount_fen": amount}]})
    lines, _ = run(stdin=jsonl(too_big, EXAMPLE))
    assert lines[0]["line"] == 1 and lines[0]["error"]["code"] not in ("internal_error", "")
    assert "items" in lines[0]["error"]["field"]
    assert lines[1]["payout_fen"] == 300000
