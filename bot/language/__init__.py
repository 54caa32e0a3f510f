"""What citebot knows about the languages people ask in, as data (one module per language)."""
