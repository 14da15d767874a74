"""Layout-agnostic case segmentation, tried only when the layout detectors find fewer than two cases in a document
long enough to hold several: every layout they read stays as they read it.

It knows no layout, only what every collection of cases shares:
  - A list of cases as a table (序号 | 案例名称 | 报送单位 | 主要内容, in markdown, Word or tab-separated text): a table
    whose rows each hold a long text cell is one case a row, its header naming the title and the provider columns.
  - Otherwise, repeating blocks. A case opens with a short line (no sentence in it) followed by body text, and the
    openings of a collection share a shape: the same leading marker (a bullet or bar, a numbering with digits, Chinese
    or Roman numerals, a 【tag】, a label before a colon, a unit before a colon) or the same kind of line (a heading
    level, a bold line, a one-cell table row, the first line of a page or slide, the line under a repeated
    "label N" marker). A shape opens cases when two or more lines have it and their blocks are cases: section labels
    (section_labels.txt) or question/answer pairs in their first lines, or a provider near their start or end; or,
    with nothing else, three or more blocks that each hold a long body.
  - The provider is a unit's name (patterns.UNIT_SUFFIXES) near the block's start or end: a field (报送单位：X /
    单位：X), a bracket after the title or on its own line, a sentence saying who reported it (注：本案例由X提供), a unit
    leading the title (X片区：标题) or closing its block alone; the first unit when several are listed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ingest import patterns
from ingest.boundaries import Boundary, clean_title
from ingest.clean import Line

MIN_CJK = 1500  # characters of Chinese text a document needs before its silence about cases is doubted
_TITLE_MAX = 50  # a case's opening line is short; longer is a paragraph
_FOLLOW = 4  # lines under an opening within which its body (or a section label) must start
_LABEL_WINDOW = 8  # lines under an opening in which its section labels or Q/A pairs are looked for
_EDGE = 4  # lines at a block's start, and at its end, where its provider is looked for
_LONG_BODY = 150  # characters of running text that make a block a case when nothing else says so
_LONG_CELL = 60  # a table cell this long holds a case's text, not a name or a figure
_CJK = re.compile(r"[\u4e00-\u9fff]")


def cjk_chars(text: str) -> int:
    return len(_CJK.findall(text))


@dataclass
class Segmented:
    """The cases the fallback found, a name for the layout, and where the document's own closing text starts."""

    boundaries: list[Boundary]
    layout: str
    closing: int | None = None


def find(lines: list[Line]) -> Segmented | None:
    """The cases of a collection the layout detectors could not read, or None when nothing repeats like cases."""
    return _table_cases(lines) or _block_cases(lines)


# ---------------------------------------------------------------- providers


# 标题（星港市商务局） / 标题【星港片区】 / 标题 —— 星港片区管委会 / 标题｜星港海关: a unit after the title
_TRAILING_BRACKET = re.compile(r"\s*[（(【\[]\s*(?P<who>[^（）()【】\[\]]{2,40}?)\s*[）)】\]]\s*$")
_TRAILING_DASH = re.compile(r"\s*(?:——|—|--|｜|\|)\s*(?P<who>[^—｜|\s]{2,40})\s*$")
_BRACKET_LINE = re.compile(r"^[（(【\[]\s*(?P<who>[^（）()【】\[\]]{2,60}?)\s*[）)】\]]$")
_FIELD = re.compile(r"^[（(【\[]?\s*(?P<label>[\u4e00-\u9fff]{2,6})\s*(?:[：:]|[】\]])\s*(?P<value>[^：:。]{2,80}?)\s*[）)]?$")
_BY = re.compile(rf"由\s*(?P<who>[^，。；：:由]{{2,60}}?)\s*(?:联合|共同)?(?:{'|'.join(patterns.PROVIDER_VERBS)})")
_SHORT_NOTE = 80  # a line naming who reported the case is a note, not a paragraph that mentions a unit in passing


def _unit_of(text: str) -> str | None:
    """The lead unit a provider value names: the first of a list; a value that is no unit's name names none."""
    unit = patterns.first_unit(text)
    if unit:
        return unit
    lead = patterns.lead_unit(text)
    return patterns.first_unit(lead) if lead != text else None


