"""Scanned PDFs and images: offline OCR, page numbers through to citations, and hostile uploads.

The scans are typeset at test time with Pillow and the Noto CJK font (fonts-noto-cjk, installed by
scripts/system-deps.sh), so no binary fixture is committed and the ground truth is the text we typed.
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest

from bench.scans import Block, PageStyle, case_blocks, cjk_font, save_image_pdf, typeset
from ingest.ocr import Box, keep, layout_text, paragraph_breaks, reading_order
from ingest.readers import UnreadableFile, read
from tests.conftest import CORPUS

needs_font = pytest.mark.skipif(cjk_font() is None, reason="needs fonts-noto-cjk (bash scripts/system-deps.sh)")
# Tests that run the OCR models (seconds each, ~20 s for the file on 2 cores): in the default run and CI;
# `-m "not ocr"` leaves them out of a quick local loop.
ocr = pytest.mark.ocr

DOC_TITLE = "服务贸易创新发展最佳实践案例"
CASE_NUMBER = 7
CASE_TITLE = "北海市跨境贸易便利化改革新模式"
PROVIDER = "北海市"
BODY = [
    "北海市依托国际贸易单一窗口，推动报关、查验、放行全流程线上办理，通关时间由48小时压缩至6小时，为企业节约成本3200万元。",
    "同时建立企业信用分级管理制度，覆盖进出口企业1500家，查验率下降35%。该做法已在全省复制推广。",
]
HEADINGS = {0: "一、主要做法", 1: "二、实践效果"}
# A short page, so the case runs over two pages of the scan: the first paragraph breaks mid-sentence
# at the page end, and the second section starts on page 2.
SHORT_PAGE = PageStyle(height_mm=94)
FULL_PAGE = PageStyle(height_mm=120)


def _blocks() -> list[Block]:
    return case_blocks(CASE_NUMBER, CASE_TITLE, PROVIDER, BODY, doc_title=DOC_TITLE, headings=HEADINGS)


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> dict[str, Path]:
    """The case as a PNG (one tall page) and as an image-only PDF (two short pages)."""
    if cjk_font() is None:
        pytest.skip("needs fonts-noto-cjk (bash scripts/system-deps.sh)")
    folder = tmp_path_factory.mktemp("scans")
    png = folder / "scan.png"
    typeset(_blocks(), FULL_PAGE)[0].image.save(png)
    pages = typeset(_blocks(), SHORT_PAGE)
    assert len(pages) == 2
    pdf = save_image_pdf(pages, folder / "scan.pdf")
    return {"png": png, "pdf": pdf}


class _Home:
    """A throwaway FTZQA_HOME holding 001 of the shipped corpus (ten real cases to compete with) and one scan."""

    def __init__(self, root: Path, scan: Path):
        self.root, self.scan = root, scan
        self.parsed: dict[str, object] = {}
        self.progress: list[tuple[str, int, int]] = []

    def __enter__(self) -> _Home:
        from assistant import service

        self._old = os.environ.get("FTZQA_HOME")
        os.environ["FTZQA_HOME"] = str(self.root / "home")
        service.reset()
        return self

    def __exit__(self, *exc: object) -> None:
        from assistant import service

        if self._old is None:
            os.environ.pop("FTZQA_HOME", None)
        else:
            os.environ["FTZQA_HOME"] = self._old
        service.reset()

    def build(self) -> _Home:
        from ingest.pipeline import ingest

        docs = self.root / "docs"
        docs.mkdir(parents=True)
        shutil.copy(next(CORPUS.glob("001_*.txt")), docs)
        shutil.copy(self.scan, docs)
        with self:
            self.report = ingest([docs], on_parsed=lambda p: self.parsed.__setitem__(p.document.source_file, p),
                                 on_progress=lambda *a: self.progress.append(a))
        return self

    @property
    def doc(self):
        return self.parsed[self.scan.name]


@pytest.fixture(scope="module")
def homes(scans, tmp_path_factory) -> dict[str, _Home]:
    return {kind: _Home(tmp_path_factory.mktemp(f"home-{kind}"), path).build() for kind, path in scans.items()}


# ---------------------------------------------------------------- reading a scan

@ocr
@needs_font
@pytest.mark.parametrize("kind", ["png", "pdf"])
def test_scan_is_read_into_whole_sentences_with_structure(homes, kind):
    home = homes[kind]
    assert home.report.skipped == [] and len(home.report.added) == 2
    doc = home.doc
    lines = doc.text.split("\n")
    # Title, numbered case title and provider stay on their own lines; the wrapped body comes out whole.
    assert lines[0] == DOC_TITLE
    assert any(line.replace(" ", "") == f"{CASE_NUMBER}.{CASE_TITLE}" for line in lines)
    assert f"（{PROVIDER}提供）" in lines
    for sentence in ("通关时间由48小时压缩至6小时，为企业节约成本3200万元。", "覆盖进出口企业1500家，查验率下降35%。"):
        assert sentence in doc.text
    assert doc.document.title == DOC_TITLE and doc.document.layout == "titles 1. (lines), providers under titles"
    [case] = [c for c in doc.cases if c.kind == "case"]
    assert (case.number, case.title, case.provider) == (CASE_NUMBER, CASE_TITLE, PROVIDER)
    assert [s.path for s in case.sections] == [[h] for h in HEADINGS.values()]


@ocr
@needs_font
def test_pdf_chunks_carry_their_page_and_images_have_none(homes):
    pdf_chunks = homes["pdf"].doc.chunks
    assert [c.page for c in pdf_chunks] == [1, 2]  # 二、实践效果 starts on the second page
    assert all(c.page is None for c in homes["png"].doc.chunks)


@ocr
@needs_font
def test_ocr_progress_is_reported_per_page(homes):
    # Reading starts (file, 0, 0), the pages OCR reads come next, then the texts embedded.
    pdf = [p for p in homes["pdf"].progress if p[0] == "scan.pdf"]
    png = [p for p in homes["png"].progress if p[0] == "scan.png"]
    assert pdf[:4] == [("scan.pdf", 0, 0), ("scan.pdf", 0, 2), ("scan.pdf", 1, 2), ("scan.pdf", 2, 2)]
    assert png[:3] == [("scan.png", 0, 0), ("scan.png", 0, 1), ("scan.png", 1, 1)]
    for steps in (pdf, png):
        assert steps[-1][1] == steps[-1][2] > 2  # and the last step says every text was embedded


# ---------------------------------------------------------------- answering from a scan

@ocr
@needs_font
@pytest.mark.parametrize("kind", ["png", "pdf"])
def test_chinese_question_is_answered_from_the_scan(homes, kind):
    from assistant import answer

    with homes[kind]:
        a = answer("北海市跨境贸易便利化改革为企业节约了多少成本？")
    assert not a.refused, a.text
    assert "3200万元" in a.text
    cited = {c.case_id: c for c in a.citations}
    case_id = f"scan#{CASE_NUMBER}"
    assert case_id in cited
    assert cited[case_id].provider == PROVIDER
    assert cited[case_id].page == (1 if kind == "pdf" else None)


@ocr
@needs_font
def test_cli_and_source_card_show_the_page(homes):
    from assistant import answer, cli
    from ui import render

    with homes["pdf"]:
        a = answer("北海市的企业信用分级管理制度让查验率下降了多少？")
    cited = next(c for c in a.citations if c.case_id == f"scan#{CASE_NUMBER}")
    assert cited.page == 2  # 二、实践效果 is on the second page of the scan
    with cli.console.capture() as captured:
        cli._print_final(a)
    assert f"{DOC_TITLE} · p. 2 · 二、实践效果" in captured.get().replace("\n", "")
    assert "第 2 页 · p. 2" in render.citation_card(cited)
    assert "ftz-chip-page" not in render.citation_card(cited.model_copy(update={"page": None}))


EN_QUESTION = "How much did the Beihai City cross-border trade facilitation reform save companies?"
# Without the city's name an English question must be matched to 跨境贸易便利化 by meaning alone; today
# retrieval ranks 001's 外汇金管家 case (cross-border payments) first and the scan third.
EN_QUESTION_NO_PLACE = "How much did the cross-border trade facilitation reform save companies?"


@ocr
@needs_font
@pytest.mark.parametrize("kind,question", [
    ("png", EN_QUESTION),
    ("pdf", EN_QUESTION),
    pytest.param("pdf", EN_QUESTION_NO_PLACE, marks=pytest.mark.xfail(
        strict=False, reason="an English question naming no place, about a new case with no English card yet "
                             "(these tests run no generator), can rank a similar shipped case first; with the card "
                             "an upload gets from a generator it is found (tests/test_cards.py)")),
])
def test_english_question_is_answered_from_the_scan(homes, kind, question):
    from assistant import answer

    with homes[kind]:
        a = answer(question)
    assert a.language == "en"
    assert not a.refused, a.text
    assert "3200" in a.text
    assert f"scan#{CASE_NUMBER}" in {c.case_id for c in a.citations}


@ocr
@needs_font
def test_long_screenshot_is_read_in_pieces_cut_between_rows(tmp_path):
    """A phone screenshot of a whole document (720 px wide, ~3,000 tall): shrunk whole to the engine's
    2,000 px it would be read at 480 px wide; cut into page-shaped pieces every sentence stays whole."""
    from assistant.config import IngestSettings
    from ingest.ocr import tiles
    from ingest.parse import parse_file

    blocks = [b for n in (1, 2) for b in case_blocks(n, f"第{n}个长图案例", f"长图{n}市", BODY, headings=HEADINGS)]
    image = typeset(blocks, PageStyle(width_mm=122, height_mm=520, margin_mm=8))[0].image
    assert image.height > 2000 and len(tiles(image)) >= 2
    path = tmp_path / "screenshot.png"
    image.save(path)
    parsed = parse_file(path, path.name, IngestSettings())
    assert [(c.number, c.provider) for c in parsed.cases if c.kind == "case"] == [(1, "长图1市"), (2, "长图2市")]
    assert parsed.text.count("通关时间由48小时压缩至6小时，为企业节约成本3200万元。") == 2
    assert parsed.text.count("覆盖进出口企业1500家，查验率下降35%。") == 2


# ---------------------------------------------------------------- mixed PDF: text layer where there is one

@ocr
@needs_font
def test_mixed_pdf_uses_the_text_layer_and_ocr_only_for_the_image_page(tmp_path):
    pytest.importorskip("reportlab")
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from assistant.config import IngestSettings
    from ingest.parse import parse_file

    text_lines = [DOC_TITLE, "8. 电子证照互认新模式", "（文本市提供）",
                  "文本市推行电子证照跨省互认，企业办理时间由5个工作日缩短至1个工作日。"]
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))  # a built-in CJK font: no file needed
    width, height = 595, round(595 * FULL_PAGE.height_mm / FULL_PAGE.width_mm)  # pages the size of the image
    path = tmp_path / "mixed.pdf"
    c = canvas.Canvas(str(path), pagesize=(width, height))
    c.setFont("STSong-Light", 12)
    for k, line in enumerate(text_lines):
        c.drawString(60, height - 50 - 22 * k, line)
    c.showPage()
    image = typeset(case_blocks(CASE_NUMBER, CASE_TITLE, PROVIDER, BODY[:1]), FULL_PAGE)[0].image
    c.drawImage(ImageReader(image), 0, 0, width, height)
    c.showPage()
    c.save()

    calls: list[tuple[int, int]] = []
    result = read(path, progress=lambda done, total: calls.append((done, total)))
    assert result.ocr_pages == 1 and calls == [(0, 1), (1, 1)]  # only the image page went through OCR
    assert len(result.page_starts) == 2
    first_page = result.text[: result.page_starts[1]]
    assert all(line in first_page for line in text_lines)  # verbatim: the text layer, not OCR
    assert "为企业节约成本3200万元" in result.text[result.page_starts[1]:].replace("\n", "")

    parsed = parse_file(path, path.name, IngestSettings())
    cases = {c.number: c for c in parsed.cases if c.kind == "case"}
    assert cases[8].provider == "文本市" and cases[CASE_NUMBER].provider == PROVIDER
    pages = {c.case_id.split("#")[1]: c.page for c in parsed.chunks}
    assert pages == {"8": 1, str(CASE_NUMBER): 2}


# ---------------------------------------------------------------- hostile uploads

def _png(width: int, height: int) -> bytes:
    """A minimal valid PNG header + image of the given size (greyscale, all white), built by hand."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _bomb_png() -> bytes:
    """A PNG header claiming 100 000 × 100 000 pixels (10 gigapixels) over a few bytes of data."""
    small = _png(1, 1)
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    start = 8 + 8  # signature, then the IHDR chunk's length and type
    patched = small[:start] + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr)) + small[start + 13 + 4:]
    return patched


