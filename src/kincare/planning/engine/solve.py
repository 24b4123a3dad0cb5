"""The optimal plan: a multiple-choice knapsack solved exactly by an existing solver.

Choose at most one option per (member, category), total premium ≤ budget, and order the
feasible choices lexicographically:

1. the larger total value (the spec's objective, in integer micro-units);
2. then the lower total premium;
3. then the lower sum of the options' ranks, where options are ranked by product code, plan,
   member and category (the spec's "product codes ascending", made total and linear).

OR-Tools CP-SAT works in exact integers, so the three levels are folded into one objective
with weights that keep them apart when they fit in 62 bits (they do for any realistic family),
and solved in sequence otherwise. HiGHS (through SciPy) is kept as a second backend for the
benchmark that chose CP-SAT; it solves the levels in sequence because its arithmetic is
floating point.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from kincare.planning.engine.model import Option

LIMIT = 2**62
TIME_LIMIT_S = 10.0


class SolverFailed(RuntimeError):
    """The solver did not prove optimality (a bug or a pathological input; never expected)."""


def ranks(
    groups: Sequence[Sequence[Option]], member_order: dict[str, int], category_order: dict[str, int]
) -> dict[int, int]:
    """id(option) → its position in (product code, plan, member, category) order."""
    every = [o for g in groups for o in g]
    every.sort(key=lambda o: (o.product_code, o.plan, member_order[o.member_id], category_order[o.category]))
    return {id(o): i for i, o in enumerate(every)}


def best_unconstrained(
    groups: Sequence[Sequence[Option]], budget_fen: int, rank: dict[int, int]
) -> list[Option] | None:
    """When the best option of every group fits the budget together, that is the optimum.

    The groups are independent once the budget does not bind, so the lexicographic optimum is
    each group's own best: the most valuable option, then the cheapest, then the lowest rank.
    """
    best = [max(g, key=lambda o: (o.value_micro, -o.premium_fen, -rank[id(o)])) for g in groups if g]
    if sum(o.premium_fen for o in best) <= budget_fen:
        return best
    return None


def solve(
    groups: Sequence[Sequence[Option]],
    budget_fen: int,
    rank: dict[int, int],
    *,
    backend: str = "cpsat",
) -> list[Option]:
    lists = [list(g) for g in groups if g]
    if not lists:
        return []
    quick = best_unconstrained(lists, budget_fen, rank)
    if quick is not None:
        return quick
    if backend == "highs":
        return _solve_highs(lists, budget_fen, rank)
    return _solve_cpsat(lists, budget_fen, rank)


def _levels(groups: list[list[Option]], budget_fen: int, rank: dict[int, int]) -> tuple[int, int, int]:
    v_max = sum(max(o.value_micro for o in g) for g in groups)
    p_max = min(budget_fen, sum(max(o.premium_fen for o in g) for g in groups))
    r_max = sum(max(rank[id(o)] for o in g) for g in groups)
    return v_max, p_max, r_max


def _solve_cpsat(groups: list[list[Option]], budget_fen: int, rank: dict[int, int]) -> list[Option]:
    from ortools.sat.python import cp_model

    model = _model_class()()
    variables = [[model.new_bool_var(f"x{gi}_{oi}") for oi in range(len(g))] for gi, g in enumerate(groups)]
    flat = [x for xs in variables for x in xs]
    options = [o for g in groups for o in g]
    for xs in variables:
        model.add_at_most_one(xs)
    model.add(cp_model.LinearExpr.weighted_sum(flat, [o.premium_fen for o in options]) <= budget_fen)
    v_max, p_max, r_max = _levels(groups, budget_fen, rank)
    w_p = r_max + 1
    w_v = (p_max + 1) * w_p
    solver = _cpsat_solver()
    if (v_max + 1) * w_v < LIMIT:
        coefficients = [o.value_micro * w_v - o.premium_fen * w_p - rank[id(o)] for o in options]
        model.maximize(cp_model.LinearExpr.weighted_sum(flat, coefficients))
        _check(solver.solve(model), cp_model)
    else:
        values = cp_model.LinearExpr.weighted_sum(flat, [o.value_micro for o in options])
        model.maximize(values)
        _check(solver.solve(model), cp_model)
        model.add(values >= round(solver.objective_value))
        model.clear_objective()
        model.minimize(cp_model.LinearExpr.weighted_sum(flat, [o.premium_fen * w_p + rank[id(o)] for o in options]))
        _check(solver.solve(model), cp_model)
    return [o for x, o in zip(flat, options, strict=True) if solver.boolean_value(x)]


@functools.cache
def _model_class() -> Any:
    from ortools.sat.python import cp_model

    class Model(cp_model.CpModel):
        """A CpModel without the deprecated camelCase aliases, which every new model sets up one by
        one (about a millisecond, a third of a family's plan; measured in bench/planning.py)."""

        def _add_pre_pep8_methods(self) -> None:
            pass

    return Model


def _cpsat_solver() -> Any:
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # deterministic, and the models are tiny
    solver.parameters.random_seed = 0
    solver.parameters.max_time_in_seconds = TIME_LIMIT_S
    # presolve costs more than it saves on a few dozen boolean variables (measured in bench/)
    solver.parameters.cp_model_presolve = False
    return solver


def _check(status: int, cp_model: object) -> None:
    if status != cp_model.OPTIMAL:  # type: ignore[attr-defined]
        raise SolverFailed(f"CP-SAT ended with status {status} instead of OPTIMAL")


def _solve_highs(groups: list[list[Option]], budget_fen: int, rank: dict[int, int]) -> list[Option]:
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    options = [o for g in groups for o in g]
    n = len(options)
    rows = np.zeros((len(groups) + 1, n))
    start = 0
    for gi, g in enumerate(groups):
        rows[gi, start : start + len(g)] = 1
        start += len(g)
    premiums = np.array([o.premium_fen for o in options], dtype=float)
    values = np.array([o.value_micro for o in options], dtype=float)
    rows[-1] = premiums
    constraints = [LinearConstraint(rows, -np.inf, np.r_[np.ones(len(groups)), budget_fen])]
    common = {"integrality": np.ones(n), "bounds": Bounds(0, 1), "options": {"mip_rel_gap": 0.0}}
    first = milp(-values, constraints=constraints, **common)
    if not first.success:
        raise SolverFailed(f"HiGHS: {first.message}")
    best = round(-first.fun)
    _, _, r_max = _levels(groups, budget_fen, rank)
    tie = premiums * (r_max + 1) + np.array([rank[id(o)] for o in options], dtype=float)
    constraints.append(LinearConstraint(values, best - 0.5, np.inf))
    second = milp(tie, constraints=constraints, **common)
    if not second.success:
        raise SolverFailed(f"HiGHS: {second.message}")
    return [o for o, x in zip(options, second.x, strict=True) if x > 0.5]
