"""The composition root: settings + engine -> a configured ``Application``; and ``run_bot``."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Any, TypeAlias
from urllib.parse import urlparse

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import messages
from bot.answers import AnswerEngine
from bot.calibration import CalibrationError
from bot.knowledge import KnowledgeError, load_knowledge
from bot.recording import Recorder
from bot.settings import RunMode, Settings, TokenError, unknown_settings
from bot.telegram import handlers
from bot.telegram.concurrency import PerChatUpdateProcessor
from bot.telegram.context import Bot, BotData, Context
from bot.telegram.logging import setup_logging
from bot.telegram.retry import RetryingRateLimiter

logger = logging.getLogger(__name__)

CitebotApplication: TypeAlias = Application[
    Bot, Context, dict[Any, Any], dict[Any, Any], BotData, None
]



class _Application(Application[Bot, Context, dict[Any, Any], dict[Any, Any], BotData, None]):
    """An ``Application`` that keeps no ids for a persistence it does not have.

    python-telegram-bot 22 adds the chat and user id of every update to two sets that only
    ``update_persistence`` empties, and that never runs without a persistence: with new people
    arriving for ever, the sets grow for ever (found by ``benchmarks.load --soak``).
    """

    def _mark_for_persistence_update(
        self, *, update: object | None = None, job: Any = None
    ) -> None:
        if self.persistence is not None:
            super()._mark_for_persistence_update(update=update, job=job)


EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2

ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
]

PRIVATE_COMMANDS = [
    BotCommand("start", messages.BOT_COMMAND_START),
    BotCommand("ask", messages.BOT_COMMAND_ASK),
    BotCommand("topics", messages.BOT_COMMAND_TOPICS),
    BotCommand("about", messages.BOT_COMMAND_ABOUT),
    BotCommand("source", messages.BOT_COMMAND_SOURCE),
    BotCommand("help", messages.BOT_COMMAND_HELP),
]
GROUP_COMMANDS = [
    BotCommand("ask", messages.BOT_COMMAND_ASK),
    BotCommand("topics", messages.BOT_COMMAND_TOPICS),
    BotCommand("about", messages.BOT_COMMAND_ABOUT),
    BotCommand("help", messages.BOT_COMMAND_HELP),
]

# Timeouts in seconds for every Bot API call except long polling (which adds its own).
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 15.0
WRITE_TIMEOUT = 15.0
POOL_TIMEOUT = 5.0
POLL_TIMEOUT = 30


async def post_init(application: CitebotApplication) -> None:
    """Set the command menus per scope and warn about BotFather settings that hide features."""
    bot = application.bot
    await bot.set_my_commands(PRIVATE_COMMANDS, scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(GROUP_COMMANDS, scope=BotCommandScopeAllGroupChats())
    me = bot.bot
    logger.info("citebot is running as @%s", me.username)
    if not me.supports_inline_queries:
        logger.warning(
            "inline mode is off for @%s: send /setinline to @BotFather to turn it on",
            me.username,
        )
    recorder = application.bot_data.recorder
    if recorder is not None:
        recorder.start()  # retention runs now, not at the first question
        logger.info("recording questions to %s", recorder.writer.path)


async def post_shutdown(application: CitebotApplication) -> None:
    """Write the records still queued, then stop the writer."""
    recorder = application.bot_data.recorder
    if recorder is not None:
        await asyncio.to_thread(recorder.close)  # joins the writer thread: off the loop


def _register_handlers(application: CitebotApplication) -> None:
    """Routing by handlers and filters; the callbacks live in ``bot.telegram.handlers``."""
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    new = filters.UpdateType.MESSAGE  # screens are not re-sent when a command is edited
    new_or_edited = filters.UpdateType.MESSAGES
    addressed = handlers.MentionsBot() | handlers.RepliesToBot()
    text = filters.TEXT & ~filters.COMMAND
    admins = filters.User(user_id=application.bot_data.admin_user_ids)

    if application.bot_data.allowed_chats:
        application.add_handler(TypeHandler(Update, handlers.allowed_chats_only), group=-1)

    application.add_handlers(
        [
            CommandHandler("start", handlers.start, filters=new),
            CommandHandler("help", handlers.help_command, filters=new),
            CommandHandler("about", handlers.about, filters=new),
            CommandHandler("topics", handlers.topics, filters=new),
            CommandHandler("source", handlers.source, filters=new),
            CommandHandler("stats", handlers.stats, filters=new & admins),
            CommandHandler("stats", handlers.help_command, filters=new),  # everyone else
            CommandHandler("ask", handlers.ask_command, filters=new_or_edited),
            MessageHandler(new_or_edited & text & private, handlers.ask_text),
            MessageHandler(new_or_edited & text & groups & addressed, handlers.ask_text),
            MessageHandler(new & filters.COMMAND & private, handlers.unknown_command),
            # Service messages (pinned, joined, ...) are not things a person sent.
            MessageHandler(
                new & private & ~filters.TEXT & ~filters.StatusUpdate.ALL, handlers.non_text
            ),
            CallbackQueryHandler(handlers.button),
            InlineQueryHandler(handlers.inline_query),
        ]
    )
    application.add_error_handler(handlers.on_error)


def build_application(
    settings: Settings, engine: AnswerEngine, recorder: Recorder | None = None
) -> CitebotApplication:
    """Wire settings, engine, recorder and handlers into a ready-to-run ``Application``.

    Without a ``recorder``, one is made from the settings unless CITEBOT_RECORDING is off.
    """
    if recorder is None and settings.recording:
        recorder = Recorder.from_settings(settings)
    builder = (
        Application.builder()
        .application_class(_Application)
        .token(settings.require_token().get_secret_value())  # the one place it is unwrapped
        .context_types(ContextTypes(bot_data=BotData))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                # Answer even if the question was deleted meanwhile.
                allow_sending_without_reply=True,
            )
        )
        .rate_limiter(RetryingRateLimiter())
        .concurrent_updates(PerChatUpdateProcessor())
        .job_queue(None)
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT)
        .write_timeout(WRITE_TIMEOUT)
        .pool_timeout(POOL_TIMEOUT)
        .get_updates_connect_timeout(CONNECT_TIMEOUT)
        .get_updates_read_timeout(READ_TIMEOUT)
        .get_updates_write_timeout(WRITE_TIMEOUT)
        .get_updates_pool_timeout(POOL_TIMEOUT)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if settings.telegram_base_url:
        builder = builder.base_url(settings.telegram_base_url)
    if settings.telegram_base_file_url:
        builder = builder.base_file_url(settings.telegram_base_file_url)
    application: CitebotApplication = builder.build()
    application.bot_data.configure(settings, engine, recorder)
    _register_handlers(application)
    return application


def _fail(message: str) -> None:
    print(f"citebot: {message}", file=sys.stderr)


def run_bot(settings: Settings) -> int:
    """Run the bot until SIGINT/SIGTERM; return the process exit code."""
    try:
        token = settings.require_token()
    except TokenError as exc:
        _fail(str(exc))
        return EXIT_CONFIG
    try:
        engine = settings.build_engine(load_knowledge(settings.knowledge_dir))
    except CalibrationError as exc:
        _fail(f"calibration: {exc}")
        return EXIT_CONFIG
    except KnowledgeError as exc:
        more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
        _fail(
            f"knowledge base '{settings.knowledge_dir}' is invalid: {exc.problems[0]}{more}; "
            "run `citebot check` for details"
        )
        return EXIT_CONFIG
    secrets = [token.get_secret_value()]
    if settings.webhook_secret_token:
        secrets.append(settings.webhook_secret_token.get_secret_value())
    setup_logging(settings.log_level, secrets)
    if unknown := unknown_settings():
        logger.warning(
            "ignoring unknown settings (typos?): %s; see .env.example for the names",
            ", ".join(unknown),
        )
    # Opt in to python-telegram-bot's timedelta time periods: we read none of them as ints, and
    # this avoids a deprecation warning on every 429.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    application = build_application(settings, engine)
    try:
        if settings.mode is RunMode.WEBHOOK:
            _run_webhook(application, settings)
        else:
            application.run_polling(
                allowed_updates=ALLOWED_UPDATES,
                timeout=POLL_TIMEOUT,
                bootstrap_retries=settings.startup_retries,
            )
    except InvalidToken:
        _fail("Telegram refused TELEGRAM_BOT_TOKEN; get the current token from @BotFather")
        return EXIT_CONFIG
    except NetworkError as exc:
        host = urlparse(settings.telegram_base_url or "https://api.telegram.org").hostname
        _fail(f"cannot reach the Telegram Bot API at {host}: {exc}; giving up after retries")
        return EXIT_FAILED
    finally:
        # post_shutdown does this on a normal stop; a failed start never reaches it.
        if application.bot_data.recorder is not None:
            application.bot_data.recorder.close()
    return EXIT_OK


def _run_webhook(application: CitebotApplication, settings: Settings) -> None:
    """Listen for Telegram's POSTs on the path of CITEBOT_WEBHOOK_URL."""
    url = settings.webhook_url or ""
    token = settings.webhook_secret_token
    secret = token.get_secret_value() if token else ""
    if not secret:
        logger.warning(
            "CITEBOT_WEBHOOK_SECRET_TOKEN is not set: anyone who finds the webhook URL can post "
            "updates to the bot"
        )
    application.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=urlparse(url).path.lstrip("/"),
        webhook_url=url,
        secret_token=secret or None,
        allowed_updates=ALLOWED_UPDATES,
        bootstrap_retries=settings.startup_retries,
    )
