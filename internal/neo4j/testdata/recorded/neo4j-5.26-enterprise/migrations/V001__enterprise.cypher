CREATE CONSTRAINT actor_fullname FOR (a:Actor) REQUIRE (a.firstname, a.surname) IS NODE KEY;
CREATE CONSTRAINT author_name FOR (a:Author) REQUIRE a.name IS NOT NULL;
CREATE CONSTRAINT knows_since_how FOR ()-[k:KNOWS]-() REQUIRE (k.since, k.how) IS REL KEY;
CREATE CONSTRAINT movie_tagline FOR (m:Movie) REQUIRE m.tagline IS :: STRING | LIST<STRING NOT NULL>;
CREATE CONSTRAINT FOR ()-[p:PART_OF]-() REQUIRE p.order IS NOT NULL;
CREATE CONSTRAINT FOR ()-[r:RATED]-() REQUIRE r.stars IS TYPED FLOAT | INT;
CREATE CONSTRAINT book_isbn FOR (b:Book) REQUIRE b.isbn IS UNIQUE;
CREATE CONSTRAINT owns_serial FOR ()-[o:OWNS]-() REQUIRE o.serial IS RELATIONSHIP UNIQUE;
CREATE CONSTRAINT released_year FOR (m:Movie) REQUIRE m.released :: TIMESTAMP WITH TIME ZONE;
CREATE VECTOR INDEX doc_vec FOR (d:Doc) ON (d.vec) OPTIONS {indexConfig: {`vector.dimensions`: 1536}};
// neo4j-migrations' own chain constraint: never compared.
CREATE CONSTRAINT FOR (m:__Neo4jMigration) REQUIRE m.version IS UNIQUE;
