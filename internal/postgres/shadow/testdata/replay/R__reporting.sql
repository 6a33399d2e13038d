CREATE OR REPLACE VIEW people_count AS SELECT count(*) AS n FROM people;
