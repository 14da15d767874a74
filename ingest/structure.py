"""Structure detection: a cleaned document → its title and its cases, each with sections.

Case boundaries come from one mechanism (ingest/boundaries.py): candidate title lines grouped into
sibling families (same numbering pattern, or same heading level), the family that repeats and that
provider lines and section structure explain best is the case level. 001 (plain titles anchored by
（X片区）), 002 (five "# …实施方案" headings after a notice), 003 (numbered titles at random markdown
depths) and 004 (numbered titles wrapped over two lines) are all instances of it.
One layout is a rule of its own, tried when no family is found, because its boundaries are not titles:
  news      body, then （来源：…）, then the item's headline (000's newsletter page).
When both find fewer than two cases in a document long enough to hold several, the layout-agnostic fallback
(ingest/fallback.py) looks for what any collection shares: repeating blocks under short lines of one shape, or a
table listing one case a row. It never runs where the detectors found cases, so what they read stays as it is.
Anything else is one case: the whole document, its headings its sections.
A closing block the boundaries set apart after the last case (■ 年度工作展望 after ◆ cases) belongs, like
a notice's 抄送 tail and a bulletin's news items between its cases, to the preamble: it is the document's own
text, not the last case's.
No title of the shipped corpus appears in this code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest import fallback, patterns
from ingest.boundaries import clean_title as _clean_title
from ingest.boundaries import find_cases, listed_providers
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
    # Lines after the first case that are the document's own text, owned by the preamble as sections of it:
    # (first line, last line, section name) of a notice's 抄送/印发 tail, a closing block, news items between cases.
    own_blocks: list[tuple[int, int, str]] = field(default_factory=list)


_BACK_LABEL = "抄送 / 印发"  # the section name of a notice's distribution tail


_BACK_MATTER = re.compile(r"^(抄送|抄报|分送|主送)\s*[:：]")


def _back_matter(lines: list[Line], last_case: CaseSpan) -> int | None:
    """First line of an official document's distribution tail (抄送：… / …印发) inside the last case."""
    floor = max(last_case.body_line, len(lines) - 8)
    for i in range(floor, len(lines)):
        if _BACK_MATTER.match(lines[i].text):
            return i
    return None


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


# ---------------------------------------------------------------- titled cases (001–004 and new layouts)

def _titled_cases(lines: list[Line], doc_text: str) -> tuple[list[CaseSpan], str, int | None,
                                                               list[tuple[int, int, str]]] | None:
    found = find_cases(lines)
    if found is None:
        return None
    cases = [
        CaseSpan(b.number, b.title, b.provider or _provider_in_title(b.title, doc_text), b.first_line, b.body_line,
                 b.last_line)
        for b in found.boundaries
    ]
    return cases, found.layout, found.closing, found.items


def _provider_in_title(title: str, doc_text: str) -> str | None:
    """中国（湖州）跨境电子商务综合试验区… → 湖州市 when the document calls it that, else the bracketed name."""
    m = re.search(r"中国[（(]([\u4e00-\u9fff]{2,6})[）)]", title)
    if not m:
        return None
    name = m.group(1)
    for suffix in ("市", "省", "区", "县"):
        if name + suffix in doc_text:
            return name + suffix
    return name


# ---------------------------------------------------------------- titles, preamble, sections

def _document_title(lines: list[Line], until: int) -> str | None:
    """The marked title (Word's Title style), else the longest heading before the first case, else the
    opening block of short lines."""
    marked = [line.text for line in lines[:until] if line.title_mark]
    if marked:
        return _clean_title(" ".join(marked))
    # A heading, or a bold title-like line (a Word document's centred title is often bold Normal text), but never a
    # section's label (编者按, 前言) however it is styled.
    heads = [line.text for line in lines[:until] if (line.md_level or line.bold and not patterns.ends_sentence(line.text))
             and not patterns.TOC_LEADER.search(line.text) and not patterns.section_label(line.text)]
    heads = [h for h in heads if not re.fullmatch(r"目\s*录|contents", h, re.I)]
    if heads:
        return _clean_title(max(heads, key=len))
    opening: list[str] = []
    start = 0
    while start < until and patterns.BREADCRUMB.match(lines[start].text):
        start += 1  # a saved web page opens with where it sits on its site; its title comes next
    for k, line in enumerate(lines[start:until]):
        if k and (line.gap_before or patterns.MASTHEAD_LINE.search(line.text) or line.table_row or "\t" in line.text) \
                or patterns.ends_sentence(line.text) or len(line.text) > 40 \
                or patterns.title_number(line.text) \
                or patterns.provider_of(line.text) or patterns.PROVIDER_LINE.match(line.text) \
                or k and patterns.is_unit(line.text):
            # （2023年第1批报送） names no provider, but a submission note is no part of the title either, nor is
            # the issue number or the editor and date a periodical prints under its name, nor the header of a table
            # (a list of cases, tab-separated) that follows it, nor the issuing office's name on its own line
            break
        opening.append(line.text)
    return _clean_title("".join(opening)) if opening else None


