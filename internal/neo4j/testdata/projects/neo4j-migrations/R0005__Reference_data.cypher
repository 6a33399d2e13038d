MERGE (:Country {code: 'DE'});
USE movies CREATE INDEX movie_year IF NOT EXISTS FOR (m:Movie) ON (m.year);
