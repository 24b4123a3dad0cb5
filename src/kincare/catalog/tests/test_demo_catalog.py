from __future__ import annotations

import pytest

from kincare.catalog.demo import demo_catalog_ensure
from kincare.catalog.models import Product, ProductScore


@pytest.mark.usefixtures("sample_catalog")
def test_the_demo_catalog_import_is_idempotent() -> None:
    count = Product.objects.count()
    summary = demo_catalog_ensure()
    assert "0 products created" in summary
    assert Product.objects.count() == count
    assert ProductScore.objects.count() == Product.objects.filter(is_current=True).count()