def _encrypted_pdf(password: str) -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password=password, owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _truncated_png() -> bytes:
    data = _png(400, 300)
    return data[: len(data) // 2]


HOSTILE = [
    # (file name, content, expected reason)
    ("not-a-pdf.pdf", b"<html><body>this is a web page saved as .pdf</body></html>", "not a PDF"),
    ("png-named.pdf", _png(10, 10), "not a PDF"),
    ("truncated.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", "corrupted PDF"),
    ("locked.pdf", _encrypted_pdf("secret"), "encrypted PDF"),
    ("corrupt.png", b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20, "corrupted image"),
    ("truncated.png", _truncated_png(), "corrupted image"),
    ("text-named.jpg", "一段文字，不是图片。".encode() * 10, "corrupted image"),
    ("empty.png", b"", "empty file"),
    ("empty.pdf", b"", "empty file"),
    ("bomb.png", _bomb_png(), "image too large"),
    ("animation.gif", b"GIF89a" + b"\x00" * 40, "unsupported file type .gif"),
    ("scan.tiff", b"II*\x00" + b"\x00" * 40, "unsupported file type .tiff"),
]


@pytest.mark.parametrize("name,content,reason", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_file_is_refused_with_a_one_line_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as info:
        read(path)
    message = str(info.value)
    assert reason in message and "\n" not in message and "Traceback" not in message


def test_image_over_the_pixel_cap_is_refused_before_decoding(tmp_path, monkeypatch):
    from ingest import readers

    monkeypatch.setattr(readers, "MAX_IMAGE_PIXELS", 100_000)
    path = tmp_path / "big.png"
    path.write_bytes(_png(500, 300))
    with pytest.raises(UnreadableFile, match=r"image too large \(500×300 pixels"):
        read(path)


def test_photo_is_turned_upright_and_transparency_becomes_white_paper():
    import io

    from PIL import Image

    from ingest.readers import load_image

    sideways = Image.new("RGB", (300, 100), "white")
    exif = sideways.getexif()
    exif[0x0112] = 6  # EXIF orientation: the camera was turned 90°
    buf = io.BytesIO()
    sideways.save(buf, "JPEG", exif=exif)
    assert load_image(buf.getvalue()).size == (100, 300)

    clear = Image.new("RGBA", (20, 10), (0, 0, 0, 0))  # transparent pixels that are black underneath
    clear.putpixel((5, 5), (0, 0, 0, 255))
    buf = io.BytesIO()
    clear.save(buf, "PNG")
    page = load_image(buf.getvalue())
    assert page.mode == "RGB" and page.getpixel((0, 0)) == (255, 255, 255) and page.getpixel((5, 5)) == (0, 0, 0)


def test_pdf_locked_only_against_editing_is_read(tmp_path):
    """An empty open password (restrictions only) is how many official PDFs are published."""
    import io

    from pypdf import PdfReader, PdfWriter

    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 200))
    c.setFont("STSong-Light", 12)
    c.drawString(40, 150, "仅限制编辑的公开文件，任何人都可以打开阅读。")
    c.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buf.getvalue())))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "restricted.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    result = read(path)
    assert "任何人都可以打开阅读" in result.text and result.ocr_pages == 0


