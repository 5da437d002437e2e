"""The permission matrix's fixtures (the requesting employees and the objects URLs name), for tests/security/."""

from tests.test_permission_matrix import people, world  # noqa: F401
