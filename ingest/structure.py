"""Structure detection: a cleaned document → its title and its cases, each with sections.

Layout detectors are tried in order and the first that recognises the document wins:
  news      body, then （来源：…）, then the item's headline (000's newsletter page);
  provider  a (numbered) title followed by a （X提供）/（X片区） line (001, 003, 004; one case is
            enough when its title is numbered);
  headings  sibling markdown headings sharing a suffix, e.g. five "…实施方案" (002);
  single    anything else: the whole document is one case, its headings its sections.
All are pattern-driven; no title of the shipped corpus appears in this code.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ingest import patterns
from ingest.clean import CleanedDocument, Line


@dataclass
class CaseSpan:
    number: int
    title: str
    provider: str | None
    first_line: int  # first line of the case, title included
    body_line: int  # first line after title/provider lines
    last_line: int  # inclusive
    kind: str = "case"


@dataclass
class SectionSpan:
    path: list[str]
    first_line: int
    last_line: int


@dataclass
class DocStructure:
    title: str | None
    layout: str
    cases: list[CaseSpan] = field(default_factory=list)
    publisher: str | None = None
    date: str | None = None
    back_matter: tuple[int, int] | None = None  # lines of a notice's 抄送/印发 tail, owned by the preamble


_BACK_MATTER = re.compile(r"^(抄送|抄报|分送|主送)\s*[:：]")


def _back_matter(lines: list[Line], last_case: CaseSpan) -> int | None:
    """First line of an official document's distribution tail (抄送：… / …印发) inside the last case."""
    floor = max(last_case.body_line, len(lines) - 8)
    for i in range(floor, len(lines)):
        if _BACK_MATTER.match(lines[i].text):
            return i
    return None


def _compact(text: str) -> str:
    """Comparison key for titles: no spaces, punctuation or bracket-width differences."""
    return re.sub(r"[\s\W_]+", "", text)


def _clean_title(text: str) -> str:
    return re.sub(r"\s{2,}", " ", text).strip()


# ---------------------------------------------------------------- news layout (000)

def _detect_news(lines: list[Line]) -> list[CaseSpan] | None:
    texts = [line.text for line in lines]
    sources = [i for i, t in enumerate(texts) if patterns.is_source_line(t)]
    if len(sources) < 2:
        return None
    cases: list[CaseSpan] = []
    body_start = 0
    for n, src in enumerate(sources, start=1):
        headline: list[int] = []
        for j in range(src + 1, min(src + 3, len(texts))):
            if patterns.ends_sentence(texts[j]) or patterns.is_source_line(texts[j]) or len(texts[j]) > 40:
                break
            headline.append(j)
        title = " ".join(texts[j] for j in headline) or texts[body_start][:30]
        zones = (patterns.ZONE_IN_HEADLINE.search(texts[j].replace(" ", "")) for j in headline)
        zone = next((z for z in zones if z), None)
        last = headline[-1] if headline else src
        cases.append(CaseSpan(n, _clean_title(title), zone.group(0) if zone else None, body_start, body_start, last))
        body_start = last + 1
    if body_start < len(texts):
        # Trailing text after the last headline belongs to the last item.
        cases[-1].last_line = len(texts) - 1
    return cases


# ---------------------------------------------------------------- provider-line layout (001/003/004)

def _is_title_like(text: str) -> bool:
    return (
        len(text) <= 80
        and not patterns.ends_sentence(text)
        and not patterns.is_heading_line(text)
        and not patterns.TOC_LEADER.search(text)
        and not patterns.INLINE_PROVIDER.search(text)
        and not patterns.is_source_line(text)
    )


def _title_lines(lines: list[Line], provider_at: int, floor: int) -> list[int]:
    """The lines before a provider line that make up the case title (at most two)."""
    picked: list[int] = []
    i = provider_at - 1
    while i >= floor and len(picked) < 2:
        text = lines[i].text
        numbered = patterns.NUMBERED_TITLE.match(text)
        listed = patterns.TOC_LEADER.search(text) or patterns.INLINE_PROVIDER.search(text)
        if not (numbered or _is_title_like(text)) or listed:
            break
        picked.insert(0, i)
        if numbered or lines[i].gap_before and len(picked) == 1 and not _continues_above(lines, i, floor):
            break
        i -= 1
    return picked