def title_provider(title: str) -> tuple[str, str | None]:
    """(title, provider) of a title that ends with its unit: 标题（星港市商务局） → (标题, 星港市商务局)."""
    for pattern in (_TRAILING_BRACKET, _TRAILING_DASH):
        m = pattern.search(title)
        if m and m.start() > 0:
            who = m.group("who").strip()
            if who.endswith("提供") or who.endswith("报送") or who.endswith("供稿"):
                who = who[:-2]
            unit = _unit_of(who)
            if unit:
                return title[: m.start()].rstrip(), unit
    return title, None


def line_provider(text: str) -> str | None:
    """The unit a short line names as the case's provider (报送单位：X / 单位：X / （X提供） / 注：本案例由X报送), else None."""
    text = text.strip()
    if not text or len(text) > _SHORT_NOTE:
        return None
    known = patterns.provider_line(text)
    if known:
        return _unit_of(known[0]) or patterns.lead_unit(known[0])
    m = _FIELD.match(text)
    if m and re.sub(r"\s+", "", m.group("label")) in patterns.FALLBACK_PROVIDER_LABELS | patterns.PROVIDER_LABELS:
        return _unit_of(m.group("value"))
    m = _BY.search(text)
    if m and not patterns.label_lead(text):  # 做法：由海关提供数据… is a section's text, not a note on who reported it
        return _unit_of(m.group("who").removeprefix("本案例").removeprefix("本单位"))
    m = _BRACKET_LINE.match(text)
    if m:
        return _unit_of(m.group("who"))
    return None


def _block_provider(lines: list[Line], start: int, end: int) -> tuple[str, int] | None:
    """A provider named in the first or the last lines of a block (start..end-1): (unit, its line)."""
    head = range(start, min(end, start + _EDGE))
    tail = range(end - 1, max(start + _EDGE, end - _EDGE) - 1, -1)
    for j in [*head, *tail]:
        unit = line_provider(lines[j].text)
        if unit:
            return unit, j
    for j in tail[:2]:
        if patterns.is_unit(lines[j].text) and not lines[j].table_row:
            return lines[j].text.strip(), j  # a unit's name alone under the body, as a slide or a note signs it
    return None


# ---------------------------------------------------------------- a table of cases, one a row


def _cells(line: Line) -> list[str]:
    """The cells of a table row (| a | b |) or of a tab-separated line, else []."""
    if line.table_row:
        return patterns.table_cells(line.text)
    parts = [part.strip() for part in line.text.split("\t")]
    return parts if len(parts) >= 3 else []


def _header_columns(cells: list[str]) -> tuple[int | None, int | None, int | None] | None:
    """(number, title, provider) columns a header row names; None when the row is no header naming a title column."""
    if len(cells) < 3 or any(len(cell) > 12 for cell in cells):
        return None  # a form's | 案例名称 | X | row is a field, not a header: a list of cases has three columns or more
    keys = [re.sub(r"\s+", "", cell).lower() for cell in cells]
    number = next((k for k, key in enumerate(keys) if key in patterns.NUMBER_HEADERS), None)
    title = next((k for k, key in enumerate(keys) if key in patterns.TITLE_FIELDS), None)
    if title is None:
        title = next((k for k, key in enumerate(keys) if key.endswith(patterns.TITLE_HEADER_ENDINGS)), None)
    provider = next((k for k, key in enumerate(keys) if k != title and (
        key in patterns.PROVIDER_LABELS or key in patterns.FALLBACK_PROVIDER_LABELS
        or key.endswith(patterns.PROVIDER_HEADER_ENDINGS))), None)
    return (number, title, provider) if title is not None else None


def _cell(cells: list[str], k: int | None, header: list[str]) -> str:
    """A cell's value without its column's label, which a Word table's reader may have put before it (报送单位：X)."""
    if k is None or k >= len(cells):
        return ""
    value = cells[k]
    if k < len(header) and header[k]:
        value = re.sub(rf"^{re.escape(header[k])}\s*[：:]\s*", "", value)
    return value.strip()


def _long(cells: list[str]) -> bool:
    return any(len(cell) >= _LONG_CELL for cell in cells)


