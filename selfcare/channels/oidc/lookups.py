"""The token endpoint's reads, each one statement: a refresh token with everything its grant decides on, and an
authorization code with its person.

django-oauth-toolkit loads these piece by piece (the refresh token, then its user, its application, its access
token; the code's grant up to seven times per exchange), and the validator added the client login and the identity:
a dozen round trips per request where one does. The rows are turned into ordinary model instances, so the code
after the lookup reads them as before.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Model
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken

from selfcare.channels.models import ClientLogin
from selfcare.identity.models import DigitalIdentity

M = TypeVar("M", bound=Model)


@dataclass(frozen=True, slots=True)
class RefreshLookup:
    token: RefreshToken  # with .access_token, .user and .application filled in (access_token None when there is none)
    login: ClientLogin | None  # with .identity filled in


def _columns(model: type[Model], alias: str) -> list[str]:
    return [f"{alias}.{connection.ops.quote_name(f.column)}" for f in model._meta.concrete_fields]


@dataclass(frozen=True, slots=True)
class _Plan:
    """How a model's columns come back from a raw row: the attribute names, and the converters of the columns that
    have any, as the ORM's compiler would apply them (SQLite returns datetimes and UUIDs as text, for instance).
    Worked out once per model and database: asking every field for its converters on every token request was a
    tenth of the endpoint's Python."""

    names: list[str]
    converters: list[tuple[int, Any, list[Any]]]  # (position, column expression, converters)


_plans: dict[tuple[str, type[Model]], _Plan] = {}


def _plan(model: type[Model]) -> _Plan:
    key = (connection.vendor, model)
    plan = _plans.get(key)
    if plan is None:
        names, converters = [], []
        for index, field in enumerate(model._meta.concrete_fields):
            column = field.get_col(model._meta.db_table)
            found = [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]
            if found:
                converters.append((index, column, found))
            names.append(field.attname)
        plan = _plans[key] = _Plan(names, converters)
    return plan


def _instance(model: type[M], values: list[Any]) -> M:
    """A model instance from raw column values, converted as the ORM's compiler converts them."""
    plan = _plan(model)
    for index, column, converters in plan.converters:
        value = values[index]
        for converter in converters:
            value = converter(value, column, connection)
        values[index] = value
    return model.from_db(connection.alias, plan.names, values)


def refresh_token(presented: str, request: Any = None) -> RefreshLookup | None:
    """The stored refresh token presented (by its SHA-256; the live row first, else the most recently revoked),
    with its access token, its user, its application, and the client login of its family with the identity. Read
    once per token request (`request`): the client's authentication asks first (Validator.client_authentication_
    required), the token's validation after."""
    cached = getattr(request, "_selfcare_refresh", None)
    if cached is not None and cached[0] == presented:
        found: RefreshLookup | None = cached[1]
        return found
    found = _refresh_token(presented)
    if request is not None:
        request._selfcare_refresh = (presented, found)
    return found


_refresh_sql: dict[str, tuple[str, list[tuple[type[Model], int]]]] = {}


def _refresh_statement() -> tuple[str, list[tuple[type[Model], int]]]:
    """The refresh token's one statement and the width of each model's share of its row, built once per database
    (the text does not change between requests)."""
    built = _refresh_sql.get(connection.vendor)
    if built is not None:
        return built
    user_model = get_user_model()
    parts = [
        (RefreshToken, "rt"),
        (AccessToken, "at"),
        (user_model, "u"),
        (Application, "app"),
        (ClientLogin, "cl"),
        (DigitalIdentity, "di"),
    ]
    table = {model: connection.ops.quote_name(model._meta.db_table) for model, _alias in parts}
    select = ", ".join(column for model, alias in parts for column in _columns(model, alias))
    sql = (
        f"SELECT {select} FROM {table[RefreshToken]} rt "  # noqa: S608 - names from the models, value a parameter
        f"JOIN {table[user_model]} u ON u.id = rt.user_id "
        f"JOIN {table[Application]} app ON app.id = rt.application_id "
        f"LEFT JOIN {table[AccessToken]} at ON at.id = rt.access_token_id "
        f"LEFT JOIN {table[ClientLogin]} cl ON cl.token_family = rt.token_family "
        f"LEFT JOIN {table[DigitalIdentity]} di ON di.id = cl.identity_id "
        "WHERE rt.token_checksum = %s ORDER BY rt.revoked DESC NULLS FIRST LIMIT 1"
    )
    built = _refresh_sql[connection.vendor] = (sql, [(model, len(model._meta.concrete_fields)) for model, _ in parts])
    return built


