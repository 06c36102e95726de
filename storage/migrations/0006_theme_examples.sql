-- Texts an admin has given themes by hand (/retag), kept as labelled examples that the theme
-- tagger learns from. Each text is a person's own contribution (a need or a challenge answer,
-- source_reference N-0042 or C-0007 says which): on /forget it goes with the contribution,
-- or stays anonymous with it.
CREATE TABLE theme_examples (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER REFERENCES participants (user_id) ON DELETE SET NULL,  -- who wrote it
    text TEXT NOT NULL,
    themes TEXT NOT NULL,                   -- JSON list of theme keys; [] means about no theme
    source_reference TEXT NOT NULL,         -- the need or answer it came from
    created_at TEXT NOT NULL
);
CREATE INDEX theme_examples_by_source ON theme_examples (source_reference);
