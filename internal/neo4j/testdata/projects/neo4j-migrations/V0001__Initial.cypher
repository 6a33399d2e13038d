CYPHER 5 CREATE INDEX person_name FOR (p:Person) ON (p.name);
:use movies;
CREATE INDEX movie_title FOR (m:Movie) ON (m.title);
:use neo4j;
CYPHER 5 CREATE TEXT INDEX person_bio FOR (p:Person) ON (p.bio);
