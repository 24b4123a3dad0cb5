from kincare.policies.tests.fixtures import *  # noqa: F403
from kincare.policies.tests.fixtures import _catalog_and_rules_committed  # noqa: F401  (a star-import skips _names)
from kincare.underwriting.tests.helpers import on_decision_calls  # noqa: F401
