"""The token tables keep their unique indexes and carry no LIKE-pattern index (channels/0002): a token is looked up
whole, and each index is one more write per token issued."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="LIKE-pattern indexes exist on PostgreSQL only"),
    pytest.mark.django_db,
]

TABLES = ["oauth2_provider_accesstoken", "oauth2_provider_grant", "channels_clientlogin"]


def _indexes(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return [definition for (definition,) in cursor.fetchall()]


@pytest.mark.parametrize("table", TABLES)
def test_a_token_table_has_no_index_for_prefix_searches(table: str) -> None:
    assert not [definition for definition in _indexes(table) if "varchar_pattern_ops" in definition]


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("oauth2_provider_accesstoken", "token_checksum"),
        ("oauth2_provider_grant", "code"),
        ("channels_clientlogin", "code_digest"),
    ],
)
def test_a_token_is_still_unique_and_found_by_an_index(table: str, column: str) -> None:
    assert [d for d in _indexes(table) if d.startswith("CREATE UNIQUE INDEX") and d.endswith(f"({column})")]