def test_ingest_skips_each_hostile_file_with_its_reason_and_indexes_the_good_one(isolated_home, tmp_path):
    from assistant import cases
    from ingest.pipeline import ingest

    folder = tmp_path / "uploads"
    folder.mkdir()
    for name, content, _ in HOSTILE:
        (folder / name).write_bytes(content)
    shutil.copy(next(CORPUS.glob("001_*.txt")), folder)
    report = ingest([folder])
    assert report.added == ["001_2adf76dceb53e4a4.txt"] and report.cases == 10
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert set(reasons) == {name for name, _, _ in HOSTILE}
    for name, _, reason in HOSTILE:
        assert reason in reasons[name], (name, reasons[name])
    assert len(cases()) == 10


# ---------------------------------------------------------------- layout rules, without the model

def _box(x0: float, y0: float, x1: float, text: str, score: float = 0.99, h: float = 20) -> Box:
    return Box(x0, y0, x1, y0 + h, text, score)


@pytest.mark.parametrize("box,kept", [
    (_box(0, 0, 100, "通关时间由48小时压缩至6小时"), True),
    (_box(0, 0, 100, "低分但是一整行文字", score=0.6), True),
    (_box(0, 0, 10, "3", score=0.95), True),  # a page's lone digit with a sure read stays (cleaning drops page numbers)
    (_box(0, 0, 100, "模糊的噪声", score=0.3), False),
    (_box(0, 0, 10, "·", score=0.7), False),  # a speck of the scan
    (_box(0, 0, 10, "一", score=0.6), False),
    (_box(0, 0, 10, "  ", score=0.99), False),
])
def test_noise_is_dropped_but_real_text_kept(box, kept):
    assert keep(box) is kept