def _table_cases(lines: list[Line]) -> Segmented | None:
    """A table whose rows each hold a long text cell: one case a row, the header naming title and provider columns."""
    rows = [(i, _cells(line)) for i, line in enumerate(lines)]
    rows = [(i, cells) for i, cells in rows if cells]
    for h, (_, header) in enumerate(rows):
        columns = _header_columns(header)
        if columns is None:
            continue
        body = [(i, cells) for i, cells in rows[h + 1:] if len(cells) >= len(header) - 1]
        cases = [(i, cells) for i, cells in body if _long(cells)]
        if len(cases) < 2 or 2 * len(cases) < len(body):
            continue
        number_col, title_col, provider_col = columns
        found = _rows_as_cases(lines, cases, header, number_col, title_col, provider_col)
        if found:
            return found
    # No header names the columns: rows of three cells or more, each with a long one, still list cases; the title is
    # the first short cell that is no number and no unit, the provider the first unit.
    listed = [(i, cells) for i, cells in rows if _long(cells)]
    if len(listed) >= 2 and 2 * len(listed) >= len(rows):
        found = _rows_as_cases(lines, listed, [], None, None, None)
        # Without a header only a unit in every row says the rows are cases (a figures table has long notes too)
        if found and all(b.provider for b in found.boundaries):
            return found
    return None


def _rows_as_cases(lines: list[Line], cases: list[tuple[int, list[str]]], header: list[str], number_col: int | None,
                   title_col: int | None, provider_col: int | None) -> Segmented | None:
    boundaries: list[Boundary] = []
    numbers: list[int | None] = []
    for order, (i, cells) in enumerate(cases):
        title = _cell(cells, title_col, header) if title_col is not None else next(
            (c for c in cells if 2 <= len(c) <= _TITLE_MAX and not re.fullmatch(r"[\d.．、\s]+", c)
             and not patterns.is_unit(c) and not patterns.ends_sentence(c)), "")
        title, inline = title_provider(clean_title(title))
        if not title or len(title) > 80:
            return None
        if provider_col is not None:
            value = _cell(cells, provider_col, header)
            provider = _unit_of(value) or (re.split(r"[、，,；;]", value)[0].strip() or None)
        else:
            provider = inline or next((u for c in cells if c != title and len(c) < _LONG_CELL
                                       for u in [_unit_of(c)] if u), None)
        number_text = _cell(cells, number_col, header) if number_col is not None else cells[0]
        numbers.append(patterns.numeral(number_text.strip(" .．、")) if number_text else None)
        nxt = cases[order + 1][0] if order + 1 < len(cases) else _row_end(lines, i)
        boundaries.append(Boundary(0, title, provider or inline, i, i, nxt - 1))
    _number(boundaries, numbers)
    last = boundaries[-1].last_line
    return Segmented(boundaries, "fallback: a list of cases, one a table row",
                     last + 1 if last + 1 < len(lines) else None)


def _row_end(lines: list[Line], i: int) -> int:
    """Where the last row's case ends: after the lines that continue its cell (no blank line, no other row)."""
    j = i + 1
    while j < len(lines) and not lines[j].gap_before and not lines[j].table_row and not _cells(lines[j]):
        j += 1
    return j


def _number(boundaries: list[Boundary], numbers: list[int | None]) -> None:
    """The numbers as printed when every case has one and they count upwards, else the cases' order."""
    printed = all(n is not None for n in numbers) and all(
        a is not None and b is not None and a < b for a, b in zip(numbers, numbers[1:]))
    for order, (b, n) in enumerate(zip(boundaries, numbers), start=1):
        b.number = n if printed and n is not None else order


# ---------------------------------------------------------------- repeating blocks


@dataclass
class _Opening:
    line: int  # the title line
    first: int  # the case's first line: the title, or a "label N" marker above it
    keys: tuple[str, ...]  # the shapes it shares with its siblings, most specific first
    number: int | None
    title: str
    provider: str | None
    question: bool  # a question (问：…？) opens it: a title only when nothing else repeats


# A numbering the layout detectors' families do not cover: Q3： / IV. / (3) / 【3】 / 3 标题
_NUMBERING = re.compile(
    r"^(?P<pre>[A-Za-z]{1,3}|[（(【\[〔])?\s*(?P<n>\d{1,3}|[IVX]{1,6}|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ])(?![\d.．%])\s*"
    r"(?P<post>[）)】\]〕.．、:：]|\s)\s*(?P<rest>\S.*)$")
_TAG = re.compile(r"^[【\[〔]\s*(?P<tag>[^】\]〕]{1,16}?)\s*[】\]〕]\s*(?P<rest>\S.*)$")
_LABEL_COLON = re.compile(r"^(?P<label>[\u4e00-\u9fffA-Za-z]{1,4})\s*[：:]\s*(?P<rest>\S.*)$")
_OPENERS = "（(【[〔《<“‘\"'「『"  # brackets and quotes open a title's text; they mark nothing


