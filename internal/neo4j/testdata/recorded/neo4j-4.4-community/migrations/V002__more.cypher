CREATE BTREE INDEX knows_since FOR ()-[k:KNOWS]-() ON (k.since);
CREATE INDEX broken FOR (b:Broken) ON (b.x);
CREATE POINT INDEX place_loc FOR (p:Place) ON (p.loc) OPTIONS {indexConfig: {`spatial.cartesian.min`: [-100.0, -100.0]}};
CREATE RANGE INDEX FOR (r:Rating) ON (r.score);
CREATE INDEX ON :Old(prop);
DROP INDEX ON :Old(prop);
// golang-migrate's neo4j driver creates this itself; it is never compared.
CREATE CONSTRAINT ON (a:SchemaMigration) ASSERT a.version IS UNIQUE;
