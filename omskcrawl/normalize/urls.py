"""One URL per article: the canonical form used as the article's identity.

Decisions worth knowing:

* ``http`` is folded to ``https`` for domain names on default ports, so the same article
  reached both ways is one URL. IP addresses, ``localhost`` and explicit non-default ports
  keep their scheme (the mock server of the crawl tests is ``http://127.0.0.1:<port>``).
* The host loses ``www.``, ``m.``, ``amp.``, ``mobile.`` and ``pda.`` prefixes; other
  subdomains (``mc.bk55.ru``, ``omsk.aif.ru``) are distinct sites and stay.
* A trailing slash is kept or left out as the site writes it. Only removing a variant segment
  (``/amp``, bk55's ``//print``) leaves the slash that preceded it: ``/news/1/amp`` →
  ``/news/1/``. So ``m.bk55.ru/news/article/1`` and ``bk55.ru/news/article/1/`` stay two
  URLs; content deduplication joins them.
* A site's own print or AMP view (bk55's ``…/<id>//print``, kvnews' ``…=print``) is folded by
  path rewrites its site module declares (``print_views``) and the caller passes in; only
  conventions shared by many sites (``/amp/…``, ``…/amp``, ``?amp``, ``?print``) are here.
* Percent-encoding, query order and fragments are normalised by
  `w3lib.url.canonicalize_url`: Cyrillic paths come out percent-encoded, IDN hosts as
  punycode.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

__all__ = ["PathRewrites", "canonical_url", "is_tracking_param", "registrable_domain", "web_url"]

_TRACKING_PARAMS = frozenset(
    [
        "utm",
        "yclid",
        "ysclid",
        "gclid",
        "dclid",
        "fbclid",
        "msclkid",
        "igshid",
        "from",
        "ref",
        "ref_src",
        "rss",
        "_openstat",
        "erid",
        "amp",
        "print",
        "fb_action_ids",
        "fb_action_types",
        "fb_source",
        "fb_ref",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
    ]
)
_HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.", "pda.")
# Suffixes under which unrelated owners get subdomains: ``admomsk.gosuslugi.ru`` and
# ``omsk-r52.gosweb.gosuslugi.ru`` are different sites.
_SHARED_SUFFIXES = frozenset(
    [
        "gosuslugi.ru",
        "gosweb.gosuslugi.ru",
        "com.ru",
        "net.ru",
        "org.ru",
        "pp.ru",
        "msk.ru",
        "spb.ru",
        "narod.ru",
        "ucoz.ru",
    ]
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_IP_HOST = re.compile(r"[\d.]+|.*:.*")

_AMP_PREFIX = re.compile(r"^/amp(?=/.)")
_AMP_SUFFIX = re.compile(r"(?<=/)amp/?$")
_SLASHES = re.compile(r"/{2,}")


def is_tracking_param(name: str) -> bool:
    """True for query parameters that mark where a visit came from, not what page it is.

    ``utm_*`` and a list of click ids and referrer markers, plus the ``amp`` and ``print``
    switches of page variants. A name leaked as ``amp;utm_source`` (an HTML-escaped ``&``)
    counts as its real name.

    >>> [is_tracking_param(n) for n in ["utm_source", "from", "amp;utm_medium", "page", "id"]]
    [True, True, True, False, False]
    """
    name = unquote_plus(name).strip().lower()
    name = name.removeprefix("amp;")
    return name.startswith("utm_") or name in _TRACKING_PARAMS


def registrable_domain(host: str) -> str:
    """The domain a site's owner registered: the last two labels, or three under shared suffixes.

    >>> registrable_domain("mc.bk55.ru"), registrable_domain("omsk.aif.ru")
    ('bk55.ru', 'aif.ru')
    >>> registrable_domain("admomsk.gosuslugi.ru")
    'admomsk.gosuslugi.ru'
    >>> registrable_domain("127.0.0.1")
    '127.0.0.1'
    """
    host = host.lower().rstrip(".")
    if _IP_HOST.fullmatch(host):
        return host
    labels = host.split(".")
    for size in (3, 2):
        if len(labels) > size and ".".join(labels[-size:]) in _SHARED_SUFFIXES:
            return ".".join(labels[-size - 1 :])
    return ".".join(labels[-2:])


def _strip_host_prefixes(host: str) -> str:
    changed = True
    while changed:
        changed = False
        for prefix in _HOST_PREFIXES:
            rest = host.removeprefix(prefix)
            if rest != host and "." in rest:
                host = rest
                changed = True
    return host


# A site's path rewrites: (regex, replacement) pairs applied in order to the URL path.
PathRewrites = tuple[tuple[str, str], ...]


def _fold_path(path: str, print_views: PathRewrites) -> str:
    for pattern, replacement in print_views:
        path = re.sub(pattern, replacement, path)
    path = _SLASHES.sub("/", path)
    path = _AMP_PREFIX.sub("", path)
    return _AMP_SUFFIX.sub("", path)


def _clean_query(query: str) -> str:
    kept = [pair for pair in query.split("&") if pair and not is_tracking_param(pair.split("=")[0])]
    return "&".join(kept)


def _normalise(url: str, print_views: PathRewrites = ()) -> str:
    """Canonical form of one absolute URL; raises ValueError on what cannot be parsed."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        raise ValueError(f"not an http(s) URL: {url!r}")
    port = parts.port
    if port == _DEFAULT_PORTS[scheme]:
        port = None
    is_ip = bool(_IP_HOST.fullmatch(host)) or host == "localhost"
    if not is_ip:
        host = _strip_host_prefixes(host)
        if port is None:
            scheme = "https"
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    path = _fold_path(parts.path, print_views)
    query = _clean_query(parts.query)
    return canonicalize_url(urlunsplit((scheme, netloc, path, query, "")))


