-- Reports read by period and by area: without these, each digest scanned every challenge
-- answer and every survey answer (EXPLAIN QUERY PLAN in BENCHMARKS.md, issue 13).
CREATE INDEX challenge_answers_by_created ON challenge_answers (created_at);
CREATE INDEX survey_answers_by_area ON survey_answers (area);
CREATE INDEX needs_by_created ON needs (created_at);
