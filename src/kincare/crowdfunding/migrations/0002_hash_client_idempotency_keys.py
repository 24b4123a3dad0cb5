"""Donation keys stored as given (``donation:<user id>:<client key>``) become keyed hashes.

The payment order opened for a donation carries the same key (``donation_on_paid`` finds the
donation by it), so both rows are rewritten together.
"""

import re

from django.db import migrations

_RAW = re.compile(r"donation:(\d+):([A-Za-z0-9_-]{8,64})")


def hash_keys(apps, schema_editor):
    from kincare.core.idempotency import client_key

    Donation = apps.get_model("crowdfunding", "Donation")
    PaymentOrder = apps.get_model("payments", "PaymentOrder")
    for pk, key in Donation.objects.values_list("pk", "idempotency_key").iterator():
        found = _RAW.fullmatch(key)
        if found is None:
            continue
        new = client_key("donation", found.group(1), found.group(2))
        PaymentOrder.objects.filter(idempotency_key=key).update(idempotency_key=new)
        Donation.objects.filter(pk=pk).update(idempotency_key=new)


class Migration(migrations.Migration):
    dependencies = [
        ("crowdfunding", "0001_initial"),
        ("payments", "0002_refunds_two_phase"),
    ]

    operations = [migrations.RunPython(hash_keys, migrations.RunPython.noop)]
