"""The asks of a question: each thing it wants answered, with the kind of answer and the relation.

"一单申报现在几分钟能搞定？以前要多长时间？" asks two things: a time now (after) and a time before.
"What is the freight per container now, and what was it on the old route?" likewise. An answer that
quotes one sentence and stops answers half of it; later stages look for evidence per ask.

Everything here is a rule about how questions are phrased in Chinese and English — never about what
the documents say — and each rule has a table test with rows where it must not fire
(tests/test_query.py).
"""

from __future__ import annotations

import re

from assistant.lexicon.wordlists import units
from assistant.models import AnswerKind, Relation

# ---------------------------------------------------------------- clauses

# A clause asks when it has one of these (zh). 几 only before a measure word: 几乎 is "almost".
_WH_ZH = re.compile(r"多少|几(?:[个家项名位条座所只辆艘列次件票天年月日倍批种类笔份户人分秒]|个?小时|分钟|个?月|成|十|百|千|万|亿)"
                    r"|多大|多高|多长|多久|多远|多重|哪|什么|啥|何时|何地|为何|谁|怎样|怎么|如何|是否|有没有|吗[？?]?$|呢[？?]?$")
# Auxiliaries open a yes/no question only at the start of a clause ("Is there…?"), not in "was introduced".
_WH_EN = re.compile(r"\b(?:how|what|which|who|whom|whose|when|where|why)\b|^\s*(?:is|are|was|were|did|does|do|can|could|has|have)\b",
                    re.I)
# Clause breaks: question marks and semicolons always; commas and conjunctions only between two asking clauses.
_HARD_BREAK = re.compile(r"[？?；;]")
_SOFT_BREAK_ZH = re.compile(r"[，,、]|(?:以及|并且|同时|另外|还有|而且)")
_SOFT_BREAK_EN = re.compile(r",\s*(?:and\s+)?|\s+and\s+(?=(?:how|what|which|who|when|where|by how|by what|at what|in what|is|was|did|does)\b)"
                            r"|\s*\band\b\s+(?=(?:the|its|their)\s+\w+(?:\s+\w+)?\s+(?:is|was|were|are)\b)", re.I)


_BORROWING = re.compile(r"呢[？?。]?\s*$|\b(?:what|how)\s+about\b", re.I)


def asks_own_question(question: str, language: str) -> bool:
    """"那它的目标是多少？" / "And how long does it take?" ask a question of their own; "那四川的呢？" and
    "What about Sichuan?" only name a new topic and borrow the previous question."""
    return bool((_WH_ZH if language == "zh" else _WH_EN).search(_BORROWING.sub("", question)))


def _pieces(text: str, pattern: re.Pattern[str]) -> list[str]:
    return [p.strip(" ，,、:：") for p in pattern.split(text) if p and p.strip(" ，,、:：")]


def clauses(question: str, language: str) -> list[tuple[str, str]]:
    """The question split into asking clauses, each with its focus — the piece that holds the question word.
    A piece without one is context ("开通专线后，", "On the Kaifeng route,") and joins the next asking piece;
    a trailing one joins the last."""
    wh = _WH_ZH if language == "zh" else _WH_EN
    soft = _SOFT_BREAK_ZH if language == "zh" else _SOFT_BREAK_EN
    comma = "，" if language == "zh" else ", "
    out: list[tuple[str, str]] = []
    for part in _pieces(question, _HARD_BREAK):
        pending = ""
        for piece in _pieces(part, soft):
            if wh.search(piece):
                out.append((f"{pending}{comma}{piece}" if pending else piece, _predicate(piece, wh, language)))
                pending = ""
            else:
                pending = f"{pending}{comma}{piece}" if pending else piece
        if pending:
            if out and not wh.search(pending):
                clause, focus = out[-1]
                out[-1] = (f"{clause}{comma}{pending}", focus)  # trailing context
            else:
                out.append((pending, pending))
    return out or [(question, question)]


_CJK = re.compile(r"[\u4e00-\u9fff]")

# "带上几个关键数字", "with the key numbers": a summary asked to quote its figures, not a count or a figure of its own.
_FIGURES_PLEASE_ZH = re.compile(r"[，,]?\s*(?:请)?(?:带上|附上|给出|列出|说说|讲讲|包括|并给出|并列出)?(?:几个|一些|主要|相关)?"
                                r"(?:关键|主要|核心|具体)?(?:数字|数据|指标)(?=[。？！?!]*$)")
