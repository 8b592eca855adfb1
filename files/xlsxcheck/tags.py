"""The XML tags the package and the worksheets are read by."""

from __future__ import annotations

import re

XML_DECLARATION = re.compile(rb"(?:\xef\xbb\xbf)?\s*<\?xml[^<>]*\?>")


ATTRIBUTE = re.compile(rb"([\w.:\-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


# Any tag (quote-aware, no '<' inside): its '/', its name (prefix kept), its attributes.
TAG = re.compile(
    rb"<(/?)([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)((?:[^<>\"']++|\"[^<\"]*+\"|'[^<']*+')*+)>"
)
