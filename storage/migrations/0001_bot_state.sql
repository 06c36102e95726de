-- python-telegram-bot's persistence: user_data, chat_data, bot_data, callback_data and
-- conversation states, one JSON document per (kind, key).
CREATE TABLE bot_state (
    kind TEXT NOT NULL,        -- 'user_data', 'chat_data', 'bot_data', 'callback_data', 'conversation:<name>'
    key TEXT NOT NULL,         -- user id, chat id, '' for singletons, JSON key for conversations
    value TEXT NOT NULL,       -- JSON
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