def test_boxes_of_one_row_are_merged_left_to_right_and_rows_read_top_down():
    boxes = [
        _box(300, 41, 500, "广州高新区"),  # the detector split one printed row at a wide space
        _box(100, 40, 280, "广州市黄埔区"),
        _box(100, 10, 500, "第一行"),
        _box(100, 70, 300, "Zhoushan"), _box(310, 71, 400, "Area"),
        _box(100, 100, 130, "覆盖1"), _box(140, 100, 300, "500家企业"),  # one figure split by the detector
    ]
    rows = reading_order(boxes)
    assert [r.text for r in rows] == ["第一行", "广州市黄埔区广州高新区", "Zhoushan Area", "覆盖1500家企业"]


def test_table_cells_on_one_row_stay_apart():
    rows = reading_order([_box(100, 10, 200, "企业数量"), _box(400, 10, 460, "1500家")])
    assert rows[0].text == "企业数量 1500家"


# Rows of a page: (x0, x1) on a 30-px pitch, 20 px high; the text column runs from 100 to 700.
PAGE = [
    (250, 550),  # 0 centred title
    (100, 400),  # 1 numbered case title, flush left, short
    (300, 450),  # 2 （X提供） centred
    (140, 700),  # 3 indented first row of a paragraph
    (100, 700),  # 4 wrapped row, reaches the margin
    (100, 700),  # 5 wrapped row
    (100, 380),  # 6 last row of the paragraph, short
    (140, 700),  # 7 next paragraph, indented
    (100, 690),  # 8 ends a char short of the margin: still wrapped text (ragged punctuation)
    (100, 700),  # 9
]