_FIGURES_PLEASE_EN = re.compile(r"[,;]?\s*\b(?:with|and|including|plus|give me|quote)\s+(?:the\s+|some\s+|a few\s+|its\s+)?"
                                r"(?:key\s+|main\s+|headline\s+|hard\s+)?(?:numbers|figures|stats|statistics|data)\b"
                                r"(?=[\s.?!,]*(?:please)?[\s.?!]*$)", re.I)


# "（不算国际转运）", "excluding transshipment": what the figure asked for must not be about.
_SET_ASIDE_ZH = re.compile(r"(?:不算|不包括|不包含|不含|除了|除去|排除|不计)([^，,。？?！!（）()]{2,12}?)(?=[）)，,。？?！!]|以外|之外|的|$)")
_SET_ASIDE_EN = re.compile(r"\b(?:excluding|not counting|other than|apart from|except(?: for)?|leaving out|without counting)\s+"
                           r"((?:the\s+)?[\w'-]+(?:\s+[\w'-]+){0,3}?)(?=\s*[),.;?!]|\s+(?:and|or|in|for|at)\b|$)", re.I)


def set_aside(question: str, language: str) -> str:
    """What the question excludes from the figure it asks ("自己出口（不算国际转运）" → 国际转运), or ''."""
    m = (_SET_ASIDE_ZH if language == "zh" else _SET_ASIDE_EN).search(question)
    return m.group(1).strip() if m else ""


def without_figure_request(question: str, language: str) -> str:
    """The question without a closing request to quote figures ("…，带上几个关键数字。", "…, with numbers?")."""
    return (_FIGURES_PLEASE_ZH if language == "zh" else _FIGURES_PLEASE_EN).sub("", question).strip() or question


def _predicate(piece: str, wh: re.Pattern[str], language: str) -> str:
    """The part of a Chinese piece that asks: "湖州综试区是哪一年经国务院批复设立的" asks about 批复设立; what stands
    before its 是 is the topic. (Taking what follows the question word instead — "多少家发生了贷款违约" — also
    takes colloquial verbs no document uses: "几分钟能搞定".)"""
    m = wh.search(piece)
    if language != "zh" or m is None:
        return piece
    j = piece.rfind("是", 0, m.start())
    if j <= 0:
        return piece
    rest = piece[j + 1 :]
    # "每吨运费是多少": nothing but the question word follows 是, so what is asked stands before it.
    return rest if len(_CJK.findall(wh.sub("", rest))) >= 2 else piece


_UNIT_ZH = re.compile(r"(?:多少|几)(个小时|个月|个工作日|工作日|万元|亿元|万吨|万标箱|平方米|平方公里|个百分点|车次|班次|架次|航次|艘次|人次|"
                      r"[个家项名位条座所只辆艘列次件票批种类笔份户人单张套台架天年月日秒吨元亩箱趟]|小时|分钟|标箱|公里)")
_UNIT_EN = re.compile(r"\bhow many ((?:[a-z-]+ ){0,2}[a-z-]+)|\bin ([a-z]+)\b(?=\s*\??$)|\bhow much ([a-z]+)\b", re.I)


def units_of(clause: str, language: str) -> list[str]:
    """The measure words a figure answering the clause is stated with: 多少列 → 列; "how many days" → 天/日."""
    if language == "zh":
        # 几个小时 is answered by "7 小时": the classifier 个 belongs to the question, not to the figure.
        return list(dict.fromkeys(u[1:] if u.startswith("个") and len(u) > 1 else u for u in _UNIT_ZH.findall(clause)))
    table = units()
    found: list[str] = []
    for m in _UNIT_EN.finditer(clause):
        words = (m.group(1) or m.group(2) or m.group(3) or "").lower().split()
        # "how many overseas arbitrators", "how many countries and regions": the counted nouns of the phrase
        # that are in the table (a two-word unit alone when there is one).
        candidates = [" ".join(words[i:i + 2]) for i in range(len(words) - 1)] + words[::-1]
        for key in candidates:
            forms = [key, key[:-1], key[:-2], key[:-3] + "y"] if key.endswith("s") else [key]
            hit = next((f for f in forms if f in table), None)
            if hit:
                found += table[hit]
                if " " in key:
                    break
    return list(dict.fromkeys(found))


# ---------------------------------------------------------------- what kind of answer

