-- Staff roles live here. The config's admins and commissioners are seeded at every start
-- (source 'config': the config stays their truth); invites add commissioners (source 'invite').
-- Members have no row.
CREATE TABLE roles (
    user_id INTEGER PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('admin', 'commissioner')),
    areas TEXT NOT NULL DEFAULT '[]',       -- JSON list of area keys a commissioner covers
    source TEXT NOT NULL CHECK (source IN ('config', 'invite')),
    granted_by INTEGER,                     -- the admin who sent the invite
    granted_at TEXT NOT NULL
);

-- Every admin action: who, what, when, and its particulars (filters, counts, codes) as JSON.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);

-- Workshop and listening events: people join by the event's deep link (a QR code on a slide).
CREATE TABLE events (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    closed_at TEXT                          -- set by /event close, which opens its after wave
);

CREATE TABLE event_attendance (
    event_code TEXT NOT NULL REFERENCES events (code),
    user_id INTEGER NOT NULL,
    joined_at TEXT NOT NULL,
    PRIMARY KEY (event_code, user_id)
) WITHOUT ROWID;
CREATE INDEX event_attendance_by_user ON event_attendance (user_id);
