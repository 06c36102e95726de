-- Local needs voiced by participants. The reference people see, N-0042, is derived from id.
-- user_id becomes NULL when the person is forgotten and contributions are kept anonymously.
CREATE TABLE needs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id INTEGER NOT NULL UNIQUE,       -- the form it came from: a repeated submit stores once
    user_id INTEGER REFERENCES participants (user_id) ON DELETE SET NULL,
    area TEXT NOT NULL,                     -- a programme.areas key
    neighbourhood TEXT,                     -- NULL: the whole area
    description TEXT NOT NULL,
    affected TEXT NOT NULL,                 -- JSON list of option keys
    evidence TEXT,                          -- JSON {kind, file_id?, text?}, NULL if skipped
    urgency TEXT NOT NULL,
    can_help TEXT NOT NULL,
    themes TEXT NOT NULL DEFAULT '[]',      -- JSON list of theme keys
    themes_by_admin INTEGER NOT NULL DEFAULT 0,  -- 1 once /retag set them: keep, never re-derive
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'acknowledged', 'responded')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX needs_by_user ON needs (user_id);
CREATE INDEX needs_by_area ON needs (area, created_at);

-- Answers to the two programme challenges; every submission is kept, with its time.
-- The reference people see, C-0007, is derived from id.
CREATE TABLE challenge_answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id INTEGER NOT NULL UNIQUE,
    user_id INTEGER REFERENCES participants (user_id) ON DELETE SET NULL,
    challenge TEXT NOT NULL,                -- a programme.challenges key
    sector TEXT,                            -- the participant's sector when they answered
    answers TEXT NOT NULL,                  -- JSON object, part key -> list or text
    themes TEXT NOT NULL DEFAULT '[]',
    themes_by_admin INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX challenge_answers_by_user ON challenge_answers (user_id);
