"""Claims fixtures: the policies fixtures (catalog, rule tables, personas) plus adjusters."""

from typing import Any

import pytest

from kincare.accounts.services import staff_user_create
from kincare.core.payments.tests.conftest import deliver, sandbox_pay  # noqa: F401
from kincare.policies.tests.fixtures import *  # noqa: F403
from kincare.policies.tests.fixtures import _catalog_and_rules_committed  # noqa: F401


@pytest.fixture(autouse=True)
def _claims_media(settings: Any, tmp_path: Any) -> None:
    """Claim documents go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def claims_adjuster(db: None) -> Any:
    return staff_user_create(
        phone="13900008811", password="Adjuster-2026!", role="claims_adjuster", display_name="理赔员甲"
    )


@pytest.fixture
def second_adjuster(db: None) -> Any:
    return staff_user_create(
        phone="13900008812", password="Adjuster-2026!", role="claims_adjuster", display_name="理赔员乙"
    )
