// Neo4j 2025.x syntax (Cypher 25): FOR ... REQUIRE, typed CREATE ... INDEX, no procedures.
CYPHER 25 CREATE INDEX person_email FOR (p:Person) ON (p.email);
CYPHER 25 CREATE CONSTRAINT person_id FOR (p:Person) REQUIRE p.id IS UNIQUE;
CYPHER 25 CREATE CONSTRAINT FOR (b:Book) REQUIRE b.isbn IS NODE UNIQUE;
CYPHER 25 CREATE FULLTEXT INDEX titles FOR (n:Movie|Book) ON EACH [n.title];
CYPHER 25 CREATE RANGE INDEX movie_year FOR (m:Movie) ON (m.year);
CYPHER 25 CREATE TEXT INDEX movie_plot IF NOT EXISTS FOR (m:Movie) ON (m.plot);
CYPHER 25 CREATE INDEX rated_at FOR ()-[r:RATED]->() ON (r.at);
CYPHER 25 CREATE POINT INDEX place_location FOR (p:Place) ON (p.location);
CYPHER 25 CREATE CONSTRAINT user_email FOR (u:User) REQUIRE u.email IS UNIQUE;
CYPHER 25 CREATE INDEX FOR (p:Person) ON (p.name, p.born);
