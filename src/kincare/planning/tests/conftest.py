"""Planning fixtures: the policies fixtures (catalog, rule tables, personas, sandbox)."""

from kincare.core.payments.tests.conftest import deliver, sandbox_pay  # noqa: F401
from kincare.policies.tests.fixtures import *  # noqa: F403
from kincare.policies.tests.fixtures import _catalog_and_rules_committed  # noqa: F401