def _symbol(text: str) -> str | None:
    """The bullet or bar a line opens with (◆ / - / • / ▌ / ★), else None."""
    ch = text[:1]
    if not ch or ch in _OPENERS or ch.isalnum() or _CJK.match(ch):
        return None
    return ch if unicodedata.category(ch)[0] in "SP" else None


def _marker(text: str) -> tuple[str, int | None, str, str | None]:
    """(marker key, number, rest, provider) of an opening line: the marker it starts with, "" when none."""
    key = ""
    symbol = _symbol(text)
    if symbol:
        text = text.lstrip(symbol).strip()
        key = f"bullet{symbol}"
    numbered = patterns.title_number(text)
    if numbered:
        return f"{key}num:{numbered[0]}", numbered[1], numbered[2], None
    m = _NUMBERING.match(text)
    if m:
        sig = (m.group("pre") or "") + "N" + (m.group("post").strip() or " ")  # Q3： / IV. / （3） keep their frame
        return f"{key}num:{sig}", patterns.numeral(m.group("n")), m.group("rest"), None
    m = _TAG.match(text)
    if m:
        tag = m.group("tag")
        unit = _unit_of(tag)
        return f"{key}tag", None, m.group("rest"), unit
    led = patterns.unit_prefix(text)
    if led:
        return f"{key}unit", None, led[1], _unit_of(led[0]) or led[0]
    m = _LABEL_COLON.match(text)
    if m and patterns.section_label(m.group("label")) is None:
        return f"{key}label:{m.group('label').lower()}", None, m.group("rest"), None
    return key, None, text, None


def _kind(lines: list[Line], i: int) -> str:
    """The kind of line an opening is, whatever it says: a heading level, bold, a one-cell table row, a page's or a
    slide's first line, the line under a "label N" marker."""
    line = lines[i]
    if line.md_level:
        return f"h{line.md_level}"
    if line.bold:
        return "bold"
    if line.table_row:
        return "box"
    if line.page_start:
        return "page"
    marker = _slide_marker(lines, i - 1) if i else None
    if marker:
        return f"after:{marker}"
    return "plain"


def _slide_marker(lines: list[Line], j: int) -> str | None:
    """The family of a "label N" line standing alone (幻灯片 3 / Slide 3 / 第3页 / P3) that heads what follows it."""
    text = lines[j].text.strip()
    numbered = patterns.title_number(text)
    if numbered and not numbered[2]:
        return numbered[0]
    m = re.fullmatch(r"(?P<label>[A-Za-z\u4e00-\u9fff]{1,6})\s*\d{1,3}(?:\s*/\s*\d{1,3})?", text)
    return f"{m.group('label')}N" if m else None


def _is_labelled(line: Line) -> bool:
    """A section label, a paragraph that runs in with one, or a question/answer marker."""
    text = patterns.strip_bullet(line.text)
    if patterns.section_label(text) or patterns.label_lead(text) or line.table_row and patterns.record_section(text):
        return True
    m = _LABEL_COLON.match(text)
    return bool(m and m.group("label").lower() in patterns.QA_MARKERS)


def _body(line: Line) -> bool:
    return not line.md_level and not line.bold and (patterns.ends_sentence(line.text) or len(line.text) > 60)


def _opening(lines: list[Line], i: int) -> _Opening | None:
    line = lines[i]
    text = line.text.strip()
    cells = patterns.table_cells(text) if line.table_row else []
    if line.table_row:
        if len(cells) != 1:
            return None
        text = cells[0]  # a one-cell table is a frame around a title
    if line.title_mark or not 2 <= len(text) <= _TITLE_MAX + 10:
        return None
    if patterns.provider_line(text) or line_provider(text) or patterns.is_source_line(text) \
            or patterns.TOC_LEADER.search(text) or patterns.BREADCRUMB.match(text) or _is_labelled(line) \
            or patterns.section_label(text) or _slide_marker(lines, i):
        return None
    key, number, rest, provider = _marker(text)
    rest = patterns.strip_bullet(rest).strip()
    title, trailing = title_provider(clean_title(rest))
    question = title.endswith(("？", "?"))
    core = title.rstrip("？?")
    if not 2 <= len(core) <= _TITLE_MAX or patterns.ends_sentence(core) or re.search(r"[。；;！!]", core) \
            or patterns.section_label(title):
        return None
    if not any(_body(lines[j]) or _is_labelled(lines[j]) for j in range(i + 1, min(len(lines), i + 1 + _FOLLOW))):
        return None
    kind = _kind(lines, i)
    keys = [f"{kind}|{key}", kind] + ([key] if key else [])
    first = i - 1 if kind.startswith("after:") else i
    return _Opening(i, first, tuple(dict.fromkeys(keys)), number, title, provider or trailing, question)


