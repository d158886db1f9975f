"""Django's `{% extends %}`, with one change: the blocks of the template at the root of the chain (portal/base.html
for every page) are gathered once per parsed template, not on every render.

Why: Django's ExtendsNode walks the root template's whole node tree on every render to find its blocks (some 170
nodes for the portal's base: 2 % of a dashboard's and a connection page's instructions; docs/performance.md). A parsed
template's nodes do not change once parsed (the cached loader hands out the same object for as long as it lives,
and a template parsed anew is a new object, so nothing stale is kept). Everything else is Django's node as it is.

Installed as a builtin (settings.TEMPLATES "builtins"), since `{% extends %}` comes before any `{% load %}`.
"""

from __future__ import annotations

import weakref
from typing import Any

from django import template
from django.template.base import Parser, Template, TextNode, Token
from django.template.context import Context
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockContext, BlockNode, ExtendsNode, do_extends

register = template.Library()

# A root template → its blocks by name; weak, so a template the loader lets go is forgotten with it.
_ROOT_BLOCKS: weakref.WeakKeyDictionary[Template, dict[str, BlockNode]] = weakref.WeakKeyDictionary()


class KeptExtendsNode(ExtendsNode):
    def render(self, context: Context) -> Any:
        # Django's ExtendsNode.render (Django 5.2), with the root's blocks kept.
        compiled_parent = self.get_parent(context)
        if BLOCK_CONTEXT_KEY not in context.render_context:
            context.render_context[BLOCK_CONTEXT_KEY] = BlockContext()
        block_context = context.render_context[BLOCK_CONTEXT_KEY]
        block_context.add_blocks(self.blocks)
        blocks = _root_blocks(compiled_parent)
        if blocks is not None:
            block_context.add_blocks(blocks)
        with context.render_context.push_state(compiled_parent, isolated_context=False):
            return compiled_parent._render(context)  # type: ignore[attr-defined] # Django's own call


def _root_blocks(parent: Template) -> dict[str, BlockNode] | None:
    """The parent's blocks when it is the root of the chain (its first node that is not text is no `extends`),
    else None: as Django decides it."""
    blocks = _ROOT_BLOCKS.get(parent)
    if blocks is None:
        first = next((node for node in parent.nodelist if not isinstance(node, TextNode)), None)
        if first is None or isinstance(first, ExtendsNode):
            return None
        found = parent.nodelist.get_nodes_by_type(BlockNode)
        blocks = _ROOT_BLOCKS[parent] = {node.name: node for node in found if isinstance(node, BlockNode)}
    return blocks


@register.tag("extends")
def kept_extends(parser: Parser, token: Token) -> KeptExtendsNode:
    node = do_extends(parser, token)
    return KeptExtendsNode(node.nodelist, node.parent_name, node.template_dirs)
