-- What the commissioners' digests remember: 'since', when the bot first looked for due
-- digests (a digest scheduled before then is never sent, so a new install does not send last
-- week's digest). Digests themselves are outbox rows keyed digest:<user>:<local date>.
CREATE TABLE digest_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
