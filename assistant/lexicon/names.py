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


def english_name(name: str | None) -> str:
    """舟山片区 → '舟山片区 (Zhoushan Area)'; unknown names stay as they are."""
    if not name:
        return ""
    glosses: list[str] = []
    for part in re.split(r"[、,，]", name):
        stem, suffix = part, ""
        for zh, en in _PLACE_SUFFIX:
            if part.endswith(zh) and len(part) > len(zh):
                stem, suffix = part[: -len(zh)], en
                break
        english = reverse(stem)
        if english and suffix and english.lower().endswith(suffix.lower()):
            suffix = ""  # CC-CEDICT's "Shanxi Province" needs no second " Province"
        glosses.append(f"{english}{suffix}" if english else "")
    gloss = ", ".join(g for g in glosses if g)
    return f"{name} ({gloss})" if gloss else name
