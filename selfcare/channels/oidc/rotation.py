"""A refresh-token rotation, and a code exchange's issuance, each in one statement on PostgreSQL. The rotation: the
spent token revoked (only if it still is live), its access token deleted, the new ID token, access token and refresh
token inserted, each insert fed by the one before. The issuance: see `issue`.

The same writes as the validator's ORM path (five statements, five round trips: the token endpoint's largest
share of time after the request's own Python), as data-modifying CTEs of one statement. When the spent token was
already revoked (a concurrent request rotated it first), nothing is written and `rotate` says so. Foreign keys are
deferred to the commit (Django makes them DEFERRABLE INITIALLY DEFERRED), so the order inside the statement is free.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model
from oauth2_provider.models import AccessToken, IDToken, RefreshToken


def supported() -> bool:
    return connection.vendor == "postgresql"


_shapes: dict[tuple[str, type[Model], tuple[tuple[str, str], ...]], tuple[str, str, list[Any]]] = {}


def _shape(model: type[Model], links: dict[str, str]) -> tuple[str, str, list[Any]]:
    """The column list, the SELECT list and the fields whose values are parameters, for inserting a `model` row;
    worked out once per model and database (asking each field for its column type on every request was a tenth of
    the token endpoint's Python)."""
    key = (connection.vendor, model, tuple(sorted(links.items())))
    shape = _shapes.get(key)
    if shape is None:
        columns, values, fields = [], [], []
        for field in model._meta.concrete_fields:
            if field.primary_key:
                continue
            columns.append(connection.ops.quote_name(field.column))
            if field.column in links:
                values.append(links[field.column])
                continue
            # Parameters in an INSERT … SELECT are not typed by their column, so each is cast to it.
            values.append(f"CAST(%s AS {field.db_type(connection)})")
            fields.append(field)
        shape = _shapes[key] = (", ".join(columns), ", ".join(values), fields)
    return shape


# Columns whose values PostgreSQL's driver takes as they are: the ORM's preparation returns a string, an integer
# key or an aware datetime unchanged there, and asking it field by field was a tenth of the endpoint's Python.
_AS_THEY_ARE = frozenset({"CharField", "TextField", "ForeignKey", "DateTimeField"})


def _param(field: Any, obj: Model) -> Any:
    value = field.pre_save(obj, add=True)
    if (
        value is None or type(value) in (str, int) or (type(value) is datetime.datetime and value.tzinfo is not None)
    ) and field.get_internal_type() in _AS_THEY_ARE:
        return value
    return field.get_db_prep_save(value, connection)


def _select(obj: Model, links: dict[str, str]) -> tuple[str, str, list[Any]]:
    """The column list, a SELECT list of typed parameters (and the `links`' expressions for columns filled by an
    earlier part of the statement), and the parameters, for inserting `obj` as the ORM would (auto_now and all)."""
    columns, values, fields = _shape(type(obj), links)
    return columns, values, [_param(field, obj) for field in fields]


def rotate(
    spent: RefreshToken,
    now: datetime.datetime,
    id_token: IDToken | None,
    access_token: AccessToken,
    refresh: RefreshToken,
) -> bool:
    """Revoke `spent` and store the new rows (their primary keys set on them; no ID token without scope `openid`);
    False, with nothing written, when `spent` was no longer live."""
    table = {model: connection.ops.quote_name(model._meta.db_table) for model in (RefreshToken, AccessToken, IDToken)}
    id_params: list[Any] = []
    if id_token is not None:
        id_columns, id_values, id_params = _select(id_token, {})
        new_id_token = (
            f"idt AS (INSERT INTO {table[IDToken]} ({id_columns}) SELECT {id_values} FROM spent RETURNING id), "  # noqa: S608
        )
        at_columns, at_values, at_params = _select(access_token, {"id_token_id": "idt.id"})
        at_source = "idt"
    else:
        new_id_token = ""
        at_columns, at_values, at_params = _select(access_token, {})  # id_token_id NULL
        at_source = "spent"
    rt_columns, rt_values, rt_params = _select(refresh, {"access_token_id": "nat.id"})
    params: list[Any] = [now, spent.pk]
    gone = ""
    if spent.access_token_id is not None:
        gone = f"gone AS (DELETE FROM {table[AccessToken]} WHERE id = %s AND EXISTS (SELECT 1 FROM spent)), "  # noqa: S608
        params.append(spent.access_token_id)
    sql = (
        f"WITH spent AS (UPDATE {table[RefreshToken]} SET revoked = %s, access_token_id = NULL "  # noqa: S608 - names from the models
        "WHERE id = %s AND revoked IS NULL RETURNING id), "
        f"{gone}"
        f"{new_id_token}"
        f"nat AS (INSERT INTO {table[AccessToken]} ({at_columns}) SELECT {at_values} FROM {at_source} RETURNING id), "
        f"nrt AS (INSERT INTO {table[RefreshToken]} ({rt_columns}) SELECT {rt_values} FROM nat RETURNING id) "
        "SELECT nat.id, nrt.id" + (", (SELECT id FROM idt)" if id_token is not None else "") + " FROM nat, nrt"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *id_params, *at_params, *rt_params])
        row = cursor.fetchone()
    if row is None:
        return False
    _written(row, access_token, refresh, id_token)
    spent.revoked, spent.access_token = now, None
    return True


