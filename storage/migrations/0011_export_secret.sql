-- The key that turns Telegram ids into export pseudonyms (HMAC-SHA256): made once per
-- installation, so a person has the same pseudonym in every export and every sheet.
-- One row only. Losing it changes every pseudonym; it never leaves the database.
CREATE TABLE export_secret (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    secret TEXT NOT NULL,                   -- 32 random bytes, hex
    created_at TEXT NOT NULL
);
