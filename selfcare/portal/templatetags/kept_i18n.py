"""Django's `i18n` template library, which every template of ours loads under this name (`{% load kept_i18n %}`),
with one change: the text of a `{% translate "…" %}` of a constant message is kept per language and escaping, not
made anew on every render.

Why: a translate node of a constant made a lazy translation, cast it, looked the language up in the thread's state
and escaped the text on every render, about 5 µs each; a connection page renders some sixty of them, a tenth of its
template (docs/performance.md). The text kept is the very text Django's node renders (computed by it the first
time), and only nodes whose text depends on nothing but the language and the autoescape setting are kept: a
constant message without filters, without `noop` and without `context`. Everything else is Django's node as it is.
The kept texts are forgotten when a setting that changes translations changes (tests).
(Not registered as `i18n` itself: Django's check warns of two libraries of one name, rightly in general.)
"""

from __future__ import annotations

from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import Parser, Token
from django.templatetags import i18n as django_i18n
from django.utils.translation import get_language

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)

# (message, language, autoescape) → the rendered text
_KEPT: dict[tuple[str, str | None, bool], str] = {}


class KeptTranslateNode(django_i18n.TranslateNode):
    def render(self, context: template.Context) -> str:
        message = getattr(self.filter_expression.var, "literal", None)
        if self.noop or self.message_context or self.filter_expression.filters or not isinstance(message, str):
            return str(super().render(context))
        key = (message, get_language(), bool(context.autoescape))
        text = _KEPT.get(key)
        if text is None:
            rendered = super().render(context)  # with `as`, the text is put in the context instead
            text = _KEPT[key] = context[self.asvar] if self.asvar else rendered
        if self.asvar:
            context[self.asvar] = text
            return ""
        return text


@register.tag("translate")
@register.tag("trans")
def do_translate(parser: Parser, token: Token) -> Any:
    node = django_i18n.do_translate(parser, token)
    return KeptTranslateNode(node.filter_expression, node.noop, node.asvar, node.message_context)


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: object) -> None:
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"):
        _KEPT.clear()
