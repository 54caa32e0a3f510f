"""Renderers: one answer model, two outputs (plain text for the console, HTML for Telegram).

This is the only module that escapes text for Telegram HTML, and it keeps every Telegram
message under the 4096-character limit by dropping whole trailing quotes before cutting text.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from bot import messages
from bot.answers import Answer, AnswerStatus, Citation, InputProblem, Trace

TELEGRAM_MESSAGE_LIMIT = 4096


def citation_place(citation: Citation) -> str:
    """Where a quote is: "label, paragraph 6, section “…”" (only what is known)."""
    if citation.is_heading:
        return ", ".join(
            [
                citation.source_label,
                messages.HEADING.format(
                    section=citation.section, number=citation.paragraph
                ),
            ]
        )
    parts = [citation.source_label, messages.PARAGRAPH.format(number=citation.paragraph)]
    if citation.is_caption:
        parts[-1] += f" ({messages.CAPTION})"
    if citation.section:
        parts.append(messages.SECTION.format(section=citation.section))
    return ", ".join(parts)


def notice_text(answer: Answer, max_question_chars: int) -> str:
    """The message for input that is not a question at all."""
    if answer.input_problem is InputProblem.TOO_LONG:
        return messages.TOO_LONG.format(limit=max_question_chars)
    if answer.input_problem is InputProblem.NO_WORDS:
        return messages.NO_WORDS
    return messages.EMPTY_QUESTION


def _suggestion_block(answer: Answer, bullet: Callable[[str], str]) -> list[str]:
    lines: list[str] = []
    suggestions = list(answer.suggestions)
    if answer.status is AnswerStatus.UNSURE and answer.did_you_mean:
        lines.append(messages.DID_YOU_MEAN.format(question=bullet(answer.did_you_mean).strip()))
        suggestions = [s for s in suggestions if s != answer.did_you_mean]
        if suggestions:
            lines.append(messages.OTHER_SUGGESTIONS_INTRO)
    elif suggestions:
        lines.append(
            messages.EXAMPLES_INTRO
            if answer.status in (AnswerStatus.SMALL_TALK, AnswerStatus.UNCLEAR)
            else messages.DECLINE_SUGGESTIONS_INTRO
        )
    lines.extend(f"  • {bullet(s).strip()}" for s in suggestions)
    return lines


_OPENING_MARKS = "“\"‘«„"
_CLOSING_MARKS = "”\"’»"


def quoted(text: str) -> str:
    """``text`` in quotation marks, unless it opens or closes with the article's own marks:
    "““He’s put a lot of time…,” Rubio said.”" reads as a typo, and the quote is set apart on
    its own line (or in a blockquote) anyway."""
    if text[:1] in _OPENING_MARKS or text[-1:] in _CLOSING_MARKS:
        return text
    return f"“{text}”"


def render_trace(trace: Trace) -> str:
    """Why an answer was given or declined, for a curator (``citebot ask --explain``)."""
    lines = [f"{messages.TRACE_DECISION}: {trace.decision}"]
    if len(trace.question_parts) > 1:
        lines.append(messages.TRACE_PARTS + ": " + " | ".join(trace.question_parts))
    if not trace.facts:
        lines.append(messages.TRACE_NO_FACTS)
    for rank, fact in enumerate(trace.facts, start=1):
        lines.append(f"{rank}. {fact.source}/{fact.fact_id}  confidence {fact.confidence:.1f}")
        if len(trace.question_parts) > 1:
            lines.append(f"   part: {fact.part}")
        lines.append(
            "   signals: " + ", ".join(f"{k} {v:g}" for k, v in fact.signals.items())
        )
        checks = ", ".join(f"{k} {v}" for k, v in fact.checks.items()) or "none apply"
        lines.append(f"   checks: {checks}")
        if fact.contributions:
            pushes = sorted(fact.contributions.items(), key=lambda kv: -abs(kv[1]))
            lines.append(
                "   decision pushes: " + ", ".join(f"{k} {v:+.2f}" for k, v in pushes)
            )
    return "\n".join(lines)


def _head(answer: Answer) -> str:
    """The first line of a reply that quotes nothing."""
    return {
        AnswerStatus.DECLINED: messages.DECLINE,
        AnswerStatus.UNSURE: messages.UNSURE,
        AnswerStatus.SMALL_TALK: messages.SMALL_TALK,
        AnswerStatus.UNCLEAR: messages.UNCLEAR,
    }.get(answer.status, messages.DECLINE)


def render_plain(answer: Answer, max_question_chars: int = 1000, *, show_confidence: bool = True
                 ) -> str:
    """Plain text for the console: answer line, numbered quotes, then where each comes from."""
    if answer.status is AnswerStatus.INVALID:
        return notice_text(answer, max_question_chars)
    if answer.status is not AnswerStatus.ANSWERED:
        lines = [_head(answer), *_suggestion_block(answer, lambda s: s)]
        return "\n".join(lines)
    lines = [answer.answer or ""]
    lines.append("")
    for number, citation in enumerate(answer.citations, start=1):
        lines.append(f"  {quoted(citation.quote)} [{number}]")
    lines.append("")
    for number, citation in enumerate(answer.citations, start=1):
        lines.append(f"[{number}] {citation_place(citation)}")
    if show_confidence:
        lines.append(f"({messages.CONFIDENCE.format(confidence=answer.confidence)})")
    return "\n".join(lines)


def escape(text: str) -> str:
    """Escape text for Telegram's HTML parse mode (only &, < and > are special there)."""
    return html.escape(text, quote=False)


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters at a word boundary, marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(messages.TRUNCATED))]
    if " " in cut[len(cut) // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip() + messages.TRUNCATED


def escape_within(text: str, limit: int) -> str:
    """Escape ``text`` and cut it (before escaping) so the escaped form fits ``limit``.

    Cutting after escaping could split an entity such as ``&amp;``; cutting before it, by
    escaped length, cannot.
    """
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    budget = limit - len(messages.TRUNCATED)
    used = 0
    end = 0
    for end, char in enumerate(text):  # noqa: B007 - end is used after the loop
        used += len(escape(char))
        if used > budget:
            break
    return escape(truncate(text, end + len(messages.TRUNCATED)))


def _fit(blocks: list[str], limit: int) -> str:
    """Join blocks, dropping whole trailing ones until the message fits ``limit``."""
    kept = list(blocks)
    while len(kept) > 1 and len("\n\n".join(kept)) > limit:
        kept.pop()
    return "\n\n".join(kept)


def render_telegram_html(
    answer: Answer, max_question_chars: int = 1000, limit: int = TELEGRAM_MESSAGE_LIMIT
) -> str:
    """Telegram HTML: bold answer, each quote in a blockquote with its citation, all escaped."""
    if answer.status is AnswerStatus.INVALID:
        return escape(notice_text(answer, max_question_chars))
    if answer.status is not AnswerStatus.ANSWERED:
        lines = [f"<b>{escape(_head(answer))}</b>"]
        room = (limit - 100) // 5  # heading, did-you-mean, intro and suggestion lines
        used = len(lines[0])
        for line in _suggestion_block(answer, lambda s: s):
            escaped = escape_within(line, room)
            if used + 1 + len(escaped) > limit:
                break  # whole suggestions only; the first ones are the closest
            lines.append(escaped)
            used += 1 + len(escaped)
        return "\n".join(lines)

    # Fixed budgets (in escaped characters) make the limit hold for any curated text:
    # answer 900, and per quote block 1000 for the quote plus 300 for where it is from.
    blocks = [f"<b>{escape_within(answer.answer or '', 900)}</b>"]
    for number, citation in enumerate(answer.citations, start=1):
        quote = escape_within(citation.quote, 1000)
        place = escape_within(citation_place(citation), 300)
        blocks.append(f"<blockquote>{quote}</blockquote>\n<i>[{number}] {place}</i>")
    return _fit(blocks, limit)


def render_paragraph_html(text: str, heading: str, limit: int = TELEGRAM_MESSAGE_LIMIT) -> str:
    """A whole paragraph for "Full paragraph", escaped and within the message limit."""
    head = f"<b>{escape_within(heading, 300)}</b>\n"
    body = escape_within(text, limit - len(head) - len("<blockquote></blockquote>"))
    return f"{head}<blockquote>{body}</blockquote>"
