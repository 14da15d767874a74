"""Case boundaries: which lines open a case, whatever the layout.

One mechanism, in four steps:
  1. Candidates. Lines that could open a case: a markdown/Word heading, a wholly bold line, a
     line opening with a title numbering (1. / 一、 / （一） / （1） / 案例一： / 【案例3】 / 第一篇, or
     any short label and a number: 典型案例1　… / 【典型案例】01 … / Case 2: … / CASE IX, the title on
     the next line when the number stands alone), a line opening with a bullet symbol (◆ …), a dated
     item's header (【2023-11-05】标题), any title-like line directly followed by a provider line
     (（X提供） / （X片区） / 报送单位：X / 牵头单位：X；参与单位：Y / 案例编号：… ｜ 申报单位：X / 来源：X),
     which anchors it, and the title field of a form (| 案例名称 | X |: a table whose first column holds
     labels is a case record, its provider a | 申报单位 | X | row of it, its other label rows sections).
     A section label (section_labels.txt, bullets and numbering aside), a sentence, a TOC row, any
     other table row, a caption (表1 …) or the document title is never a candidate.
  2. Families. Candidates group into sibling families: the same numbering pattern (at any heading
     depth, since converters put titles at random depths; per depth as well; a label of its own is a
     pattern of its own), or, unnumbered, the same heading depth / bold / bullet symbol, forms with
     forms, dated items with dated items. A family loses the rows of lists (a TOC, an introduction
     naming every case: consecutive titles with nothing between; a title that occurs again further
     down), the document head (masthead and title above the first paragraph) and titles with no body.
     Dated items keep only those with a case's sections inside: a bulletin dates and signs news and
     cases alike, and its news items (each still ending the case before it) are the document's own text.
  3. Evidence. A member is explained by a provider line: right under its title (the anchor), or
     after its body, just before the next member (—— X, 报送单位：X, （X提供）); by a provider glued to
     the end of its title (标题（X片区） / 标题【X片区】); or by the unit leading its title (X片区：标题)
     when at least half its siblings are led the same way. It has structure when a section label or a
     sub-heading opens a section inside it. A numbered family must count upwards (gaps allowed) unless
     providers anchor it: numbering that restarts is a section's.
     A （来源：…） line ending a body explains a boundary too, though it names a source, not a provider.
  4. Choice. Accepted: a family that names cases (案例N / 【案例N】 / 第N… / a label naming cases,
     典型案例 / Case, counting upwards); one that provider lines explain (at least half its members; a
     lone plain, unnumbered title needs sections inside it too); two or more headings or numbered titles
     with structure inside at least half of them; or, weakest, two or more real headings (markdown /
     Word) or bullet lines over a paragraph each (a run of short bullet lines is a list, not cases). The
     accepted family explaining the most members wins (providers, then naming, then structure, then
     size), ties going to headings, then to the outer heading level.
Numbers are the title's own (3, 5, 8 kept as printed; 一二三 → 1 2 3; 01 → 1; IX → 9), else the listing's, else
order. The first member is dropped when it is the document's title styled like the cases (above the first
paragraph, no provider where its siblings have one); headings that group cases (一、贸易便利化类)
right above the next case are left out of the case before them, and so are they with a line or two of
introduction when they form a family of their own that ranks above the cases (第一部分, 第二部分 …). How the
cases end tells where the document's own closing block starts: after the last of a family of bullet lines, a
line under another bullet that no case uses (■ 年度工作展望); when every case ends with its provider line, what
follows the last one's (an afterword); when every case is a form and nothing else, the first line after the
last form (附：联系人名单 and its table); when the cases are headings and none holds a heading of their level, the
next such heading after the last case (附件 boxed like the case titles). When every case ends with its provider line,
the last one's is found above the document's signature.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ingest import patterns
from ingest.clean import Line


@dataclass
class Candidate:
    first: int  # first title line
    last: int  # last title line (a title can be cut over two lines)
    family: str  # numbering family (patterns.TITLE_NUMBERING), "" when unnumbered
    number: int | None
    title: str
    level: int  # markdown / Word heading depth, 0 when none
    bold: bool
    provider: str | None = None  # named under the title (the anchor) or at the title's end
    provider_line: int | None = None  # the anchoring provider line
    listed: bool = False  # a row of a TOC or of an introduction's list
    bullet: str = ""  # the symbol an unnumbered bulleted title opens with (◆ 标题)
    unit: tuple[str, str] | None = None  # (unit, rest) of a title led by its unit: 星港片区：标题
    record: bool = False  # the title field of a form: | 案例名称 | 标题 |, the case being the table it opens
    dated: bool = False  # a dated item's header: 【2023-11-05】标题
    stop: int | None = None  # where its text ends when an item that is no case follows it (a dated news item)

    @property
    def heading(self) -> bool:
        return self.level > 0 or self.bold or self.record  # a form's title field is as marked as a heading


@dataclass
class Boundary:
    """A case as found: where its title starts, where its body starts, and what it is called."""

    number: int
    title: str
    provider: str | None
    first_line: int
    body_line: int
    last_line: int  # inclusive; headings of a grouping level right before the next case are left out


@dataclass
class Found:
    """The family chosen as the case level, its cases in order, and a name for the layout."""

    boundaries: list[Boundary]
    layout: str
    closing: int | None = None  # first line of a closing block after the last case (the document's, not the case's)
    # (first line, last line, headline) of the items between cases that are no cases (dated news): the document's
    items: list[tuple[int, int, str]] = field(default_factory=list)


def compact(text: str) -> str:
    """Comparison key for titles: no spaces, punctuation or bracket-width differences."""
    return re.sub(r"[\s\W_]+", "", text)


def clean_title(text: str) -> str:
    return re.sub(r"\s{2,}", " ", text).strip()


_SENTENCE_INSIDE = re.compile(r"[。！？；!?;]")


def is_title_like(text: str, limit: int = 80) -> bool:
    """Short, no sentence in it, not a TOC row, a provider line or a source line."""
    return (
        2 <= len(text) <= limit
        and not patterns.ends_sentence(text)
        and not _SENTENCE_INSIDE.search(text)
        and not patterns.TOC_LEADER.search(text)
        and not patterns.is_source_line(text)
        and not patterns.provider_of(text)
    )


def is_body(line: Line) -> bool:
    """A paragraph of running text (or a table row), as opposed to a heading or a title."""
    if line.md_level or line.bold or line.title_mark:
        return False
    return line.table_row or patterns.ends_sentence(line.text) or len(line.text) > 60


def _split_inline_provider(text: str) -> tuple[str, str | None]:
    m = patterns.INLINE_PROVIDER.search(text)
    if not m or m.start() == 0:
        return text, None
    who = m.group("who") or m.group("who2")
    return text[: m.start()].rstrip(), who[: -len("提供")] if who.endswith("提供") else who


# ---------------------------------------------------------------- 1. candidates


def _plain_title_like(text: str) -> bool:
    """What the provider anchor accepts above a provider line (the titles of 001/004 are plain lines)."""
    return (
        is_title_like(text)
        and not patterns.is_heading_line(text)
        and not patterns.INLINE_PROVIDER.search(text)
        and not _BRACKETED.fullmatch(text)  # （2024年第1批报送）: a note under a title, no part of one
        and patterns.section_label(text) is None
    )


_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")


def _title_lines(lines: list[Line], provider_at: int, floor: int) -> list[int]:
    """The lines right above a provider line that make up the case title (at most two)."""
    picked: list[int] = []
    i = provider_at - 1
    while i >= floor and len(picked) < 2:
        line = lines[i]
        text = line.text
        numbered = patterns.title_number(text)
        listed = patterns.TOC_LEADER.search(text) or patterns.INLINE_PROVIDER.search(text)
        plain = _plain_title_like(text)
        if line.table_row or line.title_mark or listed or patterns.section_label(text):
            break
        if not (plain or numbered and is_title_like(text)):
            break
        if picked and (line.md_level or line.bold):
            break  # a heading is a whole title: it does not continue a plain line
        picked.insert(0, i)
        if numbered or line.md_level or line.bold:
            break
        if _SUBTITLE.match(text) and i - 1 >= floor and (lines[i - 1].md_level or lines[i - 1].bold) \
                and is_title_like(lines[i - 1].text):
            return [i - 1]  # ——… under a heading is its subtitle: the heading is the title
        if line.gap_before and len(picked) == 1 and not _continues_above(lines, i, floor):
            break
        i -= 1
    return picked


_SUBTITLE = re.compile(r"^(?:——|—|--)\s*\S")


def _continues_above(lines: list[Line], i: int, floor: int) -> bool:
    """A title cut in two by the conversion: the line above has no gap and is title-like."""
    return i - 1 >= floor and not lines[i].gap_before and _plain_title_like(lines[i - 1].text)


def _candidate(lines: list[Line], first: int, last: int) -> Candidate | None:
    """The candidate made of title lines first..last, or None when they cannot open a case."""
    line = lines[first]
    text = clean_title("".join(lines[j].text for j in range(first, last + 1)))
    symbol = patterns.bullet(text) or ""
    text = patterns.strip_bullet(text)
    headline = patterns.dated_headline(text)
    text = headline or text
    numbered = None if headline else patterns.title_number(text)  # the date marks the item: 1—5月… is its text
    family, number, rest = numbered if numbered else ("", None, text)
    if patterns.names_case(family) and not rest and last + 1 < len(lines) \
            and is_title_like(lines[last + 1].text) and not lines[last + 1].title_mark:
        last += 1  # 【案例3】 alone on its line, the title on the next
        rest = patterns.strip_bullet(clean_title(lines[last].text))
    title, inline = _split_inline_provider(rest)
    title = title.rstrip("：:")
    limit = 80 if line.md_level or line.bold or patterns.names_case(family) else 60
    if not is_title_like(title, limit) or patterns.section_label(text) or patterns.section_label(title) \
            or patterns.is_caption(text):
        return None
    return Candidate(first, last, family, number, clean_title(title), line.md_level, line.bold, provider=inline,
                     bullet="" if family else symbol, unit=None if inline else patterns.unit_prefix(clean_title(title)),
                     dated=headline is not None)


def _record(lines: list[Line], i: int) -> Candidate | None:
    """The row of a form (a table whose first column holds labels) that names its case: | 案例名称 | 标题 |. The case
    starts with its table, when the text shows where the table starts (| 项目 | 内容 | above the title row)."""
    title = patterns.record_title(lines[i].text)
    if title is None or not is_title_like(title, 80):
        return None
    first = i
    while first > 0 and not lines[first].gap_before and lines[first - 1].table_row:
        first -= 1
    return Candidate(first, i, "", None, clean_title(title), 0, False, record=True)


def candidates(lines: list[Line]) -> dict[int, Candidate]:
    """Every line that could open a case, by its first line."""
    found: dict[int, Candidate] = {}
    covered = -1  # last line of the previous candidate's title
    for i, line in enumerate(lines):
        record = _record(lines, i) if line.table_row else None
        if record:
            found[record.first] = record
            continue
        if i <= covered or line.title_mark or line.table_row \
                or not (line.md_level or line.bold or patterns.title_number(patterns.strip_bullet(line.text))
                        or patterns.bullet(line.text) or patterns.dated_headline(line.text)):
            continue
        candidate = _candidate(lines, i, i)
        if candidate:
            found[i] = candidate
            covered = candidate.last
    # Provider lines anchor the title above them; that is how plain-text titles are found at all.
    floor = 0
    for i, line in enumerate(lines):
        provider = patterns.provider_line(line.text)
        if not provider:
            continue
        who, form = provider
        title_at = _title_lines(lines, i, floor) if form != "dash" else []  # —— X only ever follows a body
        floor = i + 1
        if not title_at:
            continue
        owner = next((c for c in found.values() if c.first < title_at[0] <= c.last), None)
        if owner is not None and owner.last == title_at[-1]:
            owner.provider, owner.provider_line = who, i  # 【案例3】 on its own line, the title under it
            continue
        candidate = found.get(title_at[0])
        if candidate is None or candidate.last != title_at[-1]:
            candidate = _candidate(lines, title_at[0], title_at[-1])
        if candidate is None:
            continue
        candidate.provider, candidate.provider_line = who, i
        for j in range(title_at[0] + 1, title_at[-1] + 1):
            found.pop(j, None)
        found[title_at[0]] = candidate
    _mark_listed(found)
    return dict(sorted(found.items()))


def _mark_listed(found: dict[int, Candidate]) -> None:
    """Rows of a TOC or of an introduction that names every case are listings, not cases."""
    ordered = sorted(found.values(), key=lambda c: c.first)
    for a, b in zip(ordered, ordered[1:]):
        if b.first == a.last + 1 and a.family and a.family == b.family and not a.level and not b.level \
                and a.provider_line is None and b.provider_line is None:
            a.listed = b.listed = True  # consecutive numbered titles with nothing between them
    last_seen: dict[str, int] = {}
    for c in ordered:
        last_seen[compact(c.title)] = c.first
    for c in ordered:
        if last_seen[compact(c.title)] != c.first:
            c.listed = True  # the same title again further down: this one was the introduction's


# ---------------------------------------------------------------- 2. families


def _family_keys(c: Candidate) -> list[tuple[str, str]]:
    if c.record:
        return [("", "record")]
    if c.dated:
        return [("", "dated")]
    if patterns.names_case(c.family):
        return [(c.family, "")]
    if c.bullet:
        # ◆ 标题: siblings are the lines opening with the same symbol (at the same heading depth, if any)
        return [("", f"bullet{c.bullet}")] + ([("", f"h{c.level}")] if c.level else [("", "bold")] if c.bold else [])
    if c.family:
        keys = [(c.family, "heading" if c.heading else "plain")]
        if c.level:
            keys.append((c.family, f"h{c.level}"))
        return keys
    if c.level:
        return [("", f"h{c.level}")]
    return [("", "bold" if c.bold else "plain")]


def families(found: dict[int, Candidate]) -> dict[tuple[str, str], list[Candidate]]:
    grouped: dict[tuple[str, str], list[Candidate]] = {}
    for c in found.values():
        if c.listed:
            continue
        for key in _family_keys(c):
            grouped.setdefault(key, []).append(c)
    return grouped


# ---------------------------------------------------------------- 3. evidence


@dataclass
class _Evaluated:
    key: tuple[str, str]
    members: list[Candidate]
    head: list[tuple[str, int] | None]  # provider named a few lines under a title (after a table, a subtitle)
    tail: list[tuple[str, int] | None]  # provider named after each member's body, and its line
    score: tuple[int, ...]


_CASE_BODY = 80  # characters of running text under a title, at the least, for headings alone to open cases


def _first_body(lines: list[Line]) -> int:
    return next((i for i, line in enumerate(lines) if is_body(line)), len(lines))


def _in_head(lines: list[Line], c: Candidate, head_end: int) -> bool:
    """A masthead or the document's title: above the first paragraph, followed by a further title."""
    if c.first >= head_end:
        return False
    for j in range(c.last + 1, head_end):
        line = lines[j]
        if (line.md_level or line.bold) and not patterns.title_number(line.text) \
                and patterns.section_label(line.text) is None:
            return True
    return False


