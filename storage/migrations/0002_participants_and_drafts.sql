-- People taking part, from the moment they consent. Nothing is stored before consent.
CREATE TABLE participants (
    user_id INTEGER PRIMARY KEY,            -- Telegram user id
    name TEXT,
    organisation TEXT,
    sector TEXT,                            -- a programme.sectors key
    area TEXT,                              -- a programme.areas key
    consent_version INTEGER NOT NULL,       -- the privacy notice version agreed to
    consented_at TEXT NOT NULL,
    follow_ups INTEGER NOT NULL DEFAULT 1,  -- 0 after /stop
    onboarded_at TEXT,                      -- set when the profile is first complete
    last_active_at TEXT NOT NULL            -- retention counts from here
);

-- One form in progress per person: the answers so far and the step they are on.
-- AUTOINCREMENT so an id is never reused: buttons of a finished form stay expired.
CREATE TABLE drafts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL UNIQUE REFERENCES participants (user_id) ON DELETE CASCADE,
    form TEXT NOT NULL,
    step INTEGER NOT NULL DEFAULT 0,        -- index into the form's steps; = count means summary
    answers TEXT NOT NULL DEFAULT '{}',     -- JSON object, step key -> answer
    return_to_summary INTEGER NOT NULL DEFAULT 0,  -- editing one answer from the summary
    question_message_id INTEGER,            -- the message showing the current question
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
