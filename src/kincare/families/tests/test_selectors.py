import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kincare.core.pii import mask_resident_id
from kincare.families import selectors
from kincare.families.tests import factories


def _roster_queries(user, family) -> int:
    with CaptureQueriesContext(connection) as captured:
        selectors.member_list(user=user, family=family)
    return len(captured)


def test_the_roster_costs_the_same_number_of_queries_for_any_family_size(family, guardian, adult_member):
    small = _roster_queries(guardian, family)
    for year in range(2010, 2016):
        factories.member_add(family, name="王小孩", birth_date=dt.date(year, 1, 1))
    assert _roster_queries(guardian, family) == small


def test_masked_ids_keep_only_the_first_three_and_last_four(family, adult_member, guardian, adult_row):
    view = next(v for v in selectors.member_list(user=guardian, family=family) if v.member.pk == adult_row.pk)
    assert view.resident_id == mask_resident_id(adult_row.resident_id)
    assert view.resident_id[:3] == adult_row.resident_id[:3] and view.resident_id[-4:] == adult_row.resident_id[-4:]
    assert adult_row.resident_id[6:14] not in view.resident_id


def test_a_user_without_a_family_has_none(db):
    assert selectors.family_get_for_user(factories.UserFactory()) is None
