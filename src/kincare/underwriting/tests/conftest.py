from kincare.policies.tests.fixtures import *  # noqa: F403
