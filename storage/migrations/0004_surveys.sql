-- Confidence surveys: one answer set per participant per wave ("before", "after").
-- Sector and area are copied at answering time, so reports do not shift with later profile edits.
CREATE TABLE survey_answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER REFERENCES participants (user_id) ON DELETE SET NULL,
    wave TEXT NOT NULL CHECK (wave IN ('before', 'after')),
    sector TEXT NOT NULL,
    area TEXT NOT NULL,
    scores TEXT NOT NULL,                   -- JSON object, survey item key -> 1..5
    answered_at TEXT NOT NULL,
    UNIQUE (user_id, wave)
);

-- Waves an admin has opened for everyone or closed (/wave). No row: the default (the
-- "before" wave open, the "after" wave opening for each person after_days after their before).
CREATE TABLE survey_waves (
    wave TEXT PRIMARY KEY CHECK (wave IN ('before', 'after')),
    state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    changed_at TEXT NOT NULL
);
