// What migration tools create for themselves is never compared.
CREATE CONSTRAINT IF NOT EXISTS FOR (m:SchemaMigration) REQUIRE m.version IS UNIQUE;
CREATE CONSTRAINT unique_version___Neo4jMigration FOR (m:__Neo4jMigration) REQUIRE m.version IS UNIQUE;
CREATE INDEX FOR (l:__Neo4jMigrationsLock) ON (l.name);
CREATE INDEX tag_name FOR (t:Tag) ON (t.name);
