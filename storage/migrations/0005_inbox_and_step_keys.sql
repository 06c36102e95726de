-- The inbox: every update, committed before Telegram is told it arrived, so nothing fetched
-- is lost in a crash. handled_at is set in the same transaction as what the update changed;
-- rows still unhandled at start-up are replayed in update_id order.
CREATE TABLE inbox (
    update_id INTEGER PRIMARY KEY,          -- Telegram's, increasing
    -- Until the update is handled: whose it is (user id, else chat id) and what Telegram sent
    -- (JSON). Both NULL once handled: the id alone recognises a re-delivery.
    person INTEGER,
    payload TEXT,
    received_at TEXT NOT NULL,
    handled_at TEXT
);
CREATE INDEX inbox_unhandled ON inbox (update_id) WHERE handled_at IS NULL;
CREATE INDEX inbox_by_handled ON inbox (handled_at);
CREATE INDEX inbox_by_person ON inbox (person);

-- Forms run on plain handlers and the draft row; the framework's own persistence is gone.
DROP TABLE bot_state;

-- Drafts address steps by key, so a config edit that adds or removes steps never moves an
-- open draft onto a different question. step_key NULL: at the summary. form_steps: the form's
-- step keys when the draft was last saved, to find the next step if this one is removed.
-- Drafts opened before this migration have form_steps NULL and only their step index; the bot
-- converts them to keys at start-up, with the forms it then has.
ALTER TABLE drafts ADD COLUMN step_key TEXT;
ALTER TABLE drafts ADD COLUMN form_steps TEXT;