@dataclass
class _Block:
    opening: _Opening
    end: int  # first line after the block
    labelled: bool
    provider: tuple[str, int] | None
    body: int  # characters of running text


def _blocks(lines: list[Line], members: list[_Opening]) -> list[_Block]:
    ends = [m.first for m in members[1:]] + [len(lines)]
    out = []
    for m, end in zip(members, ends):
        labelled = any(_is_labelled(lines[j]) for j in range(m.line + 1, min(end, m.line + 1 + _LABEL_WINDOW)))
        provider = (m.provider, m.line) if m.provider else _block_provider(lines, m.line + 1, end)
        body = sum(len(lines[j].text) for j in range(m.line + 1, end) if _body(lines[j]))
        out.append(_Block(m, end, labelled, provider, body))
    return out


def _evaluate(lines: list[Line], key: str, members: list[_Opening]) -> tuple[tuple[int, ...], list[_Block]] | None:
    blocks = _blocks(lines, members)
    blocks = [b for b in blocks if b.body or b.labelled]  # a line with nothing of its own under it opens nothing
    blocks = _blocks(lines, [b.opening for b in blocks])
    explained = [b.labelled or b.provider is not None for b in blocks]
    if len(blocks) >= 2 and not explained[0] and 2 * sum(explained[1:]) >= len(blocks) - 1:
        # The document's title or an introduction's heading, shaped like the case titles: its siblings are explained
        blocks = _blocks(lines, [b.opening for b in blocks[1:]])
        explained = explained[1:]
    k, e = len(blocks), sum(explained)
    if k < 2 or not (2 * e >= k or k >= 3 and all(b.body >= _LONG_BODY for b in blocks)
                     and _bare_blocks(lines, key, blocks)):
        return None
    questions = sum(b.opening.question for b in blocks)
    specific = ("|" in key and not key.endswith("|")) + (not key.startswith("plain"))
    return (2 * e - k, -questions, e, specific, k), blocks


def _bare_blocks(lines: list[Line], key: str, blocks: list[_Block]) -> bool:
    """Whether long bodies alone may make cases of these blocks: their openings have a marker or a kind of their own,
    their numbers (if any) count upwards, and no section label stands between them (in a plan, 一、总体要求 and
    二、主要任务 label the document's parts, and the numbered items under them are no cases)."""
    if key in ("plain", "plain|") or key.startswith("plain|label:"):
        return False
    numbers = [b.opening.number for b in blocks if b.opening.number is not None]
    if any(a >= b for a, b in zip(numbers, numbers[1:])):
        return False
    return not any(patterns.section_label(lines[j].text) for j in range(blocks[0].opening.first, len(lines)))


def _block_cases(lines: list[Line]) -> Segmented | None:
    """Blocks that repeat like cases: their opening lines share a shape and their blocks are explained."""
    families: dict[str, list[_Opening]] = {}
    for i in range(len(lines)):
        opening = _opening(lines, i)
        if opening:
            for key in opening.keys:
                families.setdefault(key, []).append(opening)
    best: tuple[tuple[int, ...], str, list[_Block]] | None = None
    for key, members in families.items():
        evaluated = _evaluate(lines, key, members)
        if evaluated and (best is None or evaluated[0] > best[0]):
            best = (evaluated[0], key, evaluated[1])
    if best is None:
        return None
    _, key, blocks = best
    boundaries = []
    for b in blocks:
        m = b.opening
        provider = b.provider[0] if b.provider else None
        body = m.line + 1
        if b.provider and b.provider[1] == body and body < b.end - 1:
            body += 1  # the provider line under the title is no body text
        boundaries.append(Boundary(0, m.title, provider, m.first, body, b.end - 1))
    _number(boundaries, [b.opening.number for b in blocks])
    return Segmented(boundaries, f"fallback: blocks opening with {key!r}")
