// Idempotent re-runs: nothing happens.
CREATE CONSTRAINT user_email IF NOT EXISTS FOR (u:User) REQUIRE u.email IS UNIQUE;
CREATE CONSTRAINT IF NOT EXISTS FOR (u:User) REQUIRE u.handle IS UNIQUE;
CREATE INDEX IF NOT EXISTS FOR (u:User) ON (u.createdAt);
CREATE INDEX IF NOT EXISTS FOR (u:User) ON (u.createdAt);
