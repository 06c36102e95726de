-- Single-use invitations to a staff role, sent as https://t.me/<bot>?start=inv_<code>.
-- An invite is spent when used_by is set; it cannot be used after expires_at.
CREATE TABLE invites (
    code TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('commissioner')),
    areas TEXT NOT NULL,                    -- JSON list of area keys
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_by INTEGER,
    used_at TEXT
);

-- The name an invited commissioner had on Telegram when they accepted, for /commissioners.
ALTER TABLE roles ADD COLUMN name TEXT;