def _has_body(lines: list[Line], start: int, end: int) -> bool:
    return any(is_body(lines[j]) for j in range(start, end))


def _head_provider(lines: list[Line], start: int, end: int) -> tuple[str, int] | None:
    """A provider line in the first lines under a title, before its first paragraph, or in any row of a table
    that starts under it (| 报送单位 | X |; a form names its 申报单位 wherever its rows put it)."""
    table = True  # every line so far a table row
    for j in range(start, end):
        table = table and lines[j].table_row
        if j >= start + 4 and not table:
            break
        found = patterns.provider_line(lines[j].text)
        if found and found[1] != "dash":
            return found[0], j
        if is_body(lines[j]) and not lines[j].table_row:
            break
    return None


def _tail_provider(lines: list[Line], start: int, end: int) -> tuple[str, int] | None:
    """A provider line among the last two lines before the next case (after this case's body)."""
    for j in range(end - 1, max(start, end - 2) - 1, -1):
        found = patterns.provider_line(lines[j].text)
        if found:
            return found[0], j
    return None


def _ends_with_source(lines: list[Line], start: int, end: int) -> bool:
    """（来源：…） closing a body: a boundary as telling as a provider line, though it names a source, not a provider."""
    return any(patterns.is_source_line(lines[j].text) for j in range(max(start, end - 2), end))


