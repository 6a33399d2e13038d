// Neo4j 4.4 syntax: ON ... ASSERT, CREATE INDEX ON :Label(prop), the schema procedures.
CREATE INDEX ON :Person(name);
CREATE INDEX person_email FOR (p:Person) ON (p.email);
CREATE CONSTRAINT person_id ON (p:Person) ASSERT p.id IS UNIQUE;
CREATE CONSTRAINT ON (b:Book) ASSERT b.isbn IS UNIQUE;
CALL db.index.fulltext.createNodeIndex('titles', ['Movie', 'Book'], ['title']);
CALL db.createIndex('movie_year', ['Movie'], ['year'], 'native-btree-1.0');
CREATE TEXT INDEX movie_plot FOR (m:Movie) ON (m.plot);
CREATE INDEX rated_at FOR ()-[r:RATED]-() ON (r.at);
CREATE POINT INDEX place_location FOR (p:Place) ON (p.location);