# Order matters: the first kind whose pattern matches wins.
_KINDS_ZH: list[tuple[AnswerKind, re.Pattern[str]]] = [
    ("date", re.compile(r"何时|什么时候|哪一?年|哪一?天|哪个月|几月|几号|哪个时间|什么时间(?!内)|时间是")),
    ("person", re.compile(r"(?:负责人|主任|院长|局长|研究员|董事长|总经理|市长|厅长|书记|专家|经理|主席|法官|仲裁员)"
                          r"[^，,。？?]{0,6}(?:是谁|叫什么|名字|姓名)|哪位|谁(?:是|担任|负责)")),
    ("name", re.compile(r"叫什么|名字|名称|谁(?![更较比多少快慢高低大小])|哪位|哪家|哪个(?:银行|企业|公司|平台|部门|机构|单位|协会|交易所|法院|港口)"
                        r"|哪些(?:银行|企业|公司|平台|部门|机构|单位|船运公司)|哪几(?:家|个|位)|什么(?:银行|企业|公司|平台|系统|产品|机构)")),
    ("percent", re.compile(r"百分之|比例|比重|占比|增速|增幅|增长率|(?:年均|平均)增长|同比|百分点|[%％]|几成")),
    ("time", re.compile(r"多长时间|多久|几(?:个)?(?:小时|分钟|天|月|工作日)|多少(?:个)?(?:小时|分钟|天|秒|工作日|年)|用时|耗时|时长|时间"
                        r"|缩短|提前|周期|时效")),
    ("money", re.compile(r"多少钱|[元费价]|成本|资金|金额|收入|投资|投入|贷款|融资|授信|税款|关税|税收|利润|收益|营收|销售额|交易额"
                         r"|保证金|担保|补贴|奖励|挣|货值")),
    ("quantity", re.compile(r"吨|公里|千米|标箱|TEU|平方|亩|立方|吞吐量|运量|货量|载重|面积|容量")),
    ("count", re.compile(r"多少(?:个|家|项|名|位|条|座|所|只|辆|艘|列|次|件|票|批|种|类|笔|份|户|人|单|张|套|台|架)"
                         r"|几(?:个|家|项|名|位|条|座|所|只|辆|艘|列|次|件|票|批|种|类|笔|份|户|人)|数量")),
    # "提高了多少" without a noun of its own kind (成本 → money, 时间 → time) asks by how much: a rate.
    ("percent", re.compile(r"提高了多少|增长了多少|下降了多少|降低了多少")),
    ("figure", re.compile(r"多少|几|多大|多高|多重|多快|多宽|多深")),
    ("text", re.compile(r"怎么|怎样|如何|什么|哪些|介绍|做法|措施|内容|作用|意义|为什么|为何|原因")),
]
_KINDS_EN: list[tuple[AnswerKind, re.Pattern[str]]] = [
    ("date", re.compile(r"\bwhen\b|what (?:year|date|month|day)|which (?:year|date|month|day)|\bon what date\b", re.I)),
    ("person", re.compile(r"\bwho (?:is|was|are|were|heads?|leads?|chairs?|runs?)\b(?!.*\b(?:provided|submitted|proposed)\b)"
                          r"|\bname of the (?:head|director|chairman|president|manager|researcher|official|person)\b"
                          r"|\bwhat is the name of the (?:head|director|chairman|researcher|person)\b", re.I)),
    ("name", re.compile(r"\bwho\b|\bwhom\b|\bwhose\b|which (?:bank|company|firm|enterprise|platform|agency|department|authority|"
                        r"institution|organi[sz]ation|exchange|court|operator|lender|insurer|university|port|association)"
                        r"|which (?:\w+ )?(?:brands?|manufacturers?|makers?|carriers?|airlines?)\b"
                        r"|what (?:bank|company|platform|product|system|agency|institution)\b|\bcalled\b|\bname[sd]?\b", re.I)),
    ("percent", re.compile(r"percent|percentage|\bshare\b|\bproportion\b|\brate\b|year[- ]on[- ]year|growth|\bby what\b|\bratio\b"
                           r"|how much of\b", re.I)),
    ("time", re.compile(r"how long|how many (?:\w+ )?(?:days|hours|minutes|seconds|months|weeks|years|working days)|how much time"
                        r"|how (?:quick|fast|soon)|\btime\b|(?<!per )(?<![-/])\b(?:days?|hours?|minutes?)\b|\bearlier\b|\bfaster\b|\bquicker\b|duration", re.I)),
    # "How many freight trains": a count, though "freight" is money elsewhere; not "how many yuan/tonnes".
    ("count", re.compile(r"\bhow many\b(?! (?:yuan|rmb|dollars|usd|euros?|tonnes?|tons?|teu|kilomet|km|square|mu\b))", re.I)),
    ("money", re.compile(r"\bcost|\bsav(?:e|ed|es|ing|ings)\b|\bcharge|\bfee|\bprice|\bspen[dt]|\bpa(?:y|id)\b|\bearn|\binvest|\bfund|"
                         r"\bloan|\bfinanc|\bcredit|\byuan\b|\brmb\b|\bmoney|\bworth\b|\bvalue\b|\brevenue|\bincome|\bfreight\b|"
                         r"\bfare\b|\btax|\bduties\b|\bduty\b|\bdeposit|\bguarantee|\bsubsid|\bprofit|\bturnover|\bbudget|\bamount\b", re.I)),
    # "capacity" and "volume" are counted in 件 as often as weighed in 吨: they ask for a figure of any kind.
    ("quantity", re.compile(r"\btons?\b|\btonnes?\b|\bteu\b|kilomet|\bkm\b|\bdistance\b|how far|square|\bhectares?\b|throughput|"
                            r"\barea\b(?= of)|\bmu\b", re.I)),
    ("count", re.compile(r"how many|\bnumber of\b|\bcount\b", re.I)),
    ("figure", re.compile(r"how much|what (?:is|was|were|are) (?:it|they|that)\b|\bwhat figure\b|\blevel\b", re.I)),
    ("text", re.compile(r"\bhow\b|\bwhat\b|\bwhich\b|\bwhy\b|describe|summari[sz]e|explain|\boverview\b", re.I)),
]


