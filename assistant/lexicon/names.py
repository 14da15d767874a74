"""How providers and places are named: the keys a question may use for a provider, and English glosses."""

from __future__ import annotations

import re

from assistant.lexicon.glossary import reverse


def provider_keys(provider: str) -> list[str]:
    """'四川自贸试验区' → ['四川自贸试验区', '四川']; '北京市、重庆市' → each city and its stem."""
    keys: list[str] = []
    for part in re.split(r"[、,，]", provider):
        part = part.strip()
        if not part:
            continue
        keys.append(part)
        # 广西自贸试验区崇左片区 is also 崇左片区 and 崇左: questions name the area, not the whole zone.
        area = re.match(r"^.+?(?:自由贸易试验区|自贸试验区|自贸区)(?P<area>.{2,8}(?:片区|新区))$", part)
        if area:
            keys += provider_keys(area.group("area"))
        stem = re.sub(r"(自由贸易试验区|自贸试验区|自贸区|片区|综合保税区|市|省|新区)$", "", part)
        stem = re.sub(r"(自由贸易试验区|自贸试验区)$", "", stem)
        if len(stem) >= 2:
            keys.append(stem)
    return keys


_PLACE_SUFFIX = (("自由贸易试验区", " Pilot FTZ"), ("自贸试验区", " Pilot FTZ"), ("片区", " Area"),
                 ("综合保税区", " Comprehensive Bonded Zone"), ("新区", " New Area"), ("市", ""), ("省", " Province"))


def _pinyin(stem: str) -> str:
    """A short place name no dictionary knows, in pinyin (两江 → Liangjiang), as the documents' readers say it.
    Only names of up to four characters: a longer run is a description, not a name."""
    if not 2 <= len(stem) <= 4 or not re.fullmatch(r"[\u4e00-\u9fff]+", stem):
        return ""
    from pypinyin import lazy_pinyin  # only names the dictionary lacks pay for the import

    return "".join(lazy_pinyin(stem)).capitalize()


def english_name(name: str | None) -> str:
    """舟山片区 → '舟山片区 (Zhoushan Area)'; unknown names stay as they are."""
    if not name:
        return ""
    gloss = ", ".join(g for g in (_gloss(part) for part in re.split(r"[、,，]", name)) if g)
    return f"{name} ({gloss})" if gloss else name


# 江苏自贸试验区南京片区: a zone and one of its areas, each named on its own.
_ZONE_AREA = re.compile(r"^(.+?(?:自由贸易试验区|自贸试验区))(.{2,8}(?:片区|新区))$")


def _gloss(part: str) -> str:
    compound = _ZONE_AREA.match(part)
    if compound:
        zone, area = _gloss(compound.group(1)), _gloss(compound.group(2))
        return f"{zone}, {area}" if zone and area else ""
    stem, suffix = part, ""
    for zh, en in _PLACE_SUFFIX:
        if part.endswith(zh) and len(part) > len(zh):
            stem, suffix = part[: -len(zh)], en
            break
    english = reverse(stem) or _pinyin(stem)
    if english and suffix and english.lower().endswith(suffix.lower()):
        suffix = ""  # CC-CEDICT's "Shanxi Province" needs no second " Province"
    return f"{english}{suffix}" if english else ""
