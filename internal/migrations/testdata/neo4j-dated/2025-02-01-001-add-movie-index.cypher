CREATE INDEX movie_title IF NOT EXISTS FOR (m:Movie) ON (m.title);
