"""Curator tools over the records: the report, suggestions for the fact base, exports."""