def _body_chars(lines: list[Line], start: int, end: int) -> int:
    return sum(len(lines[j].text) for j in range(start, end) if is_body(lines[j]))


def _opens_sections(c: Candidate, text: str) -> bool:
    """A numbered line opens sub-sections of the candidate when its numbering starts there (一、 / （一） /
    1. numbered one). 三、保障措施 inside a （二） span continues an outer list and closes the span instead."""
    numbered = patterns.title_number(text)
    return numbered is None or numbered[1] == 1 and numbered[0] != c.family


def _structured(lines: list[Line], c: Candidate, start: int, end: int) -> bool:
    """Sections inside: a label (背景 / 做法 …), a sub-list of headings, or a deeper heading."""
    for j in range(start, end):
        line = lines[j]
        text = line.text
        if (patterns.section_label(text) or patterns.run_in_label(text, line.bold_lead)
                or line.table_row and patterns.record_section(text)) and _opens_sections(c, text):
            return True
        if patterns.is_heading_line(text) and is_title_like(text) and _opens_sections(c, text):
            return True
        if line.md_level and (not c.level or line.md_level > c.level):
            return True
    return False


def _ends(members: list[Candidate], lines: list[Line]) -> list[int]:
    """Where each member's text ends: at the next member, or earlier where an item that is no case starts."""
    nexts = [nxt.first for nxt in members[1:]] + [len(lines)]
    return [min(c.stop, end) if c.stop is not None else end for c, end in zip(members, nexts)]