def kind_of(clause: str, language: str, elliptic: bool = False) -> AnswerKind:
    """What kind of answer a clause wants: money, time, count, percent, quantity, date, name or text.

    An elliptic clause ("那运费呢？") borrows its question from the previous turn, so the noun alone says
    what kind of figure it wants."""
    for kind, pattern in (_KINDS_ZH if language == "zh" else _KINDS_EN):
        if pattern.search(clause):
            if kind in ("money", "quantity", "percent", "time") and not (elliptic or _asks_amount(clause, language)):
                continue  # 成本 in "如何降低成本" is a topic, not a figure asked for
            return kind
    return "text"


_AMOUNT_ZH = re.compile(r"多少|几|多大|多高|多长|多久|多远|百分之|比例|比重|占比|增速|增幅|同比|[%％]|何时|时间是|时长")
_AMOUNT_EN = re.compile(r"how (?:many|much|long|large|big|fast|quick|soon|far|high)|what (?:\w+ ){0,3}(?:is|was|were|are|did)\b|"
                        r"by what|at what|what (?:percentage|share|proportion|rate|amount|value|volume|price|cost|fee|figure|number|level)"
                        r"|\bby how\b|\bfrom what\b|\bto what\b", re.I)


def _asks_amount(clause: str, language: str) -> bool:
    return bool((_AMOUNT_ZH if language == "zh" else _AMOUNT_EN).search(clause))


# ---------------------------------------------------------------- before / after

_AFTER_ZH = re.compile(r"现在|目前|如今|当前|改革后|实施后|之后|以后|后来|提升(?:到|至)|提高(?:到|至)|增加(?:到|至)|增长(?:到|至)"
                       r"|降(?:到|至|为)|减少(?:到|至)|缩短(?:到|至|为)|压缩(?:到|至|为)|精简(?:到|至|为)|减(?:到|至)|变为|达到")
_BEFORE_ZH = re.compile(r"原来|原先|原本|以前|之前|此前|过去|改革前|实施前|以往|曾经|最初|起初|原有|从前|往年|上一年|去年")
_CHANGE_ZH = re.compile(r"(?:提升|提高|增长|增加|减少|下降|降低|缩短|节约|节省|压缩|精简|减)了(?:多少|几)|增幅|降幅|增速|同比")
_AFTER_EN = re.compile(r"\bnow\b|\bcurrently\b|\btoday\b|\bafter\b|\b(?:on|under|with|via) the new\b|\b(?:reduced|cut|down|up|risen|rose|increased|fell|fallen|"
                       r"dropped|shortened|compressed|brought) to\b|\bto what\b|\bthese days\b", re.I)
_BEFORE_EN = re.compile(r"\bbefore\b|\bpreviously\b|\boriginally\b|\bused to\b|\bformerly\b|\bold\b|\bearlier\b(?! can| could| do)"
                        r"|\bprior\b|\bpreviou?s\b|\blast year\b|\bin the past\b|\bfrom what\b|\bwithout\b", re.I)
_CHANGE_EN = re.compile(r"\bby how much\b|\bby what\b|how much (?:faster|shorter|lower|higher|more|less|cheaper|quicker)|"
                        r"\b(?:increase|growth|grew|rise|drop|decline|reduction|cut|saving)\b", re.I)


