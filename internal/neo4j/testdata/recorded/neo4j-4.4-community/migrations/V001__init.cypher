// Neo4j 4.4 syntax: CREATE INDEX makes a BTREE index; ON ... ASSERT constraints; fulltext by procedure.
CREATE INDEX person_name FOR (p:Person) ON (p.name);
CREATE INDEX ON :Movie(title);
CREATE CONSTRAINT ON (u:User) ASSERT u.email IS UNIQUE;
CALL db.index.fulltext.createNodeIndex('titles', ['Movie', 'Book'], ['title', 'plot'], {analyzer: 'english'});
CREATE TEXT INDEX tagline_text FOR (m:Movie) ON (m.tagline);
