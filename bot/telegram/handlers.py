"""Thin async callbacks: read the update, ask the engine, render, reply.

Routing (private vs group, commands vs mentions vs replies) is done by the filters in
``bot.telegram.app``; each callback here does one thing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re

from telegram import (
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction, ChatType
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop, filters

from bot import messages
from bot.answers import Answer, AnswerStatus
from bot.curation.report import recent_report
from bot.recording import Channel
from bot.render import truncate
from bot.store import StoreError
from bot.telegram import keyboards, views
from bot.telegram.context import Context
from bot.telegram.ratelimit import Verdict

logger = logging.getLogger(__name__)

INLINE_RESULTS = 8
INLINE_EXAMPLES = 6
INLINE_TITLE_LIMIT = 100
# Telegram caches inline results for everyone by default; behind an allow-list they are per user
# (a stranger must not see an allowed user's cached results), briefly.
INLINE_PERSONAL_CACHE_SECONDS = 10
STATS_DAYS = 7
TYPING_DELAY = 0.5
STATS_UNANSWERED = 5


# ---------------------------------------------------------------- filters


class MentionsBot(filters.MessageFilter):
    """Messages that mention this bot (``@username`` or a text mention of its account)."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        username = (bot.username or "").lower()
        found = message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])
        for entity, text in found.items():
            if entity.type == MessageEntity.MENTION and text[1:].lower() == username:
                return True
            if entity.user is not None and entity.user.id == bot.id:
                return True
        return False


class RepliesToBot(filters.MessageFilter):
    """Replies to one of this bot's own messages."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        author = replied.from_user if replied else None
        return author is not None and author.id == message.get_bot().id


def without_mention(text: str, username: str) -> str:
    """The question in "@botname question" (the mention may be anywhere in the text).

    A mention in the middle becomes a dash, which keeps the chatter before it apart from the
    question after it ("lol 😂 @bot who was there" -> "lol 😂 — who was there"): the engine
    tries the last part on its own too.
    """
    if not username:
        return text.strip()
    # (?<!\w): "a@citebot.com" is an e-mail address, not a mention.
    mention = re.compile(rf"\s*(?<!\w)@{re.escape(username)}\b\s*", flags=re.IGNORECASE)
    return mention.sub(" — ", text).strip().strip("—").strip()


def _command_argument(text: str) -> str:
    """Everything after "/ask" or "/ask@botname", inner whitespace kept."""
    parts = text.split(None, 1)
    return parts[1].strip() if len(parts) > 1 else ""


# ---------------------------------------------------------------- helpers


async def _admitted(update: Update, context: Context) -> bool:
    """Per-user flood guard: True to go on; on the first refusal in a window, say so.

    A refused button press is still answered (silently after the first notice): until it is,
    the user's Telegram app keeps a spinner on the button.
    """
    user = update.effective_user
    if user is None or context.bot_data.is_admin(user.id):
        return True
    verdict = context.bot_data.limiter.check(user.id)
    if verdict is Verdict.ALLOW:
        return True
    notify = verdict is Verdict.NOTIFY
    if update.callback_query is not None:
        if notify:
            await update.callback_query.answer(messages.BOT_RATE_LIMITED, show_alert=True)
        else:
            await update.callback_query.answer()
    elif notify and update.effective_message is not None:
        await update.effective_message.reply_text(views.notice(messages.BOT_RATE_LIMITED))
    return False


async def _typing(context: Context, chat_id: int) -> None:
    """Show "typing…" if the answer is not out within ``TYPING_DELAY`` seconds.

    The engine answers in about 15 ms, so normally the answer is out first and no
    indicator is sent (one request a question saved). It shows when the answer is held up:
    waiting out a 429, paced to a group's limit, or a slow network. Cosmetic: never paced or
    retried (see ``bot.telegram.retry``), a failure is logged and otherwise ignored, and it is
    cancelled as soon as the answer is out.
    """
    await asyncio.sleep(TYPING_DELAY)
    try:
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    except TelegramError as exc:
        logger.debug("typing indicator failed: %s", exc)


def _channel(update: Update) -> Channel:
    if update.inline_query is not None:
        return Channel.INLINE
    chat = update.effective_chat
    return Channel.PRIVATE if chat is None or chat.type == ChatType.PRIVATE else Channel.GROUP


async def answer_off_the_loop(context: Context, question: str) -> Answer:
    """The engine's answer, computed in a worker thread.

    Encoding a question's meaning takes about 15 ms of CPU; on the event loop it would hold up
    every other chat for that long. How many run at once is bounded by the update processor
    (``bot.telegram.concurrency``), so a burst cannot queue unbounded work.
    """
    return await asyncio.to_thread(context.bot_data.engine.answer, question)


async def _answer(
    update: Update, context: Context, question: str
) -> tuple[Answer, InlineKeyboardMarkup | None]:
    """Answer, record (without waiting on the database) and build the buttons."""
    data = context.bot_data
    answer = await answer_off_the_loop(context, question)
    user = update.effective_user
    # An edited question was recorded when first asked; recording it again would count it twice.
    record_id = (
        data.record(answer, _channel(update), user.id if user else None)
        if update.edited_message is None
        else None
    )
    return answer, keyboards.answer_keyboard(answer, data.questions, record_id)


async def _reply_or_edit(
    update: Update, context: Context, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Reply to the question; for an edited question, edit the earlier answer instead."""
    message = update.effective_message
    if message is None:
        return
    log = context.bot_data.answers
    earlier = log.answer_to(message.chat_id, message.message_id)
    if update.edited_message is not None and earlier is not None:
        try:
            await context.bot.edit_message_text(
                text, chat_id=message.chat_id, message_id=earlier, reply_markup=markup
            )
            return
        except BadRequest as exc:
            # Telegram refuses an edit that changes nothing; the answer is already right.
            if "not modified" in exc.message.lower():
                return
            logger.info("could not edit answer %d (%s); sending a new one", earlier, exc)
    sent = await message.reply_text(text, reply_markup=markup)
    log.remember(message.chat_id, message.message_id, sent.message_id)