def _refresh_token(presented: str) -> RefreshLookup | None:
    sql, widths = _refresh_statement()
    user_model = get_user_model()
    with connection.cursor() as cursor:
        cursor.execute(sql, [hashlib.sha256(presented.encode()).hexdigest()])
        row = cursor.fetchone()
    if row is None:
        return None
    instances: dict[type[Model], Model | None] = {}
    start = 0
    for model, width in widths:
        chunk = list(row[start : start + width])
        start += width
        instances[model] = None if chunk[0] is None else _instance(model, chunk)
    token = instances[RefreshToken]
    assert isinstance(token, RefreshToken)
    token.access_token = instances[AccessToken]
    token.user = instances[user_model]
    token.application = instances[Application]
    login = instances[ClientLogin]
    if isinstance(login, ClientLogin):
        identity = instances[DigitalIdentity]
        assert isinstance(identity, DigitalIdentity)
        login.identity = identity
        identity.user = token.user
        return RefreshLookup(token, login)
    return RefreshLookup(token, None)


@dataclass(frozen=True, slots=True)
class CodeLookup:
    grant: Grant  # with .user and .application filled in
    login: ClientLogin | None  # the eID login the code was issued from, with .identity filled in


def code_grant(code: str, request: Any) -> Grant | None:
    """The grant of an authorization code with its user and application, and the client login stored with the code
    (with its identity), loaded once per token request whatever asks for it (oauthlib asks for its scopes, then the
    client's authentication for the application, then validates the code, its PKCE challenge and method, its
    redirect URI, its nonce; issuing the tokens asks for the login)."""
    found = code_lookup(code, request)
    return found.grant if found is not None else None


def code_lookup(code: str, request: Any) -> CodeLookup | None:
    cached = getattr(request, "_selfcare_grant", None)
    if cached is not None and cached[0] == code:
        found: CodeLookup | None = cached[1]
        return found
    found = _code_grant(code)
    request._selfcare_grant = (code, found)
    return found


_code_sql: dict[str, tuple[str, list[tuple[type[Model], int]]]] = {}


def _code_statement() -> tuple[str, list[tuple[type[Model], int]]]:
    built = _code_sql.get(connection.vendor)
    if built is not None:
        return built
    user_model = get_user_model()
    parts = [(Grant, "g"), (user_model, "u"), (Application, "app"), (ClientLogin, "cl"), (DigitalIdentity, "di")]
    table = {model: connection.ops.quote_name(model._meta.db_table) for model, _alias in parts}
    select = ", ".join(column for model, alias in parts for column in _columns(model, alias))
    sql = (
        f"SELECT {select} FROM {table[Grant]} g "  # noqa: S608 - names from the models, values parameters
        f"JOIN {table[user_model]} u ON u.id = g.user_id "
        f"JOIN {table[Application]} app ON app.id = g.application_id "
        f"LEFT JOIN {table[ClientLogin]} cl ON cl.code_digest = %s "
        f"LEFT JOIN {table[DigitalIdentity]} di ON di.id = cl.identity_id "
        "WHERE g.code = %s LIMIT 1"
    )
    built = _code_sql[connection.vendor] = (sql, [(model, len(model._meta.concrete_fields)) for model, _ in parts])
    return built


def _code_grant(code: str) -> CodeLookup | None:
    sql, widths = _code_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [hashlib.sha256(code.encode()).hexdigest(), code])
        row = cursor.fetchone()
    if row is None:
        return None
    instances: dict[type[Model], Model | None] = {}
    start = 0
    for model, width in widths:
        chunk = list(row[start : start + width])
        start += width
        instances[model] = None if chunk[0] is None else _instance(model, chunk)
    grant = instances[Grant]
    assert isinstance(grant, Grant)
    grant.user = instances[get_user_model()]
    grant.application = instances[Application]
    login = instances[ClientLogin]
    if isinstance(login, ClientLogin):
        identity = instances[DigitalIdentity]
        assert isinstance(identity, DigitalIdentity)
        login.identity = identity
        return CodeLookup(grant, login)
    return CodeLookup(grant, None)
