"""The Telegram front end: handlers, buttons, logging and the Application that ties them up.

Nothing outside this package imports ``telegram``; the answer engine stays usable from the CLI.
"""
