"""Every URL the portal serves, with sample arguments, so new pages are covered by default."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Values for path converters: they need not exist, a page must answer before looking.
SAMPLE = {
    "int": "1",
    "str": "sample",
    "slug": "sample",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "path": "sample/path",
    "public_id": "sample",
    "reference": "RT-SAMPLE",
    "certificate_code": "SAMPLE",
}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the pattern when unnamed
    url: str
    params: tuple[str, ...] = ()  # the path's parameter names, in order


def _walk(patterns, prefix: str, namespace: str, params: tuple[str, ...] = ()):
    for entry in patterns:
        names = params + tuple(getattr(entry.pattern, "converters", {}))
        if isinstance(entry, URLResolver):
            ns = ":".join(filter(None, [namespace, entry.namespace]))
            yield from _walk(entry.url_patterns, prefix + _concrete(entry.pattern), ns, names)
        elif isinstance(entry, URLPattern):
            url = prefix + _concrete(entry.pattern)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Route(name=name or url, url="/" + url, params=names)


def _concrete(pattern) -> str:
    route = getattr(pattern, "_route", None)
    if route is None:  # a regex pattern, as the admin uses
        return _from_regex(pattern.regex.pattern)
    # `<str:public_id>` or `<public_id>` (a str): the converter as spelled in the route.
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "sample"), route)


def _from_regex(regex: str) -> str:
    text = regex.lstrip("^").rstrip("$").replace("\\Z", "")
    text = re.sub(r"\(\?P<\w+>[^)]*\)", "1", text)
    return text.replace("\\", "")


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, "", ""))
