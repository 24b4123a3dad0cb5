"""``kincare underwrite``: one decision per JSON line, errors in-band, no database."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kincare.underwriting.engine.shipped import RULES_DIR

HYPERTENSION_2 = {
    "code": "hypertension",
    "attributes": {"grade": 2, "controlled": True, "years": 5, "complications": False},
}
DIABETES = {"code": "diabetes", "attributes": {"type": 2, "hba1c": 7.4, "complications": False, "insulin": False}}
CARRIER = {
    "code": "hepatitis_b",
    "attributes": {"status": "carrier", "liver_function_normal": True, "hbv_dna_positive": False, "cirrhosis": False},
}
CONTRACT = {"outcome", "loading_pct", "exclusions", "postpone_months", "reasons", "conditions"}


def run(*args: str, stdin: str = "") -> tuple[list[dict[str, Any]], str]:
    out, err = StringIO(), StringIO()
    call_command("underwrite", *args, stdin=StringIO(stdin), stdout=out, stderr=err)
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def jsonl(*records: Any) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


def test_it_decides_each_line_with_the_products_questionnaire() -> None:
    lines, err = run(
        "--product",
        "med_11",  # 安康三高也能保: medical_chronic
        stdin=jsonl(
            {"id": "a", "age": 58, "sex": "M", "conditions": [HYPERTENSION_2, DIABETES]},
            {"id": "b", "conditions": [CARRIER]},
            {"conditions": []},
        ),
    )
    assert err == ""
    first, second, third = lines
    assert set(first) == CONTRACT | {"id"} and first["id"] == "a"
    assert (first["outcome"], first["loading_pct"], first["reasons"]) == (
        "conditional",
        25,
        ["diabetes.type2_controlled"],
    )
    assert [c["code"] for c in first["conditions"]] == ["hypertension", "diabetes"]
    assert first["conditions"][0]["outcome"] == "standard"
    assert first["conditions"][1]["rule"]["table"] == "medical_chronic/diabetes"
    assert second["outcome"] == "conditional"
    assert second["exclusions"][0]["icd10"][:2] == ["B18", "K70"] and second["exclusions"][0]["description"]
    assert set(third) == CONTRACT and third["outcome"] == "standard"


def test_the_same_answers_are_declined_by_an_ordinary_medical_product() -> None:
    (line,), _ = run("--product", "med_01", stdin=jsonl({"conditions": [DIABETES]}))
    assert line["outcome"] == "decline" and line["reasons"] == ["diabetes.type2_hba1c_high"]


def test_a_questionnaire_can_be_named_directly() -> None:
    (line,), _ = run("--questionnaire", "ci_standard", stdin=jsonl({"age": 50, "conditions": [HYPERTENSION_2]}))
    assert (line["outcome"], line["loading_pct"]) == ("conditional", 50)


def test_a_malformed_line_in_the_middle_yields_an_error_and_the_next_lines_are_still_decided() -> None:
    lines, err = run(
        "--product",
        "ci_02",
        stdin=jsonl(
            {"id": 1, "conditions": [CARRIER]},
            "{not json",
            {"id": 3, "conditions": [{"code": "gout", "attributes": {}}]},
            {"id": 4, "conditions": [{**CARRIER, "attributes": {**CARRIER["attributes"], "cirrhosis": "no"}}]},
            {"id": 5, "age": "forty"},
            {"id": 6, "sex": "X"},
            "[1, 2]",
            {"id": 8, "conditions": {"code": "diabetes"}},
            {"id": 9, "weight": 80},
            {"id": 10, "conditions": [DIABETES]},
        ),
    )
    assert "8 line(s) could not be read; 2 decided" in err
    by_line = [(line.get("line"), line.get("id"), line.get("error", {}).get("code")) for line in lines]
    assert by_line == [
        (None, 1, None),
        (2, None, "json_invalid"),
        (3, 3, "condition_unknown"),
        (4, 4, "condition_attributes_invalid"),
        (5, 5, "age_invalid"),
        (6, 6, "sex_invalid"),
        (7, None, "object_required"),
        (8, 8, "conditions_invalid"),
        (9, 9, "field_unknown"),
        (None, 10, None),
    ]
    assert lines[3]["error"]["field"] == "conditions.0.attributes.cirrhosis"
    assert set(lines[3]["error"]) == {"code", "message", "field"} and lines[3]["error"]["message"]
    assert lines[0]["outcome"] == "conditional" and lines[-1]["outcome"] == "conditional"


def test_blank_lines_are_skipped_but_counted() -> None:
    lines, _ = run("--product", "life_01", stdin="\n\n" + jsonl("oops", {"id": "x"}))
    assert lines[0]["line"] == 3 and lines[1]["id"] == "x" and lines[1]["outcome"] == "standard"


def test_a_product_without_health_questions_decides_every_line_standard() -> None:
    lines, _ = run("--product", "acc_01", stdin=jsonl({"conditions": [DIABETES]}, {"conditions": [CARRIER], "id": 2}))
    assert [line["outcome"] for line in lines] == ["standard", "standard"]
    assert lines[0]["conditions"] == [] and lines[1]["id"] == 2


def test_it_refuses_an_unknown_product_or_questionnaire() -> None:
    with pytest.raises(CommandError, match="unknown product 'nope'"):
        run("--product", "nope")
    with pytest.raises(CommandError, match="unknown questionnaire 'nope'"):
        run("--questionnaire", "nope")
    with pytest.raises(CommandError, match="--product CODE or --questionnaire CODE"):
        run()


def test_it_fails_when_not_a_single_line_could_be_decided() -> None:
    with pytest.raises(CommandError, match="no line could be decided"):
        run("--product", "med_01", stdin="nope\n")
    lines, _ = run("--product", "med_01", stdin="")
    assert lines == []


def test_it_reads_a_file_and_reports_lines_that_are_not_utf8(tmp_path: Path) -> None:
    answers = tmp_path / "answers.jsonl"
    answers.write_bytes(
        json.dumps({"id": 1, "conditions": [DIABETES]}).encode()
        + b"\n"
        + b'{"id": "\xff"}\n'
        + b'{"id": "\xe4\xb9\x99"}\n'
    )
    lines, _ = run("--product", "life_02", "--input", str(answers))
    assert (lines[0]["outcome"], lines[0]["loading_pct"]) == ("conditional", 100)
    assert lines[1] == {
        "line": 2,
        "error": {"code": "encoding_invalid", "message": "the line is not UTF-8 text", "field": ""},
    }
    assert lines[2]["id"] == "乙"
    with pytest.raises(CommandError, match="cannot read"):
        run("--product", "life_02", "--input", str(tmp_path / "missing.jsonl"))


def test_it_uses_other_rule_tables_from_a_directory(tmp_path: Path) -> None:
    shutil.copytree(RULES_DIR / "medical_standard", tmp_path / "custom")
    path = tmp_path / "custom" / "diabetes.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    table = next(n for n in doc["nodes"] if n["type"] == "decisionTableNode")["content"]
    table["rules"].insert(
        0,
        {
            "_id": "everyone",
            "_description": "",
            **{f"in_{c['field']}": "" for c in table["inputs"]},
            **{f"out_{o['field']}": "" for o in table["outputs"]},
            "out_outcome": '"loading"',
            "out_reason": '"diabetes.custom"',
            "out_message": '"加费承保"',
            "out_loading_pct": "30",
        },
    )
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (line,), _ = run("--questionnaire", "custom", "--rules", str(tmp_path), stdin=jsonl({"conditions": [DIABETES]}))
    assert (line["outcome"], line["loading_pct"], line["reasons"]) == ("conditional", 30, ["diabetes.custom"])
    assert line["conditions"][0]["rule"]["rule_id"] == "everyone"

    table["rules"][0]["out_loading_pct"] = ""
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    shutil.copytree(tmp_path / "custom", tmp_path / "broken")
    with pytest.raises(CommandError, match="a loading needs loading_pct"):
        run("--questionnaire", "broken", "--rules", str(tmp_path))
    with pytest.raises(CommandError, match="not a directory"):
        run("--questionnaire", "custom", "--rules", str(tmp_path / "nowhere"))


def test_the_console_script_reads_stdin_and_leaves_quietly_when_the_reader_goes() -> None:
    kincare = Path(sys.executable).parent / "kincare"
    if not kincare.exists():
        pytest.skip("the kincare console script is not installed")
    answers = jsonl(*({"id": n, "age": 40, "conditions": [DIABETES, CARRIER]} for n in range(3000)))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kincare.settings"}
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"{kincare} underwrite --product ci_03 | head -n 2"],
        input=answers,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr  # pipefail: the exit status of kincare itself
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert (first["id"], second["id"]) == (0, 1) and first["outcome"] == "decline"
