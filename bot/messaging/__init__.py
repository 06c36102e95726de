"""Messaging: updates in (``inbox``), how they are handled (``processor``, ``flood``), messages
out (``outbox``, ``ratelimit``), and the runtime's own declaration (``runtime``)."""