def issue(
    grant: Model,
    login: Model,
    id_token: IDToken | None,
    access_token: AccessToken,
    refresh: RefreshToken,
) -> bool:
    """A code exchange's writes in one statement: the grant deleted (only if it still is there), the ID token,
    access token and refresh token inserted, each fed by the one before, and the client login given the new token
    family. False, with nothing written, when the grant was gone (a concurrent exchange of the same code took it):
    the library's `invalidate_authorization_code` refuses that case too, but only after inserting the tokens."""
    table = {
        model: connection.ops.quote_name(model._meta.db_table)
        for model in (RefreshToken, AccessToken, IDToken, type(grant), type(login))
    }
    id_params: list[Any] = []
    if id_token is not None:
        id_columns, id_values, id_params = _select(id_token, {})
        new_id_token = (
            f"idt AS (INSERT INTO {table[IDToken]} ({id_columns}) SELECT {id_values} FROM gone RETURNING id), "  # noqa: S608
        )
        at_columns, at_values, at_params = _select(access_token, {"id_token_id": "idt.id"})
        at_source = "idt"
    else:
        new_id_token = ""
        at_columns, at_values, at_params = _select(access_token, {})
        at_source = "gone"
    rt_columns, rt_values, rt_params = _select(refresh, {"access_token_id": "nat.id"})
    sql = (
        f"WITH gone AS (DELETE FROM {table[type(grant)]} WHERE id = %s RETURNING id), "  # noqa: S608 - names from the models
        f"family AS (UPDATE {table[type(login)]} SET token_family = %s WHERE id = %s AND EXISTS (SELECT 1 FROM gone)), "
        f"{new_id_token}"
        f"nat AS (INSERT INTO {table[AccessToken]} ({at_columns}) SELECT {at_values} FROM {at_source} RETURNING id), "
        f"nrt AS (INSERT INTO {table[RefreshToken]} ({rt_columns}) SELECT {rt_values} FROM nat RETURNING id) "
        "SELECT nat.id, nrt.id" + (", (SELECT id FROM idt)" if id_token is not None else "") + " FROM nat, nrt"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [grant.pk, refresh.token_family, login.pk, *id_params, *at_params, *rt_params])
        row = cursor.fetchone()
    if row is None:
        return False
    _written(row, access_token, refresh, id_token)
    return True


def _written(row: Sequence[Any], access_token: Any, refresh: Any, id_token: Any | None) -> None:
    """The rows one statement wrote, adopted by their model instances: their ids, their links, saved."""
    access_token.pk, refresh.pk = row[0], row[1]
    refresh.access_token = access_token
    written: list[Model] = [access_token, refresh]
    if id_token is not None:
        id_token.pk = row[2]
        access_token.id_token = id_token
        written.append(id_token)
    for model in written:
        model._state.adding = False
