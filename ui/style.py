"""Look of the chat window: theme (local CJK fonts only, nothing fetched), CSS, and the IME guard."""

from __future__ import annotations

import gradio as gr

FONT_STACK = ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
              "Hiragino Sans GB", "WenQuanYi Micro Hei", "system-ui", "sans-serif",
              "Noto Color Emoji"]
MONO_STACK = ["Noto Sans Mono CJK SC", "ui-monospace", "Consolas", "monospace"]
CSS_FONT = ", ".join(f'"{f}"' if " " in f else f for f in FONT_STACK)


def theme() -> gr.themes.Base:
    # Local font names only: a GoogleFont would make every page load reach out to the internet.
    return gr.themes.Soft(
        primary_hue=gr.themes.colors.blue,
        secondary_hue=gr.themes.colors.red,
        neutral_hue=gr.themes.colors.slate,
        font=FONT_STACK,
        font_mono=MONO_STACK,
        radius_size=gr.themes.sizes.radius_md,
    ).set(
        body_background_fill="#f3f5f9",
        block_radius="10px",
        button_primary_background_fill="#1d4ed8",
        button_primary_background_fill_hover="#1e40af",
        button_primary_text_color="#ffffff",
    )


CSS = """
:root { --ftz-blue: #0b3a82; --ftz-blue-2: #1d4ed8; --ftz-red: #c8102e; --ftz-ink: #1f2937;
        --ftz-muted: #64748b; --ftz-line: #e2e8f0; --ftz-card: #ffffff; }
body, .gradio-container, .gradio-container * { font-family: %(font)s; }
.gradio-container { max-width: 1480px !important; margin: 0 auto !important; }
footer { display: none !important; }

/* header */
.ftz-header { display: flex; align-items: center; gap: 16px; padding: 13px 22px; border-radius: 12px;
  background: linear-gradient(120deg, #0b3a82 0%%, #1d4ed8 70%%, #2563eb 100%%); color: #fff;
  box-shadow: 0 4px 14px rgba(11,58,130,.18); }
.ftz-seal { flex: none; width: 46px; height: 46px; border-radius: 10px; background: var(--ftz-red); color: #fff;
  display: flex; align-items: center; justify-content: center; font-weight: 700; font-size: 17px; letter-spacing: 1px;
  box-shadow: inset 0 0 0 2px rgba(255,255,255,.35); }
.ftz-header, .ftz-header div, .ftz-header span { color: #fff !important; }
.ftz-title { font-size: 24px; font-weight: 700; letter-spacing: .5px; line-height: 1.25; }
.ftz-title .ftz-en { font-weight: 500; opacity: .9; }
.ftz-subtitle { font-size: 14px; opacity: .88; margin-top: 3px; }
.ftz-header-right { margin-left: auto; text-align: right; font-size: 12.5px; opacity: .85; line-height: 1.5; }

/* filters */
#ftz-filters { background: var(--ftz-card); border: 1px solid var(--ftz-line); border-radius: 10px; padding: 6px 10px 4px; }
.ftz-active-filters { font-size: 13.5px; color: var(--ftz-muted); padding: 7px 12px; background: #f8fafc; border-top: 1px solid var(--ftz-line); }
.ftz-active-filters.ftz-on { background: #fffbeb; }
.ftz-active-filters.ftz-on { color: #92400e; }
.ftz-active-filters.ftz-on .ftz-label { color: #92400e; }
.ftz-label { font-weight: 600; color: #334155; margin-right: 4px; }
.ftz-muted { color: var(--ftz-muted); font-size: 12.5px; margin-left: 4px; }

/* chat */
#ftz-chat { border-radius: 10px; }
#ftz-chat .message-row .message, #ftz-chat .message { font-size: 15px; line-height: 1.75; }
.ftz-answer-text { color: var(--ftz-ink); word-break: break-word; }
.ftz-nowrap { white-space: nowrap; }
.ftz-ref { font-size: 10.5px; font-weight: 700; color: var(--ftz-blue-2); background: #e0e9ff;
  border-radius: 3px; padding: 0 2px; margin-left: 1px; line-height: 1; vertical-align: super; }
.ftz-badge { display: inline-block; font-size: 12.5px; font-weight: 600; padding: 1px 8px; border-radius: 999px; margin-bottom: 6px; }
.ftz-badge-refused { background: #fef3c7; color: #92400e; border: 1px solid #fcd34d; }
.ftz-notice { margin-top: 8px; font-size: 13px; color: #92400e; background: #fffbeb; border-left: 3px solid #f59e0b;
  padding: 5px 9px; border-radius: 4px; }
.ftz-answer-filters { margin-top: 8px; font-size: 12.5px; color: var(--ftz-muted); border-top: 1px dashed var(--ftz-line); padding-top: 5px; }
.ftz-error { color: #991b1b; }
.ftz-error-icon { display: inline-flex; width: 18px; height: 18px; border-radius: 50%%; background: #dc2626; color: #fff;
  font-size: 12px; font-weight: 700; align-items: center; justify-content: center; margin-right: 7px; vertical-align: 1px; }
.ftz-pending { color: var(--ftz-muted); }
.ftz-spinner { display: inline-block; width: 12px; height: 12px; margin-right: 8px; border: 2px solid #cbd5e1;
  border-top-color: var(--ftz-blue-2); border-radius: 50%%; animation: ftzspin .8s linear infinite; vertical-align: -1px; }
@keyframes ftzspin { to { transform: rotate(360deg); } }
.ftz-user { white-space: normal; word-break: break-word; }

#ftz-chat button.example { border: 1px solid var(--ftz-line); background: #f8fafc; border-radius: 10px; }
#ftz-chat button.example:hover { border-color: #93c5fd; background: #eff6ff; }

/* input */
#ftz-question textarea { font-size: 15px !important; line-height: 1.6 !important; }
#ftz-send, #ftz-new, #ftz-up, #ftz-down { white-space: nowrap; }
#ftz-new { font-size: 13px; }
#ftz-actions { gap: 6px !important; justify-content: space-between; }
#ftz-actions button { width: 100%%; }
#ftz-feedback-label { flex: 0 0 150px !important; min-width: 150px !important; }
#ftz-input-row { align-items: stretch; }

/* feedback */
#ftz-feedback { background: var(--ftz-card); border: 1px solid var(--ftz-line); border-radius: 10px; padding: 6px 10px; align-items: center; }
#ftz-comment textarea { font-size: 14px !important; }
.ftz-feedback-label { font-size: 13px; font-weight: 700; color: #334155; line-height: 1.35; white-space: nowrap; padding: 0 2px; }
.ftz-feedback-label span { font-weight: 400; color: var(--ftz-muted); font-size: 12px; }
.ftz-feedback-status { font-size: 13px; color: #166534; padding: 4px 2px; }
.ftz-feedback-status.ftz-warn { color: #92400e; }

/* export */
#ftz-export { background: var(--ftz-card); border: 1px solid var(--ftz-line); border-radius: 10px; padding: 6px 10px; gap: 2px !important; }
#ftz-export-row { align-items: center; flex-wrap: nowrap; }
#ftz-export-answer, #ftz-export-all { white-space: nowrap; }
#ftz-export-format { min-width: 0 !important; }
.ftz-export-status { font-size: 12.5px; padding: 0 2px 2px; }
.ftz-export-status.ftz-warn { color: #92400e; }

/* sources panel */
#ftz-sources-col { position: sticky; top: 8px; }
#ftz-sources { max-height: calc(100vh - 40px); min-height: 300px; overflow-y: auto; padding-right: 4px; }
.ftz-sources-head { font-size: 16px; font-weight: 700; color: var(--ftz-blue); padding: 4px 2px 10px; display: flex; align-items: center; gap: 8px; }
.ftz-count { font-size: 12px; background: var(--ftz-blue-2); color: #fff; border-radius: 999px; padding: 0 8px; font-weight: 600; }
.ftz-subhead { font-size: 14px; font-weight: 700; color: #334155; margin: 12px 2px 8px; }
.ftz-empty { color: var(--ftz-muted); font-size: 14px; line-height: 1.7; padding: 18px 14px; background: var(--ftz-card);
  border: 1px dashed #cbd5e1; border-radius: 10px; }
.ftz-card { background: var(--ftz-card); border: 1px solid var(--ftz-line); border-left: 4px solid var(--ftz-blue-2);
  border-radius: 10px; padding: 11px 14px 10px; margin-bottom: 11px; box-shadow: 0 1px 3px rgba(15,23,42,.05); }
.ftz-card-closest { border-left-color: #f59e0b; }
.ftz-card-head { display: flex; align-items: baseline; gap: 8px; }
.ftz-n { flex: none; font-weight: 700; color: #fff; background: var(--ftz-blue-2); border-radius: 5px; font-size: 12.5px; padding: 0 6px; line-height: 1.6; }
.ftz-card-title { font-weight: 700; font-size: 15px; color: var(--ftz-ink); line-height: 1.45; }
.ftz-card-title-en { display: block; font-size: 13px; color: var(--ftz-muted); font-style: italic; line-height: 1.4; }
.ftz-card-meta { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; margin: 6px 0 4px; font-size: 12.5px; color: #475569; }
.ftz-chip { display: inline-block; background: #f1f5f9; color: #334155; border-radius: 999px; padding: 1px 9px; font-size: 12px; }
.ftz-chip-provider { background: #fee2e2; color: #9f1239; font-weight: 600; }
.ftz-doc { color: #475569; }
.ftz-doc-tag { display: inline-block; font-size: 11px; color: #475569; border: 1px solid #cbd5e1; border-radius: 3px;
  padding: 0 4px; margin-right: 5px; line-height: 1.4; }
.ftz-section { font-size: 12.5px; color: #475569; margin: 2px 0 6px; }
.ftz-section .ftz-label { font-weight: 600; color: #64748b; }
#ftz-sources .ftz-quote, .ftz-quote { margin: 6px 0 4px !important; padding: 7px 11px; background: #f8fafc; border-left: 3px solid #94a3b8; border-radius: 4px;
  font-size: 14px; line-height: 1.7; color: #1e293b; }
.ftz-details { margin-top: 6px !important; font-size: 13.5px; }
#ftz-sources .ftz-card > * { margin-top: 0; margin-bottom: 0; }
#ftz-sources .ftz-card > * + * { margin-top: 6px; }
.ftz-details summary { cursor: pointer; color: var(--ftz-blue-2); font-weight: 600; font-size: 13px; user-select: none; }
.ftz-section-text { margin-top: 6px; line-height: 1.75; color: #334155; max-height: 360px; overflow-y: auto;
  background: #fbfcfe; border: 1px solid var(--ftz-line); border-radius: 6px; padding: 8px 11px; }
.ftz-section-text mark { background: #fef08a; padding: 0 1px; }
.ftz-refusal { background: #fffbeb; border: 1px solid #fcd34d; color: #78350f; border-radius: 10px; padding: 10px 13px; font-size: 14px; line-height: 1.65; }

/* case browser */
#ftz-case-table { font-size: 14px; }
.ftz-case { background: var(--ftz-card); border: 1px solid var(--ftz-line); border-radius: 10px; padding: 16px 20px; }
.ftz-case.ftz-empty { border-style: dashed; }
.ftz-case-title { font-size: 19px; font-weight: 700; color: var(--ftz-ink); margin-bottom: 4px; }
.ftz-case-section { margin-top: 14px; }
.ftz-case-section-label { font-weight: 700; color: var(--ftz-blue); font-size: 14.5px; margin-bottom: 4px; }
.ftz-case .ftz-section-text { max-height: none; background: transparent; border: 0; padding: 0; font-size: 14.5px; }
""" % {"font": CSS_FONT}  # noqa: UP031 - CSS is full of braces; %-format keeps them literal

