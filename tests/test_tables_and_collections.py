"""A new collection's table and its name: figures that stand only in a table row are read with the row's header
(their unit and topic), and a question that names the collection by its province ("广西汇编中…") is answered by
a case whose own text never names the province — its document's title does."""

from __future__ import annotations

import pytest

from assistant.retrieval.evidence import _table_reading

DIGEST = """# 中国（广西）自由贸易试验区制度创新案例汇编

## 第一部分 金融开放

### （一）跨境结算账户一体化试点【崇左片区】

**背景：** 边境贸易企业办理跨境结算需在多家银行分别开户，资金归集困难。

**做法：** 在试点银行推行一个账户办理多币种边贸结算，统一开户材料清单。

**成效：** 截至2024年5月，试点账户累计办理结算资金63亿元。

| 试点银行数量（家） | 覆盖币种（种） |
| --- | --- |
| 17 | 6 |

### （二）边民互市商品落地加工监管新模式【钦州港片区】

**背景：** 互市商品以原料形式入境，落地加工链条短。

**做法：** 建立互市商品加工企业白名单，实行电子台账监管。

**成效：** 2023年落地加工互市商品12.4万吨，带动就业2300人。
"""


@pytest.mark.parametrize("lines,reading", [
    ("| 试点银行数量（家） | 覆盖币种（种） |\n| --- | --- |\n| 17 | 6 |", "试点银行数量 17家，覆盖币种 6种。"),
    ("| 年份 | 节约成本（万元） |\n| 2022年 | 1450 |", "年份 2022年，节约成本 1450万元。"),
    ("| 指标 | 数据 |\n| 堆存时间 | 由7.2天降至3.1天 |", "指标 堆存时间，数据 由7.2天降至3.1天。"),  # a unit of its own
    ("| 指标 | 数据 | 备注 |\n| 17 | 6 |", ""),  # cells and header do not line up
    ("成效：一句话。\n| 17 | 6 |", ""),  # no header above
])
def test_a_table_row_is_read_with_its_header(lines, reading):
    row = lines.rsplit("\n", 1)[1]
    assert _table_reading(lines, len(lines) - len(row), len(lines)) == reading


def test_a_figure_only_in_a_table_and_a_collection_named_by_its_province(copy_of_shipped_index, monkeypatch, tmp_path):
    from assistant import answer, service
    from assistant.config import get_settings
    from ingest.pipeline import ingest

    monkeypatch.setenv("FTZQA_HOME", str(copy_of_shipped_index("tables")))
    service.reset()
    try:
        folder = tmp_path / "docs"
        folder.mkdir()
        (folder / "guangxi_digest.md").write_text(DIGEST, encoding="utf-8")
        ingest([folder], get_settings())
        service.reset()
        figures = answer("崇左片区跨境结算账户一体化试点有多少家试点银行、覆盖几种币种？", backend="extractive")
        assert not figures.refused and "17家" in figures.text and "6种" in figures.text
        provider = answer("广西汇编中“跨境结算账户一体化试点”是哪个片区供稿的？", backend="extractive")
        assert not provider.refused and "崇左片区" in provider.text
        # the collection's name does not make a case of another collection answer for it
        assert answer("广西汇编中哪个案例讲的是保税燃料油加注？", backend="extractive").refused
    finally:
        monkeypatch.undo()
        service.reset()
