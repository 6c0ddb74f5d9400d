"""Is this response an article page at all? Checks before and after extraction.

Pure functions of bytes, text and the parsed tree; the spider turns a problem
into a `RejectedPage` item, which validation quarantines with the reason:
empty page, binary content, page too large, markup nested too deep, a
mislabelled encoding that cannot be repaired, soft 404, not an article.
A mislabelled encoding that can be repaired (the bytes decode cleanly in the
other codec) is repaired instead (`encoding_fix`).
"""

from __future__ import annotations

import re

from lxml import etree

# Deeper than this the parser (libxml2) silently cuts the tree and the text with it;
# real article pages stay far below (about 30-60 levels).
MAX_DEPTH = 500
# Share of undecodable characters above which a text is not what its label says.
MAX_REPLACEMENT_SHARE = 0.005
_CYRILLIC = re.compile(r"[А-яЁё]")
_GZIP = b"\x1f\x8b"
_SOFT_404 = re.compile(
    r"(страниц\w*\s+не\s+(?:найден|существует)|ошибка\s+404|page\s+not\s+found"
    r"|материал\s+не\s+найден|запрашиваемая\s+страница\s+(?:не|удален))",
    re.IGNORECASE,
)
# A bare «404» says "missing" only in a title of little else («404», «404 | НГС55.ру»,
# «Страница 404 — Омск-информ»); in a headline it is a number («за 404 млн рублей»).
_BARE_404 = re.compile(r"\b404\b")
_404_ORDINAL = re.compile(r"\b404-")  # «404-й километр»
_BARE_404_MAX_WORDS = 4
_WORD = re.compile(r"\w+")
# UTF-8 Cyrillic read as windows-1251 («Омск» → «РћРјСЃРє») or as Latin-1 («Ð¼Ñ\x81Ðº»).
# A UTF-8 continuation byte (0x80-0xBF) as windows-1251 shows it.
_CONTINUATION_1251 = bytes(range(0x80, 0xC0)).decode("cp1251", errors="ignore")
_MOJIBAKE = re.compile(f"[РС][{re.escape(_CONTINUATION_1251)}]|[ÐÑ][\x80-\xbf]")


def _cyrillic_share(text: str) -> float:
    letters = sum(ch.isalpha() for ch in text)
    return len(_CYRILLIC.findall(text)) / letters if letters else 0.0


def encoding_fix(body: bytes, declared: str) -> str | None:
    """The codec to decode `body` with when `declared` is wrong, else None.

    >>> encoding_fix("Омск, новости".encode("cp1251"), "utf-8")
    'cp1251'
    >>> encoding_fix("Омск, новости".encode("utf-8"), "cp1251")
    'utf-8'
    >>> encoding_fix("Омск, новости".encode("utf-8"), "utf-8") is None
    True
    """
    declared = declared.lower().replace("_", "-")
    if declared in ("utf-8", "utf8"):
        try:
            body.decode("utf-8")
            return None
        except UnicodeDecodeError:
            pass
        text = body.decode("cp1251", errors="replace")
        return "cp1251" if _cyrillic_share(text) > 0.3 else None
    if declared in ("cp1251", "windows-1251"):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "utf-8" if _cyrillic_share(text) > 0.3 else None
    return None


def content_problem(body: bytes, text: str) -> str | None:
    """Why these bytes are no page to read (empty, binary), or None.

    >>> content_problem(b"  ", "  ")
    'empty page'
    >>> content_problem(b"\\x1f\\x8b\\x08\\x00garbage", "\\x1f\\x8b\\x08")
    'binary content (gzip data)'
    >>> content_problem(b"<html>", "<html><p>" + "\\ufffd" * 50 + "</p>")
    'binary content (50 undecodable characters)'
    >>> content_problem(b"<html>", "<html><p>Омск</p></html>") is None
    True
    """
    if not body.strip():
        return "empty page"
    if body.startswith(_GZIP):
        return "binary content (gzip data)"
    if b"\x00" in body[:8192]:
        return "binary content (NUL bytes)"
    bad = text.count("\ufffd")
    if bad and bad > MAX_REPLACEMENT_SHARE * len(text):
        return f"binary content ({bad} undecodable characters)"
    return None


def markup_depth(root: etree._Element) -> int:
    """How deep the parsed tree nests (iteratively: no recursion on deep trees)."""
    depth = deepest = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def soft_404(title: str | None) -> bool:
    """A page answered 200 but says it is missing.

    >>> soft_404("Страница не найдена — Омск-информ")
    True
    >>> soft_404("Ошибка 404")
    True
    >>> soft_404("404 | НГС55.ру")
    True
    >>> soft_404("В Омске открыли 404-й километр трассы")
    False
    >>> soft_404("Омская епархия расширит остановки в Кировском округе за 404 млн рублей")
    False
    """
    if not title:
        return False
    if _SOFT_404.search(title):
        return True
    if not _BARE_404.search(title) or _404_ORDINAL.search(title):
        return False
    return len(_WORD.findall(_BARE_404.sub(" ", title))) <= _BARE_404_MAX_WORDS


def mojibake(text: str | None) -> bool:
    """Text that was decoded with the wrong codec («РћРјСЃРє», «Ð¼Ñ\x81Ðº»).

    >>> mojibake("Омск".encode("utf-8").decode("cp1251"))
    True
    >>> mojibake("Омск".encode("utf-8").decode("latin-1"))
    True
    >>> mojibake("Рост цен в Омске: РЖД, СССР, Ростсельмаш")
    False
    """
    if not text:
        return False
    hits = len(_MOJIBAKE.findall(text))
    return hits >= 3 and hits > 0.05 * len(text.split())
