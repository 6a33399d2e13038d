CREATE INDEX person_born IF NOT EXISTS FOR (p:Person) ON (p.born);
