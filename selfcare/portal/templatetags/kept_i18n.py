"""Django's `i18n` template library, which every template of ours loads under this name (`{% load kept_i18n %}`),
with one change: the text of a `{% translate "…" %}` of a constant message is kept per language and escaping, not
made anew on every render.

Why: a translate node of a constant made a lazy translation, cast it, looked the language up in the thread's state
and escaped the text on every render, about 5 µs each; a connection page renders some sixty of them, a tenth of its
template (docs/performance.md). The text kept is the very text Django's node renders (computed by it the first
time), and only nodes whose text depends on nothing but the language and the autoescape setting are kept: a
constant message without filters, without `noop` and without `context`. Everything else is Django's node as it is.
The kept texts are forgotten when a setting that changes translations changes (tests).

`{% blocktranslate %}` keeps less, as its text depends on values: the message looked up for each language (and,
with `count`, for each count) instead of the token lists joined and the catalogue asked on every render, and the
text of a whole number inserted (its localized, escaped form, per language). The dashboard renders some twenty-four
of them, a fifth of its template (docs/performance.md). Everything else (the values' lookup in the context, `asvar`,
`context`, a message the catalogue answers with a malformed format) is Django's node as it is.
(Not registered as `i18n` itself: Django's check warns of two libraries of one name, rightly in general.)
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import Parser, Token, render_value_in_context
from django.templatetags import i18n as django_i18n
from django.utils import translation
from django.utils.safestring import SafeString
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


# (node, language, count or None) → the translated message, %(name)s placeholders and all; (number, language,
# use_l10n, autoescape) → a whole number's text as a value in that message. Bounded: cleared when full.
_MESSAGES: dict[tuple[object, ...], str] = {}
_NUMBERS: dict[tuple[object, ...], str] = {}
_KEPT_MAX = 4096


class KeptBlockTranslateNode(django_i18n.BlockTranslateNode):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The token lists as the message ids and value names: they depend on nothing but the template.
        self._singular, self._singular_vars = self.render_token_list(self.singular)
        self._plural, self._plural_vars = self.render_token_list(self.plural) if self.plural else ("", [])

    def render(self, context: template.Context, nested: bool = False) -> str:
        if self.message_context or nested:
            return str(super().render(context, nested))
        # From here on Django's BlockTranslateNode.render (Django 5.2), with the message and numbers kept.
        context.update({var: val.resolve(context) for var, val in self.extra_context.items()})
        language = get_language()
        values = list(self._singular_vars)
        if self.plural and self.countervar and self.counter:
            count = self.counter.resolve(context)
            if not isinstance(count, (Decimal, float, int)):
                context.pop()
                return str(super().render(context))  # Django's own error
            context[self.countervar] = count
            values.extend(self._plural_vars)
            # Kept for whole numbers only: a Decimal or float of the same value compares equal as a key but may take
            # another plural form (the rules' `n % 10` of a negative Decimal differs from an int's).
            key: tuple[object, ...] = (self, language, count)
            result = _MESSAGES.get(key) if type(count) is int else None
            if result is None:
                result = translation.ngettext(self._singular, self._plural, count)  # type: ignore[arg-type] # Django's own call
                if type(count) is int:
                    _keep(_MESSAGES, key, result)
        else:
            key = (self, language, None)
            result = _MESSAGES.get(key)
            if result is None:
                result = _keep(_MESSAGES, key, translation.gettext(self._singular))
        default_value = context.template.engine.string_if_invalid  # type: ignore[union-attr] # bound while rendering

        def render_value(name: str) -> str:
            if name in context:
                value = context[name]
            else:
                value = default_value % name if "%s" in default_value else default_value
            if type(value) is int:  # not a bool: Django renders those as words
                number_key = (value, language, context.use_l10n, bool(context.autoescape))
                text = _NUMBERS.get(number_key)
                if text is None:
                    text = _keep(_NUMBERS, number_key, str(render_value_in_context(value, context)))
                return text
            return str(render_value_in_context(value, context))

        data = {name: render_value(name) for name in values}
        context.pop()
        try:
            result %= data
        except (KeyError, ValueError):
            with translation.override(None):
                result = str(super().render(context, nested=True))  # Django's own, and its error if malformed
        if self.asvar:
            context[self.asvar] = SafeString(result)
            return ""
        return result


def _keep(kept: dict[tuple[object, ...], str], key: tuple[object, ...], text: str) -> str:
    if len(kept) >= _KEPT_MAX:
        kept.clear()
    kept[key] = text
    return text


@register.tag("blocktranslate")
@register.tag("blocktrans")
def do_block_translate(parser: Parser, token: Token) -> Any:
    node = django_i18n.do_block_translate(parser, token)
    return KeptBlockTranslateNode(
        node.extra_context,
        node.singular,
        node.plural,
        node.countervar,
        node.counter,
        node.message_context,
        node.trimmed,
        node.asvar,
        node.tag_name,  # type: ignore[attr-defined] # set by Django's __init__, not in django-stubs
    )


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: object) -> None:
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"):
        _KEPT.clear()
        _MESSAGES.clear()
    # A whole number's text depends on the formats (USE_THOUSAND_SEPARATOR, FORMAT_MODULE_PATH, …).
    _NUMBERS.clear()