def _is_homepage(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def canonical_url(url: str, canonical: str | None = None, print_views: PathRewrites = ()) -> str:
    """The canonical form of an article URL, optionally preferring the page's own canonical.

    ``canonical`` (``rel=canonical`` or ``og:url``, possibly relative) replaces ``url`` when it
    resolves to an http(s) URL on the same registrable domain (`registrable_domain`) and is
    not the homepage. Then: ``http`` → ``https`` for domain names, host lower-cased and
    stripped of ``www.``/``m.``/``amp.``/``mobile.``/``pda.``, default port, fragment and
    tracking parameters (`is_tracking_param`) dropped, remaining parameters sorted, ``//`` in
    the path collapsed, AMP and print variants folded (``/amp/…``, ``…/amp``, ``?amp=1``,
    ``?print``, and the site's own ``print_views`` path rewrites). Anything that is not an
    absolute http(s) URL comes back stripped, unchanged; this never raises.

    >>> canonical_url("http://www.omskinform.ru/news/117079#comments")
    'https://omskinform.ru/news/117079'
    >>> canonical_url("https://m.bk55.ru/news/article/27119//print",
    ...               print_views=((r"(/\\d+)/+print/?$", r"\\1/"),))
    'https://bk55.ru/news/article/27119/'
    >>> canonical_url("https://ngs55.ru/text/gorod/2023/01/03/71950856/?from=main&utm_source=x")
    'https://ngs55.ru/text/gorod/2023/01/03/71950856/'
    >>> canonical_url("https://gorod55.ru/news/2023-06-24/slug-2965599?amp=1",
    ...               canonical="/news/2023-06-24/slug-2965599")
    'https://gorod55.ru/news/2023-06-24/slug-2965599'
    >>> canonical_url("https://om1.ru/news/politic/1-x", canonical="https://om1.ru/")
    'https://om1.ru/news/politic/1-x'
    >>> canonical_url("  javascript:void(0) ")
    'javascript:void(0)'
    """
    url = (url or "").strip()
    try:
        base = _normalise(url, print_views)
    except ValueError:
        return url
    if canonical and canonical.strip():
        try:
            preferred = _normalise(urljoin(url, canonical.strip()), print_views)
        except ValueError:
            return base
        base_host = urlsplit(base).hostname or ""
        preferred_host = urlsplit(preferred).hostname or ""
        same_site = registrable_domain(base_host) == registrable_domain(preferred_host)
        if same_site and not _is_homepage(preferred):
            return preferred
    return base


def web_url(value: str, base: str) -> str | None:
    """`value` resolved against `base` when that gives an http(s) URL with a host, else None.

    Link fields hold only such URLs: `javascript:`, `data:`, `file:` and `mailto:` values
    are dropped, and `../` is resolved (never stored as is).

    >>> web_url("/foto/1.jpg", "https://omskinform.ru/news/1")
    'https://omskinform.ru/foto/1.jpg'
    >>> web_url("../../../docs/x.pdf", "https://omskinform.ru/news/1")
    'https://omskinform.ru/docs/x.pdf'
    >>> web_url("javascript:void(0)", "https://omskinform.ru/news/1") is None
    True
    >>> web_url("file:///etc/passwd", "https://omskinform.ru/news/1") is None
    True
    """
    value = (value or "").strip()
    if not value:
        return None
    absolute = urljoin(base, value)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if ".." in parts.path.split("/"):
        return None
    return absolute
