"""Production code imports no test tooling and no simulator, and the layers point one way (DESIGN.md).

A static check over every module's imports, including those inside functions (where a lazy "if demo" import would
hide): what production never loads cannot be switched on by a setting.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]
# Not production: the stand-ins, the tests and their tooling, and the demo, benchmark and load harnesses.
NOT_PRODUCTION = {"simulators", "tests", "demo", "bench", "load", "conftest.py"}
# The app's reference client: an outside program that talks to the portal over HTTP, never loaded by it.
OUTSIDE_PROGRAMS = {"channels/appdemo.py"}
TEST_TOOLING = (
    "selfcare.simulators",
    "selfcare.tests",
    "selfcare.demo",
    "pytest",
    "playwright",
    "time_machine",
    "locust",
)
WEB_LAYERS = ("selfcare.portal", "selfcare.channels", "selfcare.backoffice")
# Domain and infrastructure packages: below the web layers, which use them and never the other way round.
BELOW_THE_WEB = (
    "access",
    "audit",
    "billing",
    "binding",
    "customers",
    "feeds",
    "identifiers",
    "identity",
    "mandates",
    "offers",
    "revocation",
    "security",
    "signing",
    "usage",
)


def production_modules() -> list[Path]:
    modules = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if NOT_PRODUCTION & set(parts) or "migrations" in parts or "/".join(parts) in OUTSIDE_PROGRAMS:
            continue
        modules.append(path)
    return modules


def imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == package or name.startswith(f"{package}.") for package in packages)


def test_the_check_sees_the_production_modules() -> None:
    names = {str(path.relative_to(PACKAGE)) for path in production_modules()}
    assert "settings.py" in names
    assert "identity/services.py" in names
    assert not [name for name in names if name.startswith(("simulators/", "tests/"))]


@pytest.mark.parametrize("path", production_modules(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_no_production_module_imports_test_tooling_or_a_simulator(path: Path) -> None:
    assert sorted(name for name in imported_names(path) if _within(name, TEST_TOOLING)) == []


@pytest.mark.parametrize(
    "path",
    [p for p in production_modules() if p.relative_to(PACKAGE).parts[0] in BELOW_THE_WEB],
    ids=lambda path: str(path.relative_to(PACKAGE)),
)
def test_domain_and_infrastructure_never_import_the_web_layers(path: Path) -> None:
    assert sorted(name for name in imported_names(path) if _within(name, WEB_LAYERS)) == []


@pytest.mark.parametrize(
    "path",
    [p for p in production_modules() if p.relative_to(PACKAGE).parts[0] in ("identity", "identifiers")],
    ids=lambda path: str(path.relative_to(PACKAGE)),
)
def test_identity_stays_below_the_features_that_react_to_a_login(path: Path) -> None:
    # Sessions, devices and their notices follow a login as steps listed in selfcare/login_flow.py.
    above = ("selfcare.security", "selfcare.binding", "selfcare.login_flow", *WEB_LAYERS)
    assert sorted(name for name in imported_names(path) if _within(name, above)) == []


def test_every_step_after_a_login_is_listed_in_one_place() -> None:
    from selfcare.login_flow import AFTER_LOGIN
    from selfcare.security import devices, sessions

    assert list(AFTER_LOGIN) == [sessions.register_login, devices.recognise_device]
