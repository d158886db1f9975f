"""What every main page must hold in a real browser, checked by the browser journeys: axe-core finds no
accessibility violation, every `aria-describedby` names elements that exist (else a screen reader announces
nothing), and at 375 px nothing makes the page scroll sideways."""

from __future__ import annotations

from typing import Any

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


def page_width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def missing_descriptions(page: Any) -> list[str]:
    """`element#id → missing-id` for each aria-describedby / aria-labelledby target that is not in the page."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('[aria-describedby], [aria-labelledby]')].flatMap(element =>
            ['aria-describedby', 'aria-labelledby'].flatMap(name =>
                (element.getAttribute(name) || '').split(/\\s+/).filter(Boolean)
                    .filter(id => !document.getElementById(id))
                    .map(id => `${element.tagName.toLowerCase()}#${element.id} ${name} → ${id}`)))"""
    )
    return found


def axe_violations(page: Any) -> list[str]:
    """axe-core's violations of the page (WCAG 2.x A and AA, and best practices), one line each."""
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in results.response["violations"]
    ]


def check_page(page: Any, *, phone: bool = True) -> None:
    """Assert everything above for the page open now; the viewport is left as it was."""
    where = page.url
    missing = missing_descriptions(page)
    assert missing == [], f"{where}: {missing}"
    violations = axe_violations(page)
    assert violations == [], f"{where}: {violations}"
    if phone:
        size = page.viewport_size
        page.set_viewport_size(PHONE)
        try:
            width = page_width(page)
            assert width <= PHONE["width"], f"{where} is {width} px wide at 375 px"
            violations = axe_violations(page)
            assert violations == [], f"{where} at 375 px: {violations}"
        finally:
            page.set_viewport_size(size)
