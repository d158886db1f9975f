"""`{% extends %}` (selfcare.portal.templatetags.kept_extends, a builtin of the portal's engine) gathers the root
template's blocks once per parsed template: a chain of templates renders what Django's own node renders, every time,
and a root template parsed anew is read anew."""

from __future__ import annotations

from django.template import Context, engines
from django.template.engine import Engine

from selfcare.portal.templatetags.kept_extends import KeptExtendsNode

ROOT = (
    "<h1>{% block title %}Root{% endblock %}</h1>"
    "{% block body %}<p>root body</p>{% block inner %}{% endblock %}{% endblock %}"
)
TEMPLATES = {
    "root.html": ROOT,
    "middle.html": '{% extends "root.html" %}{% block title %}Middle, {{ block.super }}{% endblock %}',
    "leaf.html": '{% extends "middle.html" %}{% block inner %}<i>{{ name }}</i>{% endblock %}'
    "{% block title %}Leaf, {{ block.super }}{% endblock %}",
    "text_first.html": '\n  {% extends "root.html" %}{% block body %}{{ block.super }} and more{% endblock %}',
    "dynamic.html": "{% extends parent %}{% block title %}Dynamic{% endblock %}",
    # a parent that is no root although text comes before its extends
    "middle_text.html": '\n  {% extends "root.html" %}{% block title %}Text first, {{ block.super }}{% endblock %}',
    "leaf_of_text.html": '{% extends "middle_text.html" %}{% block inner %}<i>{{ name }}</i>{% endblock %}',
}


def _engines(templates: dict[str, str]) -> tuple[Engine, Engine]:
    loaders = [("django.template.loaders.cached.Loader", [("django.template.loaders.locmem.Loader", templates)])]
    ours = Engine(loaders=loaders, builtins=["selfcare.portal.templatetags.kept_extends"])
    djangos = Engine(loaders=loaders)
    return ours, djangos


def test_the_portals_engine_uses_the_kept_extends() -> None:
    template = engines["django"].engine.from_string('{% extends "portal/bare.html" %}')  # type: ignore[attr-defined]
    assert isinstance(template.nodelist[0], KeptExtendsNode)


def test_a_chain_of_templates_renders_what_djangos_extends_renders_every_time() -> None:
    ours, djangos = _engines(TEMPLATES)
    for name in ("leaf.html", "middle.html", "text_first.html", "root.html", "leaf_of_text.html", "leaf.html"):
        for who in ("<Anna>", "Jānis"):
            for _round in (1, 2):
                context = {"name": who, "parent": "middle.html"}
                assert ours.get_template(name).render(Context(context)) == djangos.get_template(name).render(
                    Context(context)
                )
    dynamic = ours.get_template("dynamic.html")
    assert dynamic.render(Context({"parent": "root.html"})) == "<h1>Dynamic</h1><p>root body</p>"
    assert dynamic.render(Context({"parent": "middle.html"})) == "<h1>Dynamic</h1><p>root body</p>"


def test_a_root_template_parsed_anew_is_read_anew() -> None:
    templates = dict(TEMPLATES)
    ours, _djangos = _engines(templates)
    assert ours.get_template("leaf.html").render(Context({"name": "x"})) == (
        "<h1>Leaf, Middle, Root</h1><p>root body</p><i>x</i>"
    )
    templates["root.html"] = "<h2>{% block title %}New root{% endblock %}</h2>"
    ours.template_loaders[0].reset()
    assert ours.get_template("leaf.html").render(Context({"name": "x"})) == "<h2>Leaf, Middle, New root</h2>"
