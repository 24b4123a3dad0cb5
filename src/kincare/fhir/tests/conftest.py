from kincare.families.tests.conftest import (  # noqa: F401 - the families personas
    adult_member,
    adult_row,
    child,
    family,
    guardian,
    guardian_member,
    other_family,
    outsider,
    staff_user,
)
