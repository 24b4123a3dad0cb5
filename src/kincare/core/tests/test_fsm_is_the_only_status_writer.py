"""Every status change goes through ``core/fsm``: no module writes a ``status`` itself.

The source of every kincare module (tests and migrations aside) is parsed and searched for the
ways Django can write a status: ``obj.status = …``, ``setattr(obj, "status", …)``,
``QuerySet.update(status=…)``, ``save(update_fields=[…"status"…])`` and
``bulk_update(…, ["status"])``. Creating a row in its initial state is not a change. The payment
sandbox's ``SandboxTransaction.state`` is the simulated provider's own state, not ours.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

import kincare

ROOT = Path(kincare.__file__).parent
FSM = ROOT / "core" / "fsm.py"


def _sources() -> list[Path]:
    return [
        path
        for path in sorted(ROOT.rglob("*.py"))
        if path != FSM and "tests" not in path.parts and "migrations" not in path.parts
    ]


def _names_status(node: ast.AST | None) -> bool:
    if isinstance(node, ast.Constant):
        return node.value == "status"
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return any(_names_status(element) for element in node.elts)
    if isinstance(node, ast.Starred):
        return _names_status(node.value)
    return False


def _targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        found: list[ast.expr] = []
        for target in node.targets:
            found.extend(target.elts if isinstance(target, ast.Tuple | ast.List) else [target])
        return found
    if isinstance(node, ast.AugAssign | ast.AnnAssign):
        return [node.target]
    return []


def _status_writes(tree: ast.AST) -> list[tuple[int, str]]:
    writes: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        for target in _targets(node):
            if isinstance(target, ast.Attribute) and target.attr == "status":
                writes.append((node.lineno, "assigns .status"))
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        if name == "setattr" and len(node.args) >= 2 and _names_status(node.args[1]):
            writes.append((node.lineno, 'setattr(…, "status", …)'))
        if name == "update" and isinstance(func, ast.Attribute) and "status" in keywords:
            writes.append((node.lineno, "update(status=…)"))
        if name == "save" and _names_status(keywords.get("update_fields")):
            writes.append((node.lineno, 'save(update_fields=["status"])'))
        if name == "bulk_update" and (
            _names_status(keywords.get("fields")) or (len(node.args) >= 2 and _names_status(node.args[1]))
        ):
            writes.append((node.lineno, 'bulk_update(…, ["status"])'))
    return writes


def test_no_module_but_core_fsm_writes_a_status() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in _sources()
        for line, what in _status_writes(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    ]
    assert offenders == [], "status written outside core/fsm (use transition):\n" + "\n".join(offenders)


def test_the_guard_catches_each_way_of_writing_a_status() -> None:
    source = """
obj.status = "x"
a.b, obj.status = 1, "x"
setattr(obj, "status", "x")
Model.objects.filter(pk=1).update(status="x", other=1)
obj.save(update_fields=["other", "status"])
Model.objects.bulk_update(rows, ["status"])
Model.objects.bulk_update(rows, fields=("status",))
"""
    assert [line for line, _ in _status_writes(ast.parse(source))] == [2, 3, 4, 5, 6, 7, 8]


def test_the_guard_lets_reads_and_creation_in_the_initial_state_pass() -> None:
    source = """
if obj.status == "x": pass
Model.objects.filter(status="x").update(other=1)
Model.objects.create(status="pending")
obj.save(update_fields=["other"])
"""
    assert _status_writes(ast.parse(source)) == []


def test_every_model_with_a_status_has_a_transitions_table() -> None:
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model.__module__.startswith("kincare.")
        and any(field.name == "status" for field in model._meta.get_fields())
        and not getattr(model, "TRANSITIONS", None)
    ]
    assert missing == []