def _dated_cases(lines: list[Line], members: list[Candidate]) -> list[Candidate]:
    """The dated items that are cases: those with a case's sections (背景 / 做法 / 成效). A bulletin dates news and
    cases alike and signs both, so neither the date nor the signature tells; each item still ends where the next
    dated item starts, case or not."""
    return [replace(c, stop=end) for c, end in zip(members, _ends(members, lines))
            if _structured(lines, c, c.last + 1, end)]


def _members(key: tuple[str, str], members: list[Candidate], lines: list[Line]) -> list[Candidate]:
    """The family without what only looks like a sibling: unanchored plain lines, the document head,
    and titles with nothing under them."""
    family, kind = key
    if kind == "plain" and any(c.provider for c in members):
        # Plain lines open cases only where a provider anchors them; a numbered body line does not.
        members = [c for c in members if c.provider]
    head_end = _first_body(lines)
    members = [c for c in members if c.provider or family or not _in_head(lines, c, head_end)]
    return [c for c, end in zip(members, _ends(members, lines)) if c.provider or _has_body(lines, c.last + 1, end)]


def _providers(members: list[Candidate], lines: list[Line]) -> tuple[list[tuple[str, int] | None], ...]:
    """For each member, a provider line a few lines under its title, and one after its body."""
    ends = _ends(members, lines)
    heads = [_head_provider(lines, c.last + 1, end) if c.provider is None else None for c, end in zip(members, ends)]
    tails = [_tail_provider(lines, c.last + 1, end) if c.provider is None and h is None else None
             for c, h, end in zip(members, heads, ends)]
    if len(members) >= 2 and tails[-1] is None and heads[-1] is None and members[-1].provider is None \
            and all(t is not None and t[1] == end - 1 for t, end in zip(tails[:-1], ends[:-1])):
        # Every case ends with its provider line, so the last one does too, though the document's signature
        # (the office, a date) may follow it: the provider is among the short lines after the last paragraph.
        tails[-1] = _provider_before_signature(lines, members[-1].last + 1, ends[-1])
    return heads, tails


