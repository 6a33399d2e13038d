CREATE INDEX seed_at IF NOT EXISTS FOR (s:Seed) ON (s.at);
MERGE (:Seed {at: 1});