def _continues_above(lines: list[Line], i: int, floor: int) -> bool:
    """A title cut in two by the DOCX conversion: the line above has no gap and is title-like."""
    return i - 1 >= floor and not lines[i].gap_before and _is_title_like(lines[i - 1].text)


def _toc_numbers(lines: list[Line], until: int) -> dict[str, int]:
    """Numbered list rows before the first case (a table of contents): title key → number."""
    toc: dict[str, int] = {}
    for line in lines[:until]:
        m = patterns.NUMBERED_TITLE.match(line.text)
        if m:
            title = patterns.TOC_LEADER.sub("", m.group("title"))
            title = patterns.INLINE_PROVIDER.sub("", title)
            toc[_compact(title)] = int(m.group("n"))
    return toc


def _numbered_case(lines: list[Line], title_at: list[int]) -> bool:
    return bool(patterns.NUMBERED_TITLE.match(lines[title_at[0]].text))


def _detect_provider_cases(lines: list[Line]) -> list[CaseSpan] | None:
    found: list[tuple[list[int], int, str]] = []
    floor = 0
    for i, line in enumerate(lines):
        who = patterns.provider_of(line.text)
        if not who:
            continue
        title_at = _title_lines(lines, i, floor)
        if title_at:
            found.append((title_at, i, who))
            floor = i + 1
    if len(found) < 2 and not (found and _numbered_case(lines, found[0][0])):
        # One provider line alone could be anything; after a numbered title it is a one-case document
        # (a single case scanned or saved on its own).
        return None
    toc = _toc_numbers(lines, found[0][0][0])
    cases: list[CaseSpan] = []
    for order, (title_at, provider_at, who) in enumerate(found, start=1):
        title = _clean_title("".join(lines[j].text for j in title_at))
        m = patterns.NUMBERED_TITLE.match(title)
        if m:
            number, title = int(m.group("n")), _clean_title(m.group("title"))
        else:
            number = toc.get(_compact(title), order)
        cases.append(CaseSpan(number, title, who, title_at[0], provider_at + 1, -1))
    for case, nxt in zip(cases, cases[1:] + [None]):
        case.last_line = (nxt.first_line - 1) if nxt else len(lines) - 1
    return cases


# ---------------------------------------------------------------- sibling-heading layout (002)

def _detect_sibling_headings(lines: list[Line], doc_text: str) -> list[CaseSpan] | None:
    heads = [
        i for i, line in enumerate(lines)
        if line.md_level and not patterns.is_heading_line(line.text) and 6 <= len(line.text) <= 60
    ]
    if len(heads) < 2:
        return None
    suffixes = Counter((lines[i].md_level, lines[i].text[-4:]) for i in heads)
    (level, suffix), count = suffixes.most_common(1)[0]
    if count < 2:
        return None
    starts = [i for i in heads if lines[i].md_level == level and lines[i].text.endswith(suffix)]
    cases: list[CaseSpan] = []
    for n, (i, nxt) in enumerate(zip(starts, starts[1:] + [len(lines)]), start=1):
        title = _clean_title(lines[i].text)
        cases.append(CaseSpan(n, title, _provider_in_title(title, doc_text), i, i + 1, nxt - 1))
    return cases


def _provider_in_title(title: str, doc_text: str) -> str | None:
    """中国（湖州）… → 湖州市 when the document calls it that, else the bracketed name."""
    m = re.search(r"[（(]([\u4e00-\u9fff]{2,6})[）)]", title)
    if not m:
        return None
    name = m.group(1)
    for suffix in ("市", "省", "区", "县"):
        if name + suffix in doc_text:
            return name + suffix
    return name


# ---------------------------------------------------------------- titles, preamble, sections

