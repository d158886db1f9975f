"""Template filters of the portal's pages."""

from django import template

from selfcare.identity.methods.registry import method_label

register = template.Library()


@register.filter
def method_name(key: str) -> str:
    """The eID method's name for people ("Smart-ID"), from the key stored in records ("smartid")."""
    return str(method_label(key))
