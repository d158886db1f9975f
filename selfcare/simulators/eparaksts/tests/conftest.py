import pytest
from django.test import Client


@pytest.fixture
def client() -> Client:
    """The simulator's pages in English: the assertions read English text."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")