@pytest.mark.parametrize("i,breaks", [
    (1, True), (2, True), (3, True),   # title lines stand alone
    (4, False), (5, False), (6, False),  # wrapped rows continue: must not break
    (7, True),                          # after a short row, at an indent
    (9, False),                         # a row ending within a char of the margin is not a paragraph end
])
def test_paragraph_breaks_follow_the_page_geometry(i, breaks):
    rows = reading_order([_box(x0, 10 + 30 * k, x1, f"行{k}") for k, (x0, x1) in enumerate(PAGE)])
    assert paragraph_breaks(rows)[i] is breaks


def test_wider_vertical_gap_breaks_a_paragraph():
    rows = reading_order([_box(100, 10 + 30 * k, 700, f"行{k}") for k in range(5)] + [_box(100, 10 + 30 * 4 + 70, 700, "新段")])
    assert paragraph_breaks(rows) == [True, False, False, False, False, True]


def test_long_image_is_cut_in_the_white_between_rows():
    from PIL import Image, ImageDraw

    from ingest.ocr import tiles

    image = Image.new("L", (700, 5000), 255)
    draw = ImageDraw.Draw(image)
    rows = [(y, y + 24) for y in range(20, 4980, 37)]  # printed rows 24 px high on a 37 px pitch
    for top, bottom in rows:
        draw.rectangle((40, top, 660, bottom), fill=0)
    pieces = tiles(image)
    assert len(pieces) >= 4 and sum(p.height for p in pieces) == image.height
    cut = 0
    for piece in pieces[:-1]:
        cut += piece.height
        assert not any(top <= cut <= bottom for top, bottom in rows), cut  # no row cut in two
        assert piece.height <= 700 * 1.4


@pytest.mark.parametrize("size", [(700, 900), (1240, 1754), (4000, 3000), (1000, 1900)])
def test_page_shaped_images_are_not_cut(size):
    from PIL import Image

    from ingest.ocr import tiles

    assert len(tiles(Image.new("L", size, 255))) == 1


def test_layout_text_puts_a_blank_line_at_each_paragraph_break():
    boxes = [_box(x0, 10 + 30 * k, x1, f"行{k}") for k, (x0, x1) in enumerate(PAGE)]
    assert layout_text(boxes).split("\n\n") == ["行0", "行1", "行2", "行3\n行4\n行5\n行6", "行7\n行8\n行9"]
