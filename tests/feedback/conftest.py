import pytest

from tests.feedback.factories import build_symposium


@pytest.fixture
def world(db):
    return build_symposium()


@pytest.fixture
def anonymous_world(db):
    return build_symposium(anonymous=True)
