-- The outbox: every message the bot sends on its own (replies to needs, digests, nudges,
-- invitations, broadcasts), one row per logical message, sent at most once per key.
--   pending -> sending -> sent; or failed (with why), blocked (403: the person blocked the bot),
--   uncertain (the process stopped between handing it to Telegram and recording the answer:
--   never resent blindly, reported to admins by /outbox).
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,               -- e.g. digest:<user>:<period>, need-reply:<event id>
    chat_id INTEGER NOT NULL,
    body TEXT NOT NULL,                     -- JSON: text, buttons, photo (base64) or document
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'blocked', 'uncertain')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,          -- not before this (quiet hours, backoff, flood wait)
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_by_chat ON outbox (chat_id);

-- People who blocked the bot: they get nothing more from the outbox until they write again.
CREATE TABLE unreachable (
    chat_id INTEGER PRIMARY KEY,
    since TEXT NOT NULL
);

-- A need may now be marked done: the status check is widened by rebuilding the table.
CREATE TABLE needs_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id INTEGER NOT NULL UNIQUE,
    user_id INTEGER REFERENCES participants (user_id) ON DELETE SET NULL,
    area TEXT NOT NULL,
    neighbourhood TEXT,
    description TEXT NOT NULL,
    affected TEXT NOT NULL,
    evidence TEXT,
    urgency TEXT NOT NULL,
    can_help TEXT NOT NULL,
    themes TEXT NOT NULL DEFAULT '[]',
    themes_by_admin INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'acknowledged', 'responded', 'done')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO needs_new SELECT * FROM needs;
DROP TABLE needs;
ALTER TABLE needs_new RENAME TO needs;
CREATE INDEX needs_by_user ON needs (user_id);
CREATE INDEX needs_by_area ON needs (area, created_at);

-- What happened to each need: acknowledged, replied to, marked done; by whom and when.
-- The member sees these ("you said, we did"); actor_id is the commissioner or admin.
CREATE TABLE need_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    need_id INTEGER NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('acknowledged', 'replied', 'done')),
    actor_id INTEGER NOT NULL,
    actor_name TEXT NOT NULL,               -- as the member is told: "Chris, commissioner for Knowsley"
    text TEXT,                              -- the reply, for 'replied'
    created_at TEXT NOT NULL
);
CREATE INDEX need_events_by_need ON need_events (need_id, id);

-- A commissioner typing a reply to a need: the next message they send is the reply.
CREATE TABLE pending_replies (
    user_id INTEGER PRIMARY KEY,
    need_id INTEGER NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    started_at TEXT NOT NULL
);
