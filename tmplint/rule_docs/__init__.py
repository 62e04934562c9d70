"""One Markdown file per rule (``TMP101.md`` ...): the source of ``--explain`` and of ``docs/rules/``."""