def _document_title(lines: list[Line], until: int) -> str | None:
    """Markdown headings before the first case (the longest), else the opening block of short lines."""
    heads = [line.text for line in lines[:until] if line.md_level and not patterns.TOC_LEADER.search(line.text)]
    heads = [h for h in heads if not re.fullmatch(r"目\s*录|contents", h, re.I)]
    if heads:
        return _clean_title(max(heads, key=len))
    opening: list[str] = []
    for k, line in enumerate(lines[:until]):
        if k and line.gap_before or patterns.ends_sentence(line.text) or len(line.text) > 40 \
                or patterns.NUMBERED_TITLE.match(line.text):
            break
        opening.append(line.text)
    return _clean_title("".join(opening)) if opening else None


def _preamble(lines: list[Line], first_case_line: int, title: str | None) -> CaseSpan | None:
    """Substantive text before the first case (002's notice, 001's introduction) is case 0; a TOC is not."""
    body = [
        line.text for line in lines[:first_case_line]
        if not patterns.TOC_LEADER.search(line.text) and line.text != title and not line.md_level
    ]
    if sum(len(t) for t in body) < 80:
        return None
    return CaseSpan(0, title or "前言", None, 0, 0, first_case_line - 1, kind="preamble")


def _publisher_and_date(lines: list[Line], until: int) -> tuple[str | None, str | None]:
    publisher = date = None
    for line in lines[:until]:
        text = line.text
        if date is None and re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", text):
            date = text
        if publisher is None and re.fullmatch(r"[\u4e00-\u9fff]{2,20}(?:人民政府|委员会|办公室|办公厅|部|局)", text):
            publisher = text
    return publisher, date


def sections(lines: list[Line], case: CaseSpan) -> list[SectionSpan]:
    """Heading-delimited sections of a case; depth comes from the numbering style (一、 > （一） > 1.)."""
    spans: list[SectionSpan] = []
    stack: list[tuple[int, str]] = []
    current = SectionSpan([], case.body_line, case.last_line)
    body_seen = False  # has the current section any line that is not a heading?
    for i in range(case.body_line, case.last_line + 1):
        text = lines[i].text
        level = patterns.heading_level(text)
        if not level and lines[i].md_level and len(text) <= 40 and not patterns.ends_sentence(text):
            level = 1  # an unnumbered markdown heading inside a case
        if not level:
            body_seen = True
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, patterns.heading_label(text)))
        first = i
        if i > current.first_line:
            if not body_seen and current.path and level > len(current.path):
                first = current.first_line  # bare headings travel with their first subsection
            else:
                current.last_line = i - 1
                spans.append(current)
        current = SectionSpan([label for _, label in stack], first, case.last_line)
        body_seen = len(text) > 40  # a run-in heading carries body text on its own line
    if current.first_line <= case.last_line:
        spans.append(current)
    return spans


def detect(doc: CleanedDocument) -> DocStructure:
    """Recognise the document's layout and return its title and cases."""
    lines = doc.lines
    if not lines:
        return DocStructure(None, "empty")
    for layout, detector in (
        ("news", lambda: _detect_news(lines)),
        ("provider", lambda: _detect_provider_cases(lines)),
        ("headings", lambda: _detect_sibling_headings(lines, doc.text)),
    ):
        cases = detector()
        if cases:
            break
    else:
        layout, cases = "single", []
    first = cases[0].first_line if cases else len(lines)
    title = _document_title(lines, first)
    publisher, date = _publisher_and_date(lines, first)
    if not cases:
        body = 1 if title and lines[0].text == title and len(lines) > 1 else 0  # the title is no section
        cases = [CaseSpan(1, title or "", None, 0, body, len(lines) - 1, kind="document")]
    elif first > 0:
        pre = _preamble(lines, first, title)
        if pre:
            cases.insert(0, pre)
    back = None
    if cases[0].kind == "preamble" and len(cases) > 1:
        # The distribution list at the end of a notice belongs to the notice, not to its last plan:
        # otherwise 温州 (抄送 …温州市…) would seem to be covered by the 丽水 plan.
        tail = _back_matter(lines, cases[-1])
        if tail is not None and tail > cases[-1].body_line:
            back = (tail, cases[-1].last_line)
            cases[-1].last_line = tail - 1
    return DocStructure(title, layout, cases, publisher, date, back)
