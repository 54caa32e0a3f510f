"""The bot's own screens (/start, /help, /about, /topics, paragraphs, inline results) as HTML.

Answers themselves come from ``bot.render``; these screens reuse its ``escape``/``escape_within``
so that all escaping for Telegram still goes through that one module, and every screen stays
under Telegram's 4096-character message limit however large the knowledge base is.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot import messages
from bot.answers import Answer, AnswerEngine, AnswerStatus
from bot.article import Paragraph
from bot.curation.report import Report
from bot.render import (
    TELEGRAM_MESSAGE_LIMIT,
    escape,
    escape_within,
    quoted,
    render_paragraph_html,
    render_telegram_html,
)

QUESTION_HEADING_LIMIT = 300


def _within_limit(lines: Iterable[str], limit: int = TELEGRAM_MESSAGE_LIMIT) -> str:
    """Join lines, stopping (with "…") before the one that would break the limit."""
    kept: list[str] = []
    used = 0
    for line in lines:
        if used + len(line) + 1 > limit - len(messages.TRUNCATED) - 1:
            kept.append(messages.TRUNCATED)
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)


def start_html(engine: AnswerEngine) -> str:
    """What the bot is, which article, and example questions (buttons follow)."""
    lines = [escape(messages.BOT_INTRO), ""]
    for source in engine.knowledge.sources.values():
        article = messages.BOT_ARTICLE.format(label=source.meta.label)
        lines.append(f"<b>{escape_within(article, 400)}</b>")
        if source.meta.description:
            lines.append(escape_within(source.meta.description, 1000))
    lines += ["", escape(messages.BOT_EXAMPLES)]
    lines += [f"• {escape_within(q, 300)}" for q in engine.featured_questions()]
    return _within_limit(lines)


def help_html(username: str) -> str:
    """How to ask, in private, in groups and inline."""
    return escape(messages.BOT_HELP.format(username=username))


def about_html(engine: AnswerEngine) -> str:
    """Each source: label, description, what is (not) known, how many facts, the limits."""
    lines: list[str] = []
    for source in engine.knowledge.sources.values():
        meta = source.meta
        lines.append(f"<b>{escape_within(meta.label, 300)}</b>")
        if meta.description:
            lines.append(escape_within(meta.description, 1000))
        if meta.known:
            lines += ["", escape(messages.BOT_ABOUT_KNOWN)]
            for key, value in meta.known.items():
                shown = ", ".join(value) if isinstance(value, list) else value
                lines.append(f"• {escape_within(key, 100)}: {escape_within(shown, 300)}")
        if meta.unknown:
            items = ", ".join(meta.unknown)
            lines += ["", escape_within(messages.BOT_ABOUT_UNKNOWN.format(items=items), 600)]
        counts = messages.BOT_ABOUT_FACTS.format(
            facts=len(source.facts), paragraphs=len(source.article.paragraphs)
        )
        lines += ["", escape(counts), ""]
    lines.append(escape(messages.BOT_ABOUT_LIMITS))
    return _within_limit(lines)


def topics_html(engine: AnswerEngine) -> str:
    """Every topic with its questions."""
    lines = [escape(messages.BOT_TOPICS)]
    for topic, questions in engine.topics().items():
        lines += ["", f"<b>{escape_within(topic, 200)}</b>"]
        lines += [f"• {escape_within(q, 300)}" for q in questions]
    return _within_limit(lines)


def paragraph_html(engine: AnswerEngine, source_id: str, paragraph: Paragraph) -> str:
    """One whole paragraph with its label and number as the heading."""
    source = engine.knowledge.sources[source_id]
    heading = messages.BOT_SOURCE_HEADING.format(label=source.meta.label, number=paragraph.number)
    if paragraph.section:
        heading += " — " + messages.SECTION.format(section=paragraph.section)
    return render_paragraph_html(paragraph.text, heading)


def answer_html(answer: Answer, max_question_chars: int) -> str:
    """An answer as a reply to the asker's own message (the question is visible above it)."""
    return render_telegram_html(answer, max_question_chars)


def answer_with_question_html(question: str, answer: Answer, max_question_chars: int) -> str:
    """An answer with the question on top, for inline results, where nobody sees the query."""
    heading = f"❓ <i>{escape_within(question, QUESTION_HEADING_LIMIT)}</i>\n\n"
    body = render_telegram_html(answer, max_question_chars, TELEGRAM_MESSAGE_LIMIT - len(heading))
    return heading + body


def inline_description(answer: Answer) -> str:
    """The grey line under an inline result's title: the first quote, plain text."""
    if answer.status is AnswerStatus.ANSWERED and answer.citations:
        return quoted(answer.citations[0].quote)
    return messages.DECLINE


def source_usage(engine: AnswerEngine) -> str:
    """How to use /source, with the real paragraph range."""
    count = max(len(s.article.paragraphs) for s in engine.knowledge.sources.values())
    return escape(messages.BOT_SOURCE_USAGE.format(count=count))


def notice(text: str) -> str:
    """A plain sentence from ``bot.messages`` as HTML."""
    return escape(text)


def stats_html(report: Report, days: int) -> str:
    """/stats: the last days in a few lines and the top unanswered questions."""
    total = report.total
    rate = f"{total.rate:.0%}" if total.asked else "–"
    channels = ", ".join(
        f"{name} {tally.asked}" for name, tally in report.by_channel.items()
    ) or "–"
    lines = [
        f"<b>{escape(messages.BOT_STATS_HEADING.format(days=days))}</b>",
        escape(messages.BOT_STATS_TOTAL.format(
            asked=total.asked, answered=total.answered, rate=rate)),
        escape(messages.BOT_STATS_CHANNELS.format(channels=channels)),
        escape(messages.BOT_STATS_FEEDBACK.format(
            helpful=report.helpful, not_helpful=report.not_helpful)),
        "",
    ]
    if report.unanswered:
        lines.append(escape(messages.BOT_STATS_UNANSWERED))
        lines += [f"• {escape_within(g.example, 200)} (×{g.count})" for g in report.unanswered]
    else:
        lines.append(escape(messages.BOT_STATS_NONE_UNANSWERED))
    lines += ["", escape(messages.BOT_STATS_MORE.format(days=days))]
    return _within_limit(lines)