def relation_of(clause: str, language: str) -> Relation:
    """Whether a clause asks for the value before a change, after it, or the change itself."""
    before, after, change = ((_BEFORE_ZH, _AFTER_ZH, _CHANGE_ZH) if language == "zh" else (_BEFORE_EN, _AFTER_EN, _CHANGE_EN))
    b, a = before.search(clause), after.search(clause)
    if b and not a:
        return "before"
    if a and not b:
        return "after"
    if change.search(clause):
        return "change"
    return ""


def from_to(clause: str, language: str) -> bool:
    """"从多少提升到多少" / "from what to what": one clause, two asks (before and after)."""
    if language == "zh":
        return bool(re.search(r"[从由].{0,6}?(?:多少|几|什么).{0,12}?(?:到|至|为|降|提|减|增|缩).{0,6}?(?:多少|几|什么)", clause))
    return bool(re.search(r"\bfrom what\b.{0,40}\bto what\b|\bbefore and after\b|\bbefore\b.{0,60}\b(?:and|vs\.?|versus)\b.{0,30}"
                          r"\b(?:after|now)\b", clause, re.I))


# ---------------------------------------------------------------- what the ask is about

# Question words, relation words and answer-kind words carry no content to look for in a sentence: the
# kind and relation are checked on their own. Removed from a clause before its terms are read.
_FRAME_ZH = re.compile(
    r"多少钱|多少|几(?:个|家|项|名|位|条|座|所|只|辆|艘|列|次|件|票|天|年|月|日|倍|批|种|类|笔|份|户|人|分钟|小时|秒)?|(?:个)?(?:小时|分钟)"
    r"|多长时间|多长|多久"
    r"|什么时候|何时|哪一?年|哪一?天|哪个|哪些|哪家|哪位|哪|什么|怎么样|怎么|怎样|如何|是否|吗|呢|请问|分别|各自|各|又|要|是|了|的|能|可以"
    r"|现在|目前|如今|当前|原来|原先|原本|以前|之前|此前|过去|以往|曾经|最初|起初|之后|以后|后来|改革前|改革后|实施前|实施后"
    r"|时间|时长|用时|耗时|名字|名称|叫")
# Not inside a name: "an" of "Chang'an" and "Xi'an", "old" of "Gold-Coast" are part of it.
_FRAME_EN = re.compile(
    r"(?<![\'’-])\b(?:how (?:many|much|long|large|big|fast|quick|soon|far|high)|what|which|who|whom|whose|when|where|why|how|"
    r"now|currently|today|before|after|previously|originally|formerly|earlier|prior|old|new|used to|"
    r"is|are|was|were|did|does|do|it|its|they|their|them|that|this|these|those|and|or|the|a|an|of|in|on|at|to|for|by|"
    r"with|from|per|each|both|respectively|time|name|called)\b(?![\'’-]\w)", re.I)


def content_of(clause: str, language: str) -> str:
    """The clause without its question, relation and answer-kind words: what the ask is about. An English
    frame word leaves a break, so the words around it never read as one phrase ("container [by] shipping")."""
    return (_FRAME_ZH if language == "zh" else _FRAME_EN).sub(" " if language == "zh" else " ; ", clause)


# "节省了多少时间和成本", "how much time and money": two nouns of different kinds joined in one clause.
_KIND_NOUNS_ZH: list[tuple[AnswerKind, re.Pattern[str]]] = [
    ("time", re.compile(r"时间|时长|天数|周期|用时|耗时")), ("money", re.compile(r"成本|费用|资金|金额|运费|收入|投资|钱")),
    ("percent", re.compile(r"比例|比重|占比|增速|增幅")), ("quantity", re.compile(r"吨|吞吐量|货量|运量|面积")),
]
_KIND_NOUNS_EN: list[tuple[AnswerKind, re.Pattern[str]]] = [
    ("time", re.compile(r"\btime\b|\bdays?\b|\bhours?\b", re.I)), ("money", re.compile(r"\bmoney\b|\bcosts?\b|\bfees?\b", re.I)),
    ("percent", re.compile(r"\bshare\b|\bpercentage\b|\bproportion\b", re.I)),
]
_JOINED = re.compile(r"和|与|及|以及|\band\b|、", re.I)


def joined_kinds(focus: str, language: str) -> list[AnswerKind]:
    """The kinds of figure a clause asks for when it joins nouns of different kinds ("时间和成本")."""
    if not _JOINED.search(focus) or not _asks_amount(focus, language):
        return []
    kinds = [kind for kind, pattern in (_KIND_NOUNS_ZH if language == "zh" else _KIND_NOUNS_EN) if pattern.search(focus)]
    return kinds if len(kinds) >= 2 else []
