"""What a refusal says: that the documents do not cover the question, what the closest cases lack, and
which cases came closest — the official's next lead."""

from __future__ import annotations

from assistant.ground.asks import Misfit
from assistant.ground.coverage import Coverage
from assistant.lexicon import glossary
from assistant.lexicon.dictionary import english_for
from assistant.lexicon.names import english_name
from assistant.lexicon.wordlists import contrast_english
from assistant.models import Case, Query
from assistant.text import quoted

REFUSAL = {
    "zh": "资料中未找到能回答这个问题的内容。",
    "en": "The documents do not cover this.",
}


_KIND_ZH = {"money": "金额", "time": "时间", "count": "数量", "percent": "比例", "quantity": "数量", "figure": "具体数字",
            "date": "日期", "person": "人名", "name": "名称"}
_KIND_EN = {"money": "an amount of money", "time": "a duration", "count": "a number", "percent": "a percentage",
            "quantity": "a quantity", "figure": "a figure", "date": "a date", "person": "a person's name",
            "name": "a name"}


def refusal_text(language: str, cov: Coverage | None, closest: list[Case], query: Query | None = None,
                 stated: list[bool] | None = None, misfits: list[Misfit | None] | None = None) -> str:
    """The refusal in the question's language, naming what is missing and the closest cases."""
    text = REFUSAL[language] + _unstated(cov, language)
    said = [m for m in (misfits or []) if m is not None]
    if said:
        text += _misfit_text(said[0], language)  # what the closest sentence states instead: the official's lead
    elif cov is not None and cov.strong and query is not None and stated is not None:
        text += _unanswered(query, stated, language)
    if closest:
        if language == "zh":
            text += "最接近的案例：" + "；".join(f"《{c.title}》（{c.provider or c.document_title}）" for c in closest) + "。"
        else:
            text += " The closest cases are: " + "; ".join(
                f"{quoted(c.title)} ({english_name(c.provider) or c.document_title})" for c in closest) + "."
    return text


def _misfit_text(misfit: Misfit, language: str) -> str:
    if language == "zh":
        return {"place": f"给出这个数字的案例未提及{misfit.what}。",
                "contrast": f"最相关的句子说的是“{misfit.instead}”，不是所问的“{misfit.what}”。",
                "organisation": f"案例只是顺带提到{misfit.what}，所给数字并非{misfit.what}的。",
                "year": f"最相关的句子给出的是其他年份的数字，没有{misfit.what}年的。",
                "excluded": f"最相关的句子说的正是问题排除的“{misfit.what}”。",
                "total": f"最相关的句子给出的是累计数，不是{_period_zh(misfit.what)}的数字。"}[misfit.kind]
    what, instead = _english(misfit.what), _english(misfit.instead)
    return {"place": f" The case that gives the figure does not mention {what}.",
            "contrast": f" The closest sentence is about {instead}, not {what} as asked.",
            "organisation": f" The case names {what} only in passing; its figure is not theirs.",
            "year": f" The closest sentence gives figures for other years, not {misfit.what}.",
            "excluded": f" The closest sentence is about {what}, which the question leaves out.",
            "total": f" The closest sentence gives a running total, not the figure for {_period_en(misfit.what)} alone."}[misfit.kind]


def _period_zh(year: str) -> str:
    """The period a running total was set against: the year asked, or "单个时期" when the question named none
    ("光今年" with no year in it)."""
    return f"{year}年当年" if year.isdigit() else "单个时期"


def _period_en(year: str) -> str:
    return year if year.isdigit() else "one period"


def _english(chinese: str) -> str:
    """进口 → '进口 (import)' for an English reader; a place by its English name."""
    gloss = contrast_english(chinese) or next(iter(english_for(chinese, 1)), "")
    return f"{chinese} ({gloss})" if gloss else english_name(chinese)


def _unanswered(query: Query, stated: list[bool], language: str) -> str:
    """Every ask unstated although the case is the right one: say what kind of answer it lacks."""
    kinds = [query.asks[k].wants for k, ok in enumerate(stated) if not ok and k < len(query.asks)]
    kinds = [k for k in dict.fromkeys(kinds) if k != "text"]
    if not kinds:
        return ""
    if language == "zh":
        return f"最相关的案例未给出所问的{'、'.join(_KIND_ZH[k] for k in kinds)}。"
    return f" The best-matching case gives no {', '.join(_KIND_EN[k].split(' ', 1)[1] for k in kinds)} for what was asked."


def _unstated(cov: Coverage | None, language: str) -> str:
    """What the question asked for that the closest cases do not give — the official's next lead."""
    if cov is None:
        return ""
    unnamed = [a for a in cov.missing_attributes if a not in cov.unquantified]
    if language == "zh":
        missing = cov.missing_required + [a.chinese for a in unnamed]
        text = f"最相关的案例中未提及：{'、'.join(missing)}。" if missing else ""
        if cov.unquantified:
            text += f"最相关的案例未给出具体数字：{'、'.join(a.chinese for a in cov.unquantified)}。"
        return text
    missing = [glossary.reverse(r) or r for r in cov.missing_required] + [a.phrase for a in unnamed]
    text = f" The best-matching cases do not mention: {', '.join(missing)}." if missing else ""
    if cov.unquantified:
        text += f" They give no figure for: {', '.join(a.phrase for a in cov.unquantified)}."
    return text