def _provider_before_signature(lines: list[Line], start: int, end: int) -> tuple[str, int] | None:
    """The last provider line after the last paragraph of start..end, else None."""
    for j in range(end - 1, start - 1, -1):
        if is_body(lines[j]):
            return None
        found = patterns.provider_line(lines[j].text)
        if found:
            return found[0], j
    return None


def _units_as_providers(members: list[Candidate]) -> list[Candidate]:
    """Titles led by their unit (甲片区：标题) when siblings repeat the form: the unit is the provider."""
    led = [c for c in members if c.unit and not c.provider]
    if len(members) < 2 or 2 * len(led) < len(members):
        return members
    return [replace(c, title=c.unit[1], provider=c.unit[0]) if c in led and c.unit else c for c in members]


def _bodies(lines: list[Line], members: list[Candidate]) -> list[int]:
    """The body text each member owns, in characters, up to the next member."""
    return [_body_chars(lines, c.last + 1, end) for c, end in zip(members, _ends(members, lines))]


def _evaluate(key: tuple[str, str], members: list[Candidate], lines: list[Line]) -> _Evaluated | None:
    family = key[0]
    members = _units_as_providers(_members(key, members, lines))
    if key[1] == "dated":
        members = _dated_cases(lines, members)
    if not members:
        return None
    bulleted = key[1].startswith("bullet")
    if bulleted and (len(members) < 2 or min(_bodies(lines, members)) < _CASE_BODY):
        return None  # ◆ lines with little or nothing under each are a list, not cases
    heads, tails = _providers(members, lines)
    ends = _ends(members, lines)
    explained = [bool(c.provider or h or t) or _ends_with_source(lines, c.last + 1, end)
                 for c, h, t, end in zip(members, heads, tails, ends)]
    first = members[0]
    if len(members) >= 2 and not explained[0] and 2 * sum(explained[1:]) >= len(members) - 1 \
            and not first.family and first.first < _first_body(lines):
        # The document's title, at the top and styled like the case titles under it: every sibling
        # names its provider, it names none.
        members, heads, tails, explained = members[1:], heads[1:], tails[1:], explained[1:]
    k = len(members)
    anchored = sum(1 for c in members if c.provider)
    structured = sum(1 for c, end in zip(members, _ends(members, lines)) if _structured(lines, c, c.last + 1, end))
    numbers = [c.number for c in members if c.number is not None]
    increasing = all(a < b for a, b in zip(numbers, numbers[1:]))
    # A label that names cases (案例一 / 典型案例1 / Case 2) is evidence by itself; a label of its own
    # (典型案例N) only when its numbers count upwards.
    strong = patterns.names_case(family) and (patterns.labelled_family(family) is None or increasing)
    headings = sum(1 for c in members if c.heading)
    if family and not strong and not increasing and 2 * anchored < k:
        return None  # numbering that restarts belongs to sections
    if k == 1 and not family and not members[0].heading and not structured:
        # One provider line under one plain line could be anything (a newsletter masthead over （X片区）,
        # a notice's title): a case saved or scanned on its own also needs a numbered title, a heading
        # or sections inside it.
        return None
    by_providers = 2 * sum(explained) >= k and any(explained)
    by_structure = k >= 2 and (family or 2 * headings >= k) and 2 * structured >= k
    # The weakest evidence: two or more real headings (markdown / Word, not bold) of one level or
    # numbering, each over a paragraph or more. A digest of short items has nothing else to go by.
    by_headings = k >= 2 and (bulleted or all(c.level for c in members)) and min(_bodies(lines, members)) >= _CASE_BODY
    if not (strong or by_providers or by_structure or by_headings):
        return None
    level = min((c.level for c in members if c.level), default=0)
    # Ties go to the family of headings (a heading over a subtitle line), then to the outer heading level.
    score = (sum(explained), int(strong), structured, k, headings, -level)
    return _Evaluated(key, members, heads, tails, score)


