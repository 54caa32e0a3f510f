"""Every sentence citebot says to a user, in one place (renderers and the bot use these)."""

from __future__ import annotations

DECLINE = "The article doesn't say."
DECLINE_SUGGESTIONS_INTRO = "Questions it can answer:"
UNSURE = "I'm not sure the article answers that."
DID_YOU_MEAN = "Did you mean: {question}"
OTHER_SUGGESTIONS_INTRO = "Or try:"
EMPTY_QUESTION = "Please type a question about the article."
TOO_LONG = "That message is too long. Please ask one question in under {limit} characters."
NO_WORDS = "I couldn't find a question in that. Please ask in words."
CAPTION = "photo caption"
PARAGRAPH = "paragraph {number}"
SECTION = "section “{section}”"
CONFIDENCE = "confidence {confidence:.0f}/100"
TRUNCATED = "…"