async def _answer_question(update: Update, context: Context, question: str) -> None:
    """The whole question flow: flood guard, "typing", engine, reply (or edit)."""
    message = update.effective_message
    if message is None or not await _admitted(update, context):
        return
    typing = asyncio.create_task(_typing(context, message.chat_id))
    try:
        answer, markup = await _answer(update, context, question)
        text = views.answer_html(answer, context.bot_data.max_question_chars)
        await _reply_or_edit(update, context, text, markup)
    finally:
        typing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await typing


# ---------------------------------------------------------------- questions


async def ask_text(update: Update, context: Context) -> None:
    """Answer a text message: any in private, mentions of or replies to the bot in groups."""
    message = update.effective_message
    if message is not None and message.text is not None:
        question = without_mention(message.text, context.bot.username)
        await _answer_question(update, context, question)


async def ask_command(update: Update, context: Context) -> None:
    """Answer "/ask <question>" (or "/ask" sent as a reply to someone's question)."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    question = _command_argument(message.text)
    replied = message.reply_to_message
    if not question and replied and replied.text and not RepliesToBot().filter(message):
        question = without_mention(replied.text, context.bot.username)
    if not question:
        example = context.bot_data.engine.featured_questions(1)
        usage = messages.BOT_ASK_USAGE.format(example=example[0] if example else "…")
        await message.reply_text(views.notice(usage))
        return
    await _answer_question(update, context, question)


async def non_text(update: Update, context: Context) -> None:
    """Ask for text when a private chat sends a photo, sticker, voice note or the like."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(views.notice(messages.BOT_SEND_TEXT))


# ---------------------------------------------------------------- commands


async def start(update: Update, context: Context) -> None:
    """Say what the bot is, which article, and offer example questions as buttons."""
    if update.effective_message is None:
        return
    engine = context.bot_data.engine
    markup = keyboards.question_keyboard(engine.featured_questions(), context.bot_data.questions)
    await update.effective_message.reply_text(views.start_html(engine), reply_markup=markup)