# ---------------------------------------------------------------- 4. choice


def find_cases(lines: list[Line]) -> Found | None:
    """The case boundaries of a document, or None when no family of titles repeats or is anchored."""
    found = candidates(lines)
    best: _Evaluated | None = None
    for key, members in families(found).items():
        evaluated = _evaluate(key, members, lines)
        if evaluated and (best is None or evaluated.score > best.score):
            best = evaluated
    if best is None:
        return None
    members, heads, tails = best.members, best.head, list(best.tail)
    if not any(heads):
        _shift_if_providers_precede_titles(lines, members, tails)
    listing = _listing(lines, found, members[0].first)
    groups = _group_headings(lines, found, members)
    boundaries = []
    ends = _ends(members, lines)
    for order, (c, head, tail, end) in enumerate(zip(members, heads, tails, ends), start=1):
        listed_number, listed_provider = listing.get(compact(c.title), (None, None))
        number = c.number if c.number is not None else listed_number if listed_number is not None else order
        provider = c.provider or (head or tail or (listed_provider, None))[0]
        provider = patterns.lead_unit(provider) if provider else provider
        body = c.last + 1
        if c.provider_line == c.last + 1:
            body = c.provider_line + 1  # the provider line under the title is no body text (a subtitle between would be)
        elif head and head[1] == c.last + 1 and not lines[head[1]].table_row:
            body = head[1] + 1
        last = end - 1
        group = max((g for g in groups if body < g < end), default=None)
        if group is not None and (tail is None or tail[1] < group):
            last = group - 1  # 第二部分 … and its one-line introduction open the next group, not this case's text
        while end < len(lines) and last > body and last in found and not found[last].listed and (tail is None or tail[1] < last):
            last -= 1  # 二、金融开放类 right above the next case heads a group of cases, not this case's text
        boundaries.append(Boundary(number, c.title, provider, c.first, min(body, last + 1), last))
    closing = _closing(lines, best.key, members, boundaries[-1], tails, ends)
    if closing is not None:
        boundaries[-1].last_line = closing - 1
    return Found(boundaries, _describe(best.key, members, heads, tails), closing, _other_items(lines, found, best))


def _other_items(lines: list[Line], found: dict[int, Candidate], best: _Evaluated) -> list[tuple[int, int, str]]:
    """The dated items after the first case that are no cases (news): (first line, last line, headline)."""
    if best.key[1] != "dated":
        return []
    cases = {c.first for c in best.members}
    dated = [c for c in found.values() if c.dated and not c.listed]
    return [(c.first, end - 1, c.title) for c, end in zip(dated, _ends(dated, lines))
            if c.first not in cases and c.first > best.members[0].first]


_GROUP_INTRO = 2  # lines a group heading may carry before its first case (本组收录N个案例…)


