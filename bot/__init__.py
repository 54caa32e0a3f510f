"""citebot: answers questions about a news article with verbatim, cited quotes."""

__version__ = "0.1.0"
