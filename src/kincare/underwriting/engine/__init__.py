"""The pure core of underwriting (智能核保): rule tables in, a decision with its trace out.

No ORM, no I/O beyond what the caller hands in: the services pass the active tables from the
database, ``kincare underwrite`` and the bench pass the shipped files (``shipped.py``).
"""

from kincare.underwriting.engine.core import Applicant, DeclaredCondition, RuleBook, condition_outcome, underwrite
from kincare.underwriting.engine.outcomes import (
    DECISION_OUTCOMES,
    MAX_TOTAL_LOADING_PCT,
    RULE_OUTCOMES,
    ConditionOutcome,
    Decision,
    Exclusion,
    RuleHit,
    combine,
    union_exclusions,
)
from kincare.underwriting.engine.rules import (
    RuleTable,
    RuleTableInvalid,
    evaluate_table,
    parse_table,
    row_problems,
    table_sha256,
)

__all__ = [
    "DECISION_OUTCOMES",
    "MAX_TOTAL_LOADING_PCT",
    "RULE_OUTCOMES",
    "Applicant",
    "ConditionOutcome",
    "Decision",
    "DeclaredCondition",
    "Exclusion",
    "RuleBook",
    "RuleHit",
    "RuleTable",
    "RuleTableInvalid",
    "combine",
    "condition_outcome",
    "evaluate_table",
    "parse_table",
    "row_problems",
    "table_sha256",
    "underwrite",
    "union_exclusions",
]