def _group_headings(lines: list[Line], found: dict[int, Candidate], members: list[Candidate]) -> set[int]:
    """Headings that group cases: the members of a family of their own, two or more, each followed within a short
    introduction by a case title, and ranking above the cases: numbered upwards through the document (第一部分,
    第二部分 …), or unnumbered headings of an outer level. A sub-heading inside a case is not: its siblings stand
    inside case bodies, and their numbering starts over in every case."""
    firsts = sorted(c.first for c in members)
    case_level = min((c.level for c in members if c.level), default=0)
    groups: set[int] = set()
    for siblings in families(found).values():
        family = [c for c in siblings if c.first not in firsts]
        if len(family) < 2:
            continue
        numbers = [c.number for c in family]
        outer = all(a is not None and b is not None and a < b for a, b in zip(numbers, numbers[1:])) if family[0].family \
            else bool(case_level) and all(0 < c.level < case_level for c in family)
        if outer and all(_opens_group(lines, found, c, firsts) for c in family):
            groups |= {c.first for c in family}
    return groups


def _opens_group(lines: list[Line], found: dict[int, Candidate], c: Candidate, firsts: list[int]) -> bool:
    """Whether a case title follows the heading within a short introduction of plain paragraphs."""
    nxt = next((f for f in firsts if f > c.last), None)
    if nxt is None or nxt - c.last - 1 > _GROUP_INTRO:
        return False
    return all(j not in found and is_body(lines[j]) and not lines[j].table_row and patterns.section_label(lines[j].text)
               is None and not patterns.label_lead(lines[j].text) for j in range(c.last + 1, nxt))


def _closing(lines: list[Line], key: tuple[str, str], members: list[Candidate], last: Boundary,
             tails: list[tuple[str, int] | None], ends: list[int]) -> int | None:
    """Where the document's own closing block starts after the last case, told by how its siblings end: after the
    last of the ◆ cases, at a line under a bullet no case uses; after the last provider line, when every case ends
    with one; after the last form, when every case is a form and nothing else."""
    if key[1].startswith("bullet") and tails[-1] is None:
        return _closing_bullet(lines, members, last)
    if key[1] == "record":
        return _closing_after_form(lines, members, ends)
    signed = _closing_after_signature(tails, ends)
    return signed if signed is not None else _closing_heading(lines, members, last)


def _closing_heading(lines: list[Line], members: list[Candidate], last: Boundary) -> int | None:
    """After the last case, a heading as marked as the case titles (their level or an outer one, 附件 in a banner like
    the titles' banners) when no earlier case holds such a heading: a sibling of the cases that is none of them."""
    level = max((c.level for c in members), default=0)
    if not level or any(not c.level for c in members):
        return None

    def outer(j: int) -> bool:
        return 0 < lines[j].md_level <= level

    if any(outer(j) for c, nxt in zip(members, members[1:]) for j in range(c.last + 1, nxt.first)):
        return None
    return next((j for j in range(last.body_line, last.last_line + 1) if outer(j)), None)


def _closing_after_form(lines: list[Line], members: list[Candidate], ends: list[int]) -> int | None:
    """After the last of cases that are forms and nothing else: the first line that is no table row (附：联系人名单)."""
    if len(members) < 2 or any(not lines[j].table_row for c, end in zip(members[:-1], ends) for j in range(c.first, end)):
        return None
    return next((j for j in range(members[-1].first, ends[-1]) if not lines[j].table_row), None)


def _closing_after_signature(tails: list[tuple[str, int] | None], ends: list[int]) -> int | None:
    """Where the document's own closing block (an afterword) starts after the last case: every case ends with its
    provider line, so the lines after the last one's are no part of it."""
    if len(tails) < 2 or any(t is None or t[1] != end - 1 for t, end in zip(tails[:-1], ends[:-1])):
        return None
    last = tails[-1]
    return last[1] + 1 if last is not None and last[1] < ends[-1] - 1 else None


def _closing_bullet(lines: list[Line], members: list[Candidate], last: Boundary) -> int | None:
    """After the last ◆ case: a short line under another bullet (■ 年度工作展望) that no earlier case uses, so it is
    no section of the case above it."""
    inside = {patterns.bullet(lines[j].text) for c, nxt in zip(members, members[1:]) for j in range(c.last + 1, nxt.first)}
    for j in range(last.body_line, last.last_line + 1):
        symbol = patterns.bullet(lines[j].text)
        if symbol and symbol != members[-1].bullet and symbol not in inside \
                and is_title_like(patterns.strip_bullet(lines[j].text), 40):
            return j
    return None


