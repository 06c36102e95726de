-- A deep link (an event's QR code) scanned by someone who had not finished signing up: it
-- resumes when their profile is saved. Cleared once taken.
ALTER TABLE participants ADD COLUMN pending_link TEXT;

-- Admins' broadcasts: typed (text), aimed (audience), then queued in the outbox one row per
-- recipient under broadcast:<id>:<user>. reported_at: when the admin was told how it went.
CREATE TABLE broadcasts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    text TEXT,                              -- NULL while the admin is typing it
    audience TEXT,                          -- everyone | area:<key> | sector:<key> | event:<code>
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    queued_at TEXT,                         -- set on Confirm; NULL: still a draft
    recipients INTEGER,
    reported_at TEXT
);
CREATE INDEX broadcasts_unreported ON broadcasts (queued_at) WHERE reported_at IS NULL;