async def help_command(update: Update, context: Context) -> None:
    """Explain how to ask in private, in groups and inline."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(views.help_html(context.bot.username))


async def about(update: Update, context: Context) -> None:
    """Describe the source: label, what is known, how many facts, what the bot cannot do."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(views.about_html(context.bot_data.engine))


async def topics(update: Update, context: Context) -> None:
    """List what can be asked, grouped by topic."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(views.topics_html(context.bot_data.engine))


async def source(update: Update, context: Context) -> None:
    """Show a whole paragraph: "/source 6" (first source) or "/source <source-id> 6"."""
    message = update.effective_message
    if message is None:
        return
    engine = context.bot_data.engine
    args = context.args or []
    source_id = args[0] if len(args) == 2 else next(iter(engine.knowledge.sources))
    number = args[-1] if args else ""
    paragraph = engine.paragraph(source_id, int(number)) if number.isdecimal() else None
    if paragraph is None:
        await message.reply_text(views.source_usage(engine))
        return
    if await _admitted(update, context):
        await message.reply_text(views.paragraph_html(engine, source_id, paragraph))


async def stats(update: Update, context: Context) -> None:
    """Show the last 7 days and the top unanswered questions (admins only, see the filter)."""
    message = update.effective_message
    if message is None:
        return
    data = context.bot_data
    if data.recorder is None:
        await message.reply_text(views.notice(messages.BOT_STATS_OFF))
        return
    try:
        # Reading and grouping block: keep them off the event loop.
        report = await asyncio.to_thread(
            recent_report, data.recorder, data.engine, STATS_DAYS, STATS_UNANSWERED
        )
    except StoreError as exc:
        problem = messages.BOT_STATS_UNAVAILABLE.format(problem=exc)
        await message.reply_text(views.notice(problem))
        return
    await message.reply_text(views.stats_html(report, STATS_DAYS))


async def unknown_command(update: Update, context: Context) -> None:
    """Point to /help for a command the bot does not have (private chats only)."""
    await help_command(update, context)


# ---------------------------------------------------------------- buttons


async def button(update: Update, context: Context) -> None:
    """Handle a button press: show a paragraph, ask a suggested question, or take a vote."""
    query = update.callback_query
    if query is None:
        return
    if not await _admitted(update, context):
        return
    action = keyboards.decode(query.data)
    if isinstance(action, keyboards.Feedback):
        await _vote(update, context, action)
        return
    chat_message = query.message if isinstance(query.message, Message) else None
    data = context.bot_data
    text: str | None = None
    markup: InlineKeyboardMarkup | None = None
    if isinstance(action, keyboards.ShowParagraph):
        paragraph = data.engine.paragraph(action.source, action.number)
        if paragraph is not None:
            text = views.paragraph_html(data.engine, action.source, paragraph)
    elif isinstance(action, keyboards.AskQuestion):
        question = data.questions.question(action)
        if question is not None:
            answer, markup = await _answer(update, context, question)
            text = views.answer_with_question_html(question, answer, data.max_question_chars)
    if text is None or chat_message is None:
        await query.answer(messages.BOT_BUTTON_EXPIRED, show_alert=True)
        return
    await query.answer()
    await chat_message.reply_text(text, reply_markup=markup)


async def _vote(update: Update, context: Context, action: keyboards.Feedback) -> None:
    """Record a helpful / not helpful vote (works under inline messages too)."""
    query = update.callback_query
    if query is None:
        return
    recorder = context.bot_data.recorder
    recorded = recorder is not None and recorder.vote(
        action.record_id, query.from_user.id, action.helpful
    )
    await query.answer(messages.BOT_FEEDBACK_THANKS if recorded else messages.BOT_FEEDBACK_OFF)


# ---------------------------------------------------------------- inline mode


def _article(
    result_id: str,
    title: str,
    question: str,
    answer: Answer,
    limit: int,
    markup: InlineKeyboardMarkup | None = None,
) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=result_id,
        title=truncate(title, INLINE_TITLE_LIMIT),
        description=truncate(views.inline_description(answer), 200),
        input_message_content=InputTextMessageContent(
            views.answer_with_question_html(question, answer, limit)
        ),
        reply_markup=markup,
    )


async def inline_query(update: Update, context: Context) -> None:
    """Offer cited answers for "@botname question"; example questions for an empty query."""
    query = update.inline_query
    if query is None:
        return
    data = context.bot_data
    user_id = query.from_user.id
    if not data.is_admin(user_id) and data.inline_limiter.check(user_id) is not Verdict.ALLOW:
        # Past the allowance: no results and nothing recorded. An inline query cannot carry a
        # notice, and the next pause in typing after the window sends another query anyway.
        await query.answer([], cache_time=0, is_personal=True)
        return
    engine, limit = data.engine, data.max_question_chars
    text = query.query.strip()
    answer = await answer_off_the_loop(context, text) if text else None
    results: list[InlineQueryResultArticle] = []
    if answer is not None and answer.status is not AnswerStatus.INVALID:
        title = answer.answer if answer.answered else messages.BOT_INLINE_NO_ANSWER
        # Recorded when results are sent. Telegram sends a query at each pause in typing, so
        # the report leaves out those typed on the way to a longer one (see curation.report).
        record_id = data.record(answer, Channel.INLINE, query.from_user.id)
        # Inline messages have no chat message for "Full paragraph" to reply to: votes only.
        markup = (
            InlineKeyboardMarkup([keyboards.feedback_row(record_id)])
            if record_id is not None and answer.answered
            else None
        )
        results.append(_article("a", title or text, text, answer, limit, markup))
        follow_ups = [answer.did_you_mean or "", *answer.suggestions]
    else:
        follow_ups = engine.featured_questions(INLINE_EXAMPLES)
    for question in dict.fromkeys(q for q in follow_ups if q):
        suggested = await answer_off_the_loop(context, question)
        if suggested.answered:
            results.append(_article(f"s{len(results)}", question, question, suggested, limit))
    if data.allowed_chats:
        await query.answer(
            results[:INLINE_RESULTS],
            is_personal=True,
            cache_time=INLINE_PERSONAL_CACHE_SECONDS,
        )
    else:
        await query.answer(results[:INLINE_RESULTS])


# ---------------------------------------------------------------- access and errors


async def allowed_chats_only(update: Update, context: Context) -> None:
    """Stop updates from chats outside CITEBOT_ALLOWED_CHATS (admins may use any chat)."""
    data = context.bot_data
    user = update.effective_user
    chat = update.effective_chat
    # Inline queries carry no chat: the user's own (private) chat id is what gets allowed.
    chat_id = chat.id if chat else (user.id if user else None)
    if chat_id in data.allowed_chats or data.is_admin(user.id if user else None):
        return
    if update.message is not None and chat is not None and chat.type == ChatType.PRIVATE:
        await update.message.reply_text(views.notice(messages.BOT_NOT_ALLOWED))
    elif update.callback_query is not None:
        await update.callback_query.answer(messages.BOT_NOT_ALLOWED, show_alert=True)
    elif update.inline_query is not None:
        await update.inline_query.answer([], cache_time=0, is_personal=True)
    raise ApplicationHandlerStop


async def on_error(update: object, context: Context) -> None:
    """Log the error with its traceback, tell the user briefly, and carry on.

    A network error (polling failed, a send timed out or got a 502) is logged as one warning
    and not told to the user: the answer may well have arrived, and a notice saying it did not
    would be wrong (and would meet the same network).
    """
    update_id = update.update_id if isinstance(update, Update) else None
    error = context.error
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        what = f"update {update_id}" if update_id is not None else "polling"
        logger.warning("network error (%s) while handling %s: %s",
                       type(error).__name__, what, error)
        return
    logger.error("error while handling update %s", update_id, exc_info=error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(messages.BOT_ERROR, show_alert=True)
        elif update.effective_message is not None and update.inline_query is None:
            await update.effective_message.reply_text(views.notice(messages.BOT_ERROR))
    except TelegramError as exc:  # the notice is best-effort: never raise from here
        logger.warning("could not tell the user about the error: %s", exc)