def _describe(key: tuple[str, str], members: list[Candidate], heads: list[tuple[str, int] | None],
              tails: list[tuple[str, int] | None]) -> str:
    """The layout in words, e.g. "titles 1. (headings), providers under titles"."""
    family, kind = key
    what = {"heading": "headings", "plain": "lines", "bold": "bold lines", "record": "form tables",
            "dated": "dated items with sections", "": "titles"}.get(
        kind, f"{kind[len('bullet'):]} lines" if kind.startswith("bullet") else f"level-{kind[1:]} headings")
    side = "providers under titles" if any(c.provider_line is not None for c in members) or any(heads) else \
        "providers in titles" if any(c.provider for c in members) else \
        "providers after bodies" if any(tails) else "no provider lines"
    return f"titles {family or 'unnumbered'} ({what}), {side}"


def _shift_if_providers_precede_titles(lines: list[Line], members: list[Candidate],
                                       tails: list[tuple[str, int] | None]) -> None:
    """A layout that puts each provider line above its title: every tail belongs to the next case."""
    if not any(tails) or tails[-1] is not None or any(c.provider_line is not None for c in members):
        return
    before = _tail_provider(lines, 0, members[0].first)
    if before is None:
        return
    tails[1:] = tails[:-1]
    tails[0] = before


def _listing(lines: list[Line], found: dict[int, Candidate], until: int) -> dict[str, tuple[int | None, str | None]]:
    """Numbers and providers from a TOC or an introduction's list: title key → (number, provider)."""
    listing: dict[str, tuple[int | None, str | None]] = {}
    for line in lines[:until]:
        numbered = patterns.title_number(line.text)
        if numbered:
            title = patterns.TOC_LEADER.sub("", numbered[2])
            title, provider = _split_inline_provider(title)
            listing[compact(title)] = (numbered[1], provider)
    for c in found.values():
        if c.listed and compact(c.title) not in listing:
            listing[compact(c.title)] = (c.number, c.provider)
    return listing


_LEADER = re.compile(r"^[\s.…·．—–\-－_|｜:：]+")
_FIELD_NEXT = re.compile(r"^[\u4e00-\u9fff]{1,6}[：:]")  # 说明：… — the next field, run into the line by a PDF reader


def listed_providers(lines: list[Line], titles: list[tuple[str, int, int]]) -> dict[int, str]:
    """Providers a document gives only where it lists its cases again — a contents table (编号 | 案例名称 | 牵头单位),
    an index at its end (1. 标题……星港片区), an appendix table, a PDF's table whose cells come out a line each — by
    each case's title (title, its first line, its body line): the unit in another cell of the title's row, after the
    title on a line the title opens, or alone on the next line. Case k → provider, for the titles given."""
    keys = {k: compact(title) for k, (title, _, _) in enumerate(titles) if len(compact(title)) >= 4}
    own = {j for _, first, body in titles for j in range(first, body)}
    out: dict[int, str] = {}
    for i, line in enumerate(lines):
        if i in own:
            continue
        squeezed = compact(line.text)
        for k, key in keys.items():
            if k in out or key not in squeezed:
                continue
            who = _unit_beside(line.text.strip(), titles[k][0]) or _unit_line(lines, i + 1)
            if who:
                out[k] = patterns.lead_unit(who)
    return out


def _unit_beside(text: str, title: str) -> str | None:
    """The unit in another cell of the title's row, or after the title on a line it opens."""
    cells = patterns.table_cells(text)
    if cells:
        key = compact(title)
        return next((c for c in cells if key not in compact(c) and patterns.is_unit(c)), None)
    numbered = patterns.title_number(text)
    head = _LEADER.sub("", numbered[2] if numbered else text)
    if not head.startswith(title):
        return None  # a sentence that quotes the title names no provider beside it
    rest = _LEADER.sub("", head[len(title):])  # ……星港片区 / ｜星港海关 / — 星港市商务局
    rest = re.sub(r"[\s.…·]+\d{1,3}$", "", rest).strip("（）()【】［］[] ")  # a page number after it
    if patterns.is_unit(rest):
        return rest
    # The longest unit the rest opens with, when the next field follows it: 星港片区管理委员会说明：…
    return next((rest[:end] for end in range(min(len(rest), 40), 1, -1)
                 if patterns.is_unit(rest[:end]) and _FIELD_NEXT.match(rest[end:])), None)


def _unit_line(lines: list[Line], i: int) -> str | None:
    """A line holding a unit's name and nothing else: the next cell of a table a PDF reader gave a line per cell."""
    if i >= len(lines):
        return None
    text = lines[i].text.strip()
    return text if patterns.is_unit(text) else None
