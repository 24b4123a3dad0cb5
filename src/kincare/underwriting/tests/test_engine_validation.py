"""A rule table the engine could not use is refused with a reason an underwriter can act on."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from kincare.underwriting.engine import RuleTableInvalid, parse_table
from kincare.underwriting.engine.rules import MAX_TABLE_BYTES
from kincare.underwriting.engine.shipped import RULES_DIR

SHIPPED = sorted(RULES_DIR.glob("*/*.json"))


def good() -> dict[str, Any]:
    return json.loads((RULES_DIR / "medical_chronic" / "hypertension.json").read_text(encoding="utf-8"))


def table_of(doc: dict[str, Any]) -> dict[str, Any]:
    return next(n for n in doc["nodes"] if n["type"] == "decisionTableNode")["content"]


def problems(content: Any, condition: str = "hypertension") -> str:
    with pytest.raises(RuleTableInvalid) as caught:
        parse_table(content, condition=condition)
    assert caught.value.problems
    return "; ".join(caught.value.problems)


def mutated(change: Callable[[dict[str, Any]], None]) -> str:
    doc = copy.deepcopy(good())
    change(doc)
    return json.dumps(doc, ensure_ascii=False)


def set_cell(column: str, value: str, row: int = 0) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        table_of(doc)["rules"][row][column] = value

    return change


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_shipped_table_parses(path: Any) -> None:
    text, data = parse_table(path.read_bytes(), condition=path.stem)
    assert json.loads(text) == data


def test_there_are_forty_five_shipped_tables() -> None:
    assert len(SHIPPED) == 5 * 9


def test_a_valid_table_is_accepted_as_text_bytes_or_a_dict() -> None:
    text = json.dumps(good())
    assert parse_table(text, condition="hypertension")[1] == good()
    assert parse_table(text.encode(), condition="hypertension")[1] == good()
    assert parse_table(good(), condition="hypertension")[1] == good()


def test_it_refuses_text_that_is_not_json() -> None:
    assert "not JSON" in problems('{"nodes": [')


def test_it_refuses_bytes_that_are_not_utf8() -> None:
    assert "not UTF-8" in problems(b'{"nodes": "\xff\xfe"}')


def test_it_refuses_a_file_that_is_too_big() -> None:
    padding = " " * (MAX_TABLE_BYTES + 1)
    assert "larger than" in problems(json.dumps(good()) + padding)
    assert "larger than" in problems((json.dumps(good()) + padding).encode())


def test_it_refuses_a_document_without_nodes_and_edges() -> None:
    assert "list of nodes and a list of edges" in problems("[]")
    assert "list of nodes and a list of edges" in problems('{"nodes": []}')


@pytest.mark.parametrize("kind", ["inputNode", "decisionTableNode", "outputNode"])
def test_it_refuses_a_graph_missing_a_node(kind: str) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["nodes"] = [n for n in doc["nodes"] if n["type"] != kind]

    assert f"exactly one {kind}" in problems(mutated(change))


def test_it_refuses_a_graph_with_two_decision_tables() -> None:
    def change(doc: dict[str, Any]) -> None:
        extra = copy.deepcopy(next(n for n in doc["nodes"] if n["type"] == "decisionTableNode"))
        extra["id"] = "table2"
        doc["nodes"].append(extra)

    assert "exactly one decisionTableNode (found 2)" in problems(mutated(change))


def test_it_refuses_edges_that_do_not_connect_input_table_output() -> None:
    def reversed_edges(doc: dict[str, Any]) -> None:
        doc["edges"] = [{**e, "sourceId": e["targetId"], "targetId": e["sourceId"]} for e in doc["edges"]]

    def no_edges(doc: dict[str, Any]) -> None:
        doc["edges"] = []

    assert "edges must connect" in problems(mutated(reversed_edges))
    assert "edges must connect" in problems(mutated(no_edges))


@pytest.mark.parametrize("policy", ["collect", "", None])
def test_it_refuses_a_hit_policy_other_than_first(policy: str | None) -> None:
    def change(doc: dict[str, Any]) -> None:
        table_of(doc)["hitPolicy"] = policy

    assert 'hit policy "first"' in problems(mutated(change))


def test_it_refuses_an_input_column_the_condition_does_not_have() -> None:
    def change(doc: dict[str, Any]) -> None:
        table_of(doc)["inputs"][0]["field"] = "hba1c"  # a diabetes attribute, not hypertension

    reason = problems(mutated(change))
    assert "input column 1: field 'hba1c'" in reason and "grade" in reason
    # the same column is fine in a diabetes table (where hypertension's "controlled" is not)
    in_diabetes = problems(mutated(change), condition="diabetes")
    assert "input column 1" not in in_diabetes and "field 'controlled'" in in_diabetes


def test_it_accepts_the_context_fields_age_sex_and_years_since_diagnosis() -> None:
    def change(doc: dict[str, Any]) -> None:
        table = table_of(doc)
        table["inputs"] += [
            {"id": "in_age", "name": "年龄", "field": "age"},
            {"id": "in_sex", "name": "性别", "field": "sex"},
            {"id": "in_ysd", "name": "确诊年数", "field": "years_since_diagnosis"},
        ]
        table["rules"][0].update({"in_age": ">= 18", "in_sex": '"F"', "in_ysd": "[0..5]"})

    parse_table(mutated(change), condition="hypertension")


def test_it_refuses_an_unknown_output_column() -> None:
    def change(doc: dict[str, Any]) -> None:
        table_of(doc)["outputs"][0]["field"] = "premium"

    reason = problems(mutated(change))
    assert "output column 1: field 'premium'" in reason


def test_it_refuses_a_table_without_the_required_outputs() -> None:
    def change(doc: dict[str, Any]) -> None:
        table_of(doc)["outputs"] = [o for o in table_of(doc)["outputs"] if o["field"] != "message"]

    assert "output columns missing: message" in problems(mutated(change))


def test_it_refuses_a_table_without_rules() -> None:
    def change(doc: dict[str, Any]) -> None:
        table_of(doc)["rules"] = []

    assert "no rules" in problems(mutated(change))


@pytest.mark.parametrize("cell", ["<= <= 2", ">", "[1..", "grade ==="])
def test_it_refuses_a_condition_cell_it_cannot_read(cell: str) -> None:
    reason = problems(mutated(set_cell("in_grade", cell)))
    assert f"rule 1, grade: cannot read the condition {cell!r}" in reason


@pytest.mark.parametrize("cell", ["<= 2", "< 3", ">= 1", "[1..2]", "(0..3)", "1", "1, 2", "$ > 0 and $ < 3", ""])
def test_it_accepts_the_usual_condition_cells(cell: str) -> None:
    parse_table(mutated(set_cell("in_grade", cell)), condition="hypertension")


def test_it_refuses_a_cell_that_is_not_text() -> None:
    assert "a cell is text" in problems(mutated(set_cell("in_grade", 2)))  # type: ignore[arg-type]


def test_it_refuses_an_output_value_it_cannot_read() -> None:
    assert "cannot read the value" in problems(mutated(set_cell("out_message", "'unterminated")))


def test_it_refuses_an_unknown_outcome() -> None:
    reason = problems(mutated(set_cell("out_outcome", '"approve"')))
    assert "rule 1: outcome 'approve' is not one of standard, loading, exclusion, postpone, decline, manual" in reason


def test_it_refuses_a_reason_that_is_not_a_code() -> None:
    assert "reason must be a code" in problems(mutated(set_cell("out_reason", '"Grade 3!"')))


def test_it_refuses_an_empty_message() -> None:
    assert "message must be a non-empty text" in problems(mutated(set_cell("out_message", '"  "')))


def test_it_refuses_a_loading_without_a_percentage() -> None:
    doc = good()
    rule = table_of(doc)["rules"][0]
    rule.update({"out_outcome": '"loading"', "out_loading_pct": ""})
    assert "a loading needs loading_pct" in problems(doc)
    rule["out_loading_pct"] = "400"
    assert "a loading needs loading_pct" in problems(doc)
    rule["out_loading_pct"] = "12.5"
    assert "a loading needs loading_pct" in problems(doc)


def test_it_refuses_a_loading_percentage_on_another_outcome() -> None:
    assert "loading_pct belongs only to a loading" in problems(mutated(set_cell("out_loading_pct", "25")))


def test_it_refuses_an_exclusion_without_icd10_prefixes_or_words() -> None:
    doc = good()
    rule = table_of(doc)["rules"][0]
    rule.update({"out_outcome": '"exclusion"', "out_exclusions": "", "out_exclusion_text": '"肝脏疾病"'})
    assert "an exclusion needs exclusions" in problems(doc)
    rule["out_exclusions"] = "[]"
    assert "an exclusion needs exclusions" in problems(doc)
    rule["out_exclusions"] = '["b18", "liver"]'
    assert "an exclusion needs exclusions" in problems(doc)
    rule.update({"out_exclusions": '["B18", "K70"]', "out_exclusion_text": ""})
    assert "an exclusion needs exclusion_text" in problems(doc)
    rule["out_exclusion_text"] = '"肝脏疾病"'
    parse_table(doc, condition="hypertension")


def test_it_refuses_a_postponement_without_months() -> None:
    doc = good()
    rule = table_of(doc)["rules"][0]
    rule.update({"out_outcome": '"postpone"', "out_postpone_months": ""})
    assert "a postponement needs postpone_months" in problems(doc)
    rule["out_postpone_months"] = "61"
    assert "a postponement needs postpone_months" in problems(doc)
    rule["out_postpone_months"] = "6"
    parse_table(doc, condition="hypertension")


def test_the_problems_name_every_bad_row() -> None:
    doc = good()
    rules = table_of(doc)["rules"]
    rules[0]["out_outcome"] = '"approve"'
    rules[2]["in_grade"] = "<= <= 2"
    with pytest.raises(RuleTableInvalid) as caught:
        parse_table(doc, condition="hypertension")
    assert any(p.startswith("rule 1:") for p in caught.value.problems)
    assert any(p.startswith("rule 3, grade:") for p in caught.value.problems)
