-- How far people get through each form, for the completion funnel (/stats funnel): the first
-- time each person was asked each step (or shown the summary, step_key '#summary'), and the
-- first time they submitted the form. Written in the same transaction as the draft.
CREATE TABLE form_progress (
    user_id INTEGER NOT NULL REFERENCES participants (user_id) ON DELETE CASCADE,
    form TEXT NOT NULL,
    step_key TEXT NOT NULL,
    reached_at TEXT NOT NULL,
    PRIMARY KEY (user_id, form, step_key)
) WITHOUT ROWID;

CREATE TABLE form_submissions (
    user_id INTEGER NOT NULL REFERENCES participants (user_id) ON DELETE CASCADE,
    form TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    PRIMARY KEY (user_id, form)
) WITHOUT ROWID;
