"""{% page_meta %}: a public page's description and OpenGraph tags, written once per page."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.html import strip_tags

register = template.Library()


class PageMetaNode(template.Node):
    def __init__(self, nodelist: template.NodeList, title: template.base.FilterExpression):
        self.nodelist = nodelist
        self.title = title

    def render(self, context: template.Context) -> str:
        description = " ".join(strip_tags(self.nodelist.render(context)).split())
        return render_to_string(
            "public/_meta.html",
            {
                "plan": context.get("plan"),
                "request": context.get("request"),
                "meta_title": " ".join(str(self.title.resolve(context)).split()),
                "meta_description": description,
            },
        )


@register.tag
def page_meta(parser: template.base.Parser, token: template.base.Token) -> PageMetaNode:
    """{% page_meta title %}description, with {{ variables }}{% endpage_meta %}"""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("page_meta takes one argument: the page title")
    nodelist = parser.parse(("endpage_meta",))
    parser.delete_first_token()
    return PageMetaNode(nodelist, parser.compile_filter(bits[1]))
