"""Every sentence citebot says to a user, in one place (renderers and the bot use these)."""

from __future__ import annotations

DECLINE = "The article doesn't say."
DECLINE_SUGGESTIONS_INTRO = "Questions it can answer:"
UNSURE = "I'm not sure the article answers that."
DID_YOU_MEAN = "Did you mean: {question}"
SMALL_TALK = (
    "Hi! I answer questions about the article, quoting its own words. Ask me anything about it."
)
UNCLEAR = "What do you mean? Please ask about something the article covers, in a few words."
EXAMPLES_INTRO = "For example:"
TRACE_DECISION = "Decision"
TRACE_PARTS = "Parts of the message judged"
TRACE_NO_FACTS = "No fact shares a word or a meaning with the question."
OTHER_SUGGESTIONS_INTRO = "Or try:"
EMPTY_QUESTION = "Please type a question about the article."
TOO_LONG = "That message is too long. Please ask one question in under {limit} characters."
NO_WORDS = "I couldn't find a question in that. Please ask in words."
CAPTION = "photo caption"
PARAGRAPH = "paragraph {number}"
SECTION = "section “{section}”"
HEADING = "heading of the section “{section}” (before paragraph {number})"
CONFIDENCE = "confidence {confidence:.0f}/100"
TRUNCATED = "…"

# --- Telegram bot -------------------------------------------------------------------------
# Plain text; the Telegram layer escapes anything that comes from the knowledge base.
BOT_INTRO = (
    "I answer questions about one news article, and every answer quotes the article word for "
    "word and says where the quote is."
)
BOT_ARTICLE = "The article: {label}"
BOT_EXAMPLES = "Try one of these, or just type your own question:"
BOT_HELP = (
    "Ask me anything about the article.\n"
    "\n"
    "In this chat, just type your question.\n"
    "In a group: /ask <question>, mention me (@{username} <question>), or reply to one of my "
    "messages.\n"
    "In any chat: type @{username} <question> and pick an answer.\n"
    "\n"
    "/topics — what you can ask\n"
    "/about — the article and what it does not say\n"
    "/source <n> — a whole paragraph of the article\n"
    "\n"
    "If the article doesn't answer a question, I say so rather than guess."
)
BOT_ABOUT_KNOWN = "What the article tells about itself:"
BOT_ABOUT_UNKNOWN = "Not known from the article: {items}."
BOT_ABOUT_FACTS = "{facts} curated facts, {paragraphs} paragraphs."
BOT_ABOUT_LIMITS = (
    "I only quote this article. I can't search the web, follow the news, give opinions or "
    "answer questions the article doesn't answer."
)
BOT_TOPICS = "What you can ask, by topic:"
BOT_ASK_USAGE = "Put your question after the command, for example: /ask {example}"
BOT_SOURCE_USAGE = "Send /source with a paragraph number from 1 to {count}, for example: /source 2"
BOT_SOURCE_HEADING = "{label}, paragraph {number}"
BOT_SEND_TEXT = "Please send me your question as text."
BOT_RATE_LIMITED = (
    "You're asking faster than I can keep up with. Please wait a minute, then ask again."
)
BOT_ERROR = "Sorry, something went wrong on my side. Please try again in a moment."
BOT_NOT_ALLOWED = "Sorry, this bot only answers in the chats it was set up for."
BOT_BUTTON_EXPIRED = "That button no longer works. Please ask your question again."
BOT_BUTTON_PARAGRAPH = "Full paragraph"
BOT_BUTTON_PARAGRAPH_N = "Full paragraph {number}"
BOT_BUTTON_HELPFUL = "👍 Helpful"
BOT_BUTTON_NOT_HELPFUL = "👎 Not helpful"
BOT_FEEDBACK_THANKS = "Thanks for the feedback!"
BOT_FEEDBACK_OFF = "Thanks! Feedback is not being recorded at the moment."
BOT_STATS_OFF = "Recording is off (CITEBOT_RECORDING=false), so there are no statistics."
BOT_STATS_UNAVAILABLE = "The records database cannot be read right now: {problem}"
BOT_STATS_HEADING = "Last {days} days"
BOT_STATS_TOTAL = "{asked} questions, {answered} answered ({rate})"
BOT_STATS_CHANNELS = "By channel: {channels}"
BOT_STATS_FEEDBACK = "Feedback: {helpful} helpful, {not_helpful} not helpful"
BOT_STATS_UNANSWERED = "Top unanswered questions:"
BOT_STATS_NONE_UNANSWERED = "No unanswered questions."
BOT_STATS_MORE = "Full report: citebot report --since {days}d"
BOT_INLINE_EXAMPLE = "Example question"
BOT_INLINE_NO_ANSWER = "The article doesn't say — try one of these"
BOT_COMMAND_START = "What this bot does"
BOT_COMMAND_ASK = "Ask a question about the article"
BOT_COMMAND_HELP = "How to ask"
BOT_COMMAND_ABOUT = "The article and its limits"
BOT_COMMAND_TOPICS = "What you can ask"
BOT_COMMAND_SOURCE = "Show a whole paragraph: /source 3"

# Console chat (citebot chat)
CHAT_BANNER = "citebot {version} — questions about: {labels}"
CHAT_HELP = (
    "Ask anything about the article; every answer quotes it and says where from.\n"
    "Commands: /topics  what you can ask    /help  this text    /quit  leave (or Ctrl-D)"
)
CHAT_TRY = "Try: {examples}"
