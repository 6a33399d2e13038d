CREATE INDEX seed_marker IF NOT EXISTS FOR (s:Seed) ON (s.at);