def _preamble(lines: list[Line], first_case_line: int, title: str | None) -> CaseSpan | None:
    """Substantive text before the first case (002's notice, 001's introduction) is case 0; a TOC is not."""
    body = [
        line.text for line in lines[:first_case_line]
        if not patterns.TOC_LEADER.search(line.text) and line.text != title and not line.md_level
        and not line.title_mark
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
        line = lines[i]
        text = line.text
        level = patterns.heading_level(text)
        label = patterns.heading_label(text)
        run_in = False
        if not level and (line.md_level or line.bold) and len(text) <= 40 and not patterns.ends_sentence(text):
            level = 1  # an unnumbered markdown heading (or a bold line) inside a case
        if patterns.section_label(text):
            level, label = level or 1, patterns.heading_label(text.strip("【】[]"))  # 【改革背景】 / 主要做法：
        lead = None if level else patterns.run_in_label(text, line.bold_lead)
        if lead:
            # **做法：**通过… / 【成效】… / ▶ 做法：… : a paragraph that runs in with its section's label
            level, label, run_in = 1, lead, True
        if not level and line.table_row and patterns.record_section(text):
            # | 主要做法 | 一是… | : a form's row is a section under its label
            level, label, run_in = 1, patterns.record_section(text) or "", True
        if not level:
            body_seen = True
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, label))
        first = i
        if i > current.first_line:
            if not body_seen and current.path and level > len(current.path):
                first = current.first_line  # bare headings travel with their first subsection
            else:
                current.last_line = i - 1
                spans.append(current)
        current = SectionSpan([label for _, label in stack], first, case.last_line)
        body_seen = run_in or len(text) > 40  # a run-in heading carries body text on its own line
    if current.first_line <= case.last_line:
        spans.append(current)
    return spans


def doubt(layout: str, text: str) -> str:
    """Why an official should look at how a document was split before relying on it, or '': a long document in
    which no detector found cases, or one split by the layout-agnostic fallback. A layout nobody wrote a rule for
    is often read wrong (the eval's sealed layouts mostly were), and a wrong split cites the wrong case."""
    if layout == "single" and fallback.cjk_chars(text) >= fallback.MIN_CJK:
        return f"未识别出案例，全文作为一篇（{fallback.cjk_chars(text)}字）/ no cases recognised: read as one text"
    if layout.startswith("fallback"):
        return "案例由通用规则切分 / cases split by the layout-agnostic fallback"
    return ""


def detect(doc: CleanedDocument, declared_title: str | None = None) -> DocStructure:
    """Recognise the document's layout and return its title and cases; declared_title is the one the file
    itself declares (a PDF's metadata or largest line), which the text alone may not show as a line."""
    lines = doc.lines
    if not lines:
        return DocStructure(None, "empty")
    titled = _titled_cases(lines, doc.text)
    news = None if titled else _detect_news(lines)
    if not news and (not titled or len(titled[0]) < 2) and fallback.cjk_chars(doc.text) >= fallback.MIN_CJK:
        segmented = fallback.find(lines)
        if segmented:
            titled = ([CaseSpan(b.number, b.title, b.provider, b.first_line, b.body_line, b.last_line)
                       for b in segmented.boundaries], segmented.layout, segmented.closing, [])
    closing = None
    items: list[tuple[int, int, str]] = []
    if titled:
        cases, layout, closing, items = titled
        unnamed = [c for c in cases if not c.provider]
        listed = listed_providers(lines, [(c.title, c.first_line, c.body_line) for c in unnamed]) if unnamed else {}
        for k, who in listed.items():
            unnamed[k].provider = who  # named only in the document's list of its cases
    elif news:
        cases, layout = news, "news"
    else:
        cases, layout = [], "single"
    first = cases[0].first_line if cases else len(lines)
    title = declared_title or _document_title(lines, first)
    publisher, date = _publisher_and_date(lines, first)
    if not cases:
        body = 1 if title and lines[0].text == title and len(lines) > 1 else 0  # the title is no section
        cases = [CaseSpan(1, title or "", None, 0, body, len(lines) - 1, kind="document")]
    elif first > 0:
        pre = _preamble(lines, first, title)
        if pre:
            cases.insert(0, pre)
    own: list[tuple[int, int, str]] = []
    if items:
        # News items between the cases are the document's own text, like its introduction: their figures are no
        # case's. They need the preamble to own them: the head before the first case, however short, or else
        # (the first case opens the document) the first of them.
        if cases[0].kind != "preamble":
            a, b = (0, first - 1) if first > 0 else items.pop(0)[:2]
            cases.insert(0, CaseSpan(0, title or "前言", None, a, a, b, kind="preamble"))
        own += items
    if closing is not None and (cases[0].kind != "preamble" or len(cases) < 2):
        cases[-1].last_line = len(lines) - 1  # a closing block with no preamble to own it stays with the last case
    elif closing is not None:
        # The document's closing block (■ 年度工作展望 after the last ◆ case) is the document's own text, like
        # its introduction: its targets are no figures of the last case.
        own.append((closing, len(lines) - 1, patterns.heading_label(lines[closing].text)))
    elif cases[0].kind == "preamble" and len(cases) > 1:
        # The distribution list at the end of a notice belongs to the notice, not to its last plan:
        # otherwise 温州 (抄送 …温州市…) would seem to be covered by the 丽水 plan.
        tail = _back_matter(lines, cases[-1])
        if tail is not None and tail > cases[-1].body_line:
            own.append((tail, cases[-1].last_line, _BACK_LABEL))
            cases[-1].last_line = tail - 1
    return DocStructure(title, layout, cases, publisher, date, own)
