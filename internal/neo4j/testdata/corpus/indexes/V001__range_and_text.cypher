// Range indexes: named, unnamed, composite, on relationships.
CREATE INDEX person_name FOR (p:Person) ON (p.name);
CREATE RANGE INDEX IF NOT EXISTS FOR (p:Person) ON (p.born);
CREATE INDEX person_name_born FOR (p:Person) ON (p.name, p.born);
CREATE INDEX knows_since FOR ()-[k:KNOWS]-() ON (k.since);
create index for ()-[r:RATED]->() on (r.stars, r.at);

/* Text indexes */
CREATE TEXT INDEX movie_tagline FOR (m:Movie) ON (m.tagline);
CREATE TEXT INDEX FOR ()-[r:REVIEWED]-() ON (r.summary);
