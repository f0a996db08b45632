"""What people write in the community, as safe HTML (F-3; docs/community.md, "Markdown").

markdown-it-py in CommonMark mode with raw HTML off (typed HTML is shown as text, never passed
on) and linkify on, then nh3 with a small allow-list: whatever got past the parser, the cleaner
drops it. Links keep http, https and mailto only and get `rel="nofollow ugc noopener noreferrer"`;
images are not rendered (the image rule is off, and `img` is not allowed). Headings the writer
types as `#` or `##` become h3 (the page's own h1/h2 are the thread's title and sections), deeper
ones h4. Unicode direction controls are removed: they can make a link or a name read backwards.

Rendered once when the text is written (stored in `body_html`): a thread page shows up to a page
of replies and never renders Markdown while it is read.
"""

import re

import nh3
from markdown_it import MarkdownIt

TAGS = frozenset({"p", "br", "strong", "em", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4", "hr"})
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener noreferrer"
# Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): never needed to write.
DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _shift_headings(state):
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = "h3" if token.tag in ("h1", "h2", "h3") else "h4"


def _parser():
    parser = MarkdownIt("commonmark", {"html": False, "linkify": True})
    parser.enable(["linkify", "strikethrough"]).disable("image")
    parser.core.ruler.push("community_headings", _shift_headings)
    return parser


_PARSER = _parser()


def without_direction_controls(text):
    return DIRECTION_CONTROLS.sub("", text or "")


def to_html(markdown):
    """The writer's Markdown as the HTML every reader gets."""
    html = _PARSER.render(without_direction_controls(markdown))
    return nh3.clean(html, tags=set(TAGS), attributes=ATTRIBUTES, url_schemes=set(URL_SCHEMES), link_rel=LINK_REL)


def link_count(markdown):
    """How many links the text makes (written ones and bare addresses linkify finds): F-5 limits
    new accounts to two a post."""
    tokens = _PARSER.parse(without_direction_controls(markdown or ""))
    return sum(child.type == "link_open" for token in tokens for child in token.children or ())