# Enter sends and Shift+Enter makes a new line (Textbox lines=1, max_lines>1). An IME (pinyin) uses
# Enter to commit its candidate: that keystroke must never send the question.
HEAD = """
<meta name="viewport" content="width=device-width, initial-scale=1">
<script>
(function () {
  var lastCompositionEnd = 0;
  window.addEventListener('compositionend', function () { lastCompositionEnd = Date.now(); }, true);
  function guard(e) {
    if (e.key !== 'Enter' || !e.target || !e.target.closest || !e.target.closest('#ftz-question')) return;
    var composing = e.isComposing || e.keyCode === 229 || (Date.now() - lastCompositionEnd) < 60;
    if (composing) { e.stopImmediatePropagation(); if (!e.isComposing && e.type === 'keypress') e.preventDefault(); }
  }
  window.addEventListener('keydown', guard, true);
  window.addEventListener('keypress', guard, true);
})();
</script>
"""

HEADER = """
<div class="ftz-header">
  <div class="ftz-seal">自贸</div>
  <div>
    <div class="ftz-title">自贸案例问答 <span class="ftz-en">· FTZ Case Assistant</span></div>
    <div class="ftz-subtitle">基于自贸试验区制度创新案例原文作答，每句注明出处 · Answers grounded in free-trade-zone case documents, every sentence cited</div>
  </div>
  <div class="ftz-header-right">%(stats)s</div>
</div>
"""
